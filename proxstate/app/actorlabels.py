"""The names proxstate.yaml gives known automation logins (`attribution.automation`), for the
reports that do not otherwise read the configuration (show-changes, log, blame)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from proxstate import yamlio
from proxstate.errors import ProxstateError
from proxstate.limits import CONFIG_LIMIT
from proxstate.resources.documents import decode_document
from proxstate.resources.stateformat import CONFIG_FILE
from proxstate.store import StateRepo
from proxstate.store.layout import cluster_dir

Label = Callable[[str], "str | None"]


def actor_labels(root: Path) -> Label | None:
    """`label(login)` from proxstate.yaml's `attribution` section; None without one. A file that
    cannot be read gives no labels: they are a courtesy of the report, and the commands that need
    the configuration say what is wrong with it."""
    from proxstate.store.safefs import read_file  # the repository is untrusted: no link, no FIFO

    try:
        content = read_file(root, CONFIG_FILE, limit=CONFIG_LIMIT)
        data = yamlio.load(content.decode("utf-8")) if content else None
    except (ProxstateError, UnicodeDecodeError, ValueError):
        return None
    section = data.get("attribution") if isinstance(data, dict) else None
    if not section or section == {"automation": {}}:  # as `proxstate init` writes it: names no one
        return None
    # pydantic and the configuration's models cost a tenth of a second to import: only when the
    # section names a login (blame and show-changes import them for nothing otherwise).
    from pydantic import ValidationError

    from proxstate.actors import AttributionConfig

    try:
        return AttributionConfig.model_validate(section).label
    except (ProxstateError, ValidationError, ValueError):
        return None


def recorded_log(
    repo: StateRepo, rev: str, clusters: Iterable[str], *, only: Callable[[str], bool] | None = None
) -> list[tuple[str, Mapping[str, Any]]]:
    """The cluster log entries recorded at rev, as (`<uid>:<node>`, entry); with `only`, of the
    files whose path it accepts."""
    entries: list[tuple[str, Mapping[str, Any]]] = []
    for name in clusters:
        for path, content in repo.read_tree(rev, f"{cluster_dir(name)}/cluster-log/", only=only).items():
            entries += log_entries_of(decode_document(content, mode="strict", name=path))
    return entries


def log_entries_of(document: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The entries of one recorded day of the cluster log, as (`<uid>:<node>`, entry)."""
    found = document.get("entries")
    if not isinstance(found, dict):
        return []
    return [(str(key), entry) for key, entry in found.items() if isinstance(entry, dict)]


__all__ = ["Label", "actor_labels", "log_entries_of", "recorded_log"]

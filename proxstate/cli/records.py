"""Opening the record for a report (show-changes, log, show, list-*): the state repository, with
--cluster and --node checked against what it holds."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from proxstate.app.names import check_recorded_names
from proxstate.errors import UsageError
from proxstate.store import StateRepo
from proxstate.store.revisions import DATE_FORMS


def open_record(
    root: Path, *, rev: str | None = None, cluster: str | None = None, nodes: Iterable[str] = ()
) -> StateRepo:
    """The state repository at root, for a report of its record at `rev` (HEAD when None); a
    --cluster or --node that names nothing there is refused with the known ones."""
    repo = StateRepo.open(root)
    check_recorded_names(
        repo, rev=rev, cluster=cluster, nodes=nodes, configured=lambda: configured_names(root)
    )
    return repo


def configured_names(root: Path) -> list[str]:
    """The names of the clusters proxstate.yaml lists."""
    # Imported here: a report reads proxstate.yaml only when a name is not in the record, and the
    # configuration's pydantic models cost about a third of a report's 0.3 s to build.
    from proxstate.config import load_config

    return [cluster.name for cluster in load_config(root).clusters if cluster.name]


def known_revision(repo: StateRepo, option: str, value: str | None) -> None:
    """Refuse (exit 64) an --at or --since that is neither a date nor a commit: a date git does not
    read would otherwise be taken for "now" without a word."""
    if value is not None and not repo.names_commit_or_date(value):
        raise UsageError(
            f"{option} {value!r} is neither a date nor a commit; give a date ({DATE_FORMS}) "
            "or a commit, branch or tag"
        )

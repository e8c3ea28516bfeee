"""The state format's version, and the migration of a version-1 record to version 2.

`proxstate.yaml` says which format the record is in (`version:`; a repository without the key, or
without the file, was written by a proxstate that knew only version 1). The first sync of a
repository in an older format rewrites the record in a commit of its own, `migrate state format
1 -> 2`: every document as version 2 writes it (proxstate.normalize.upgrade), the documents that
version 2 does not write removed, and `version: 2` in proxstate.yaml; nothing of the cluster is read
for it. The sync then records the cluster as usual, in the next commit. Readers that do not write
(drift, a dry run) see a record not migrated yet through the same upgrade, in memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from proxstate import __version__
from proxstate.errors import ConfigError, DirtyTree
from proxstate.normalize.upgrade import upgrade_document
from proxstate.resources.documents import decode_document, encode_document
from proxstate.resources.stateformat import CONFIG_FILE, FORMAT_VERSION
from proxstate.store import Identity, StateRepo
from proxstate.store.layout import CLUSTERS_DIR, document_header, resource_of_path

if TYPE_CHECKING:
    from proxstate.config import ProxstateConfig  # the pydantic models: only the sync builds them

MIGRATION_SUBJECT = f"migrate state format 1 -> {FORMAT_VERSION}"
_VERSION_LINE = re.compile(r"^version:[^\n]*$", re.MULTILINE)


_VERSION_VALUE = re.compile(r"^version:\s*[\"']?(\d+)", re.MULTILINE)


def needs_migration(config: ProxstateConfig) -> bool:
    return config.version < FORMAT_VERSION


def format_at(repo: StateRepo, rev: str) -> int:
    """The state format of the record at a commit, from its proxstate.yaml (1 without one: a
    record made without proxstate.yaml may be of either version, and upgrading changes nothing in
    a version-2 document)."""
    blob = repo.blob(rev, CONFIG_FILE)
    found = _VERSION_VALUE.search(blob.decode("utf-8", errors="replace")) if blob is not None else None
    return int(found.group(1)) if found else 1


def check_readable(repo: StateRepo) -> None:
    """Refuse a record (at HEAD) in a format newer than this proxstate knows, before reading it:
    show-changes, log, list and show read no proxstate.yaml otherwise."""
    head = repo.head()
    if head is not None and (version := format_at(repo, head)) > FORMAT_VERSION:
        raise ConfigError(
            f"{CONFIG_FILE}: version: the state repository is in format version {version}, newer "
            f"than this proxstate knows (1 to {FORMAT_VERSION}): upgrade proxstate"
        )


def upgraded_files(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The recorded files (path -> bytes, under clusters/) as version 2 writes them; files that are
    not documents stay as they are, documents version 2 does not write are left out."""
    out: dict[str, bytes] = {}
    for path, content in files.items():
        rewritten = _upgraded(path, content)
        if rewritten is not None:
            out[path] = rewritten
    return out


def _upgraded(path: str, content: bytes) -> bytes | None:
    located = resource_of_path(path, content)
    if located is None:
        return content
    cluster, rid = located
    loaded = decode_document(content, mode="tolerant")
    if not loaded:
        return content  # not a document: the next sync replaces it, as it always did
    document = upgrade_document(rid, loaded)
    if document is None:
        return None
    return encode_document(document, header=document_header(cluster, rid, path))


def config_text_at_version(text: str | None) -> bytes:
    """proxstate.yaml with `version:` set to the current format (the rest, comments and all, kept)."""
    line = f"version: {FORMAT_VERSION}"
    if text is None:
        return (line + "\n").encode("utf-8")
    if _VERSION_LINE.search(text):
        return _VERSION_LINE.sub(line, text, count=1).encode("utf-8")
    return (line + "\n" + text).encode("utf-8")


def migration_message() -> str:
    return (
        f"{MIGRATION_SUBJECT}\n\n"
        f"The record rewritten in state format version {FORMAT_VERSION} (docs/state-format.md, Migration);\n"
        "nothing of the cluster was read: no change of the cluster is in this commit.\n\n"
        f"Proxstate-Version: {__version__}\n"
    )


def migrate(
    repo: StateRepo,
    *,
    config: ProxstateConfig,
    parent: str | None,
    author: Identity | None,
    branch: str | None = None,
    base: str | None = None,
) -> str | None:
    """Commit the migration of the record at `parent` when proxstate.yaml names an older format;
    the commit's sha, or None when there was nothing to migrate (the format is current, or the
    repository holds neither a record nor a proxstate.yaml)."""
    if not needs_migration(config):
        return None
    recorded = repo.read_tree(parent, f"{CLUSTERS_DIR}/") if parent is not None else {}
    config_blob = repo.blob(parent, CONFIG_FILE) if parent is not None else None
    if not recorded and config_blob is None:
        return None
    changes: dict[str, bytes | None] = {}
    upgraded = upgraded_files(recorded)
    for path, content in recorded.items():
        if path not in upgraded:
            changes[path] = None
        elif upgraded[path] != content:
            changes[path] = upgraded[path]
    text = config_blob.decode("utf-8", errors="replace") if config_blob is not None else None
    changes[CONFIG_FILE] = config_text_at_version(text)
    try:
        message = migration_message()
        return repo.commit_files(changes, message=message, author=author, branch=branch, base=base)
    except DirtyTree as exc:
        raise DirtyTree(
            f"the record is in state format 1 and is migrated first, in a commit of its own: {exc.message}"
        ) from None


@dataclass(kw_only=True)
class Migration:
    """The migration one sync makes: at most once, when the first cluster was read and its folder
    checked (a sync that records nothing writes nothing); a dry run upgrades in memory only."""

    repo: StateRepo
    config: ProxstateConfig
    author: Identity | None
    branch: str | None
    base: str | None
    dry_run: bool
    commit: str | None = None
    _done: bool = False

    def recorded(
        self, files: dict[str, bytes], *, parent: Callable[[], str | None], prefix: str
    ) -> dict[str, bytes]:
        """One cluster's recorded files in the current format: read again after the migration
        commit (made on the first call), or upgraded in memory for a dry run."""
        if not needs_migration(self.config):
            return files
        if self.dry_run:
            return upgraded_files(files)
        if self._done:
            return files
        self._done = True
        self.commit = migrate(
            self.repo,
            config=self.config,
            parent=parent(),
            author=self.author,
            branch=self.branch,
            base=self.base,
        )
        return self.repo.read_tree(parent(), prefix) if self.commit else files

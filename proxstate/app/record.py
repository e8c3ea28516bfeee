"""Reading the record: the documents of a state repository at any revision."""

from __future__ import annotations

from dataclasses import dataclass

from proxstate.app.migrate import check_readable
from proxstate.errors import RevisionError
from proxstate.normalize.upgrade import upgrade_document
from proxstate.resources.documents import Document, decode_document
from proxstate.store import StateRepo
from proxstate.store.layout import (
    CLUSTERS_DIR,
    HASHED,
    cluster_dir,
    document_path,
    kind_folder,
    resource_glob_matches,
    resource_of_path,
)
from proxstate.yamlio import Versions


@dataclass(frozen=True, kw_only=True)
class RecordedDocument:
    cluster: str
    resource_id: str
    path: str
    document: Document


def read_document(
    content: bytes, *, name: str, resource_id: str, versions: Versions | None = None
) -> Document | None:
    """A recorded document (strictly decoded) as the current state format writes it, whichever
    format it was recorded in (None: the current format writes no such document, as it holds
    nothing configured; app/migrate.py). `versions`: when reading one document's history."""
    return upgrade_document(
        resource_id, decode_document(content, mode="strict", name=name, versions=versions)
    )


def documents_at(
    repo: StateRepo, rev: str | None, *, cluster: str | None = None, pattern: str | None = None
) -> list[RecordedDocument]:
    """Every recorded document at rev (default HEAD), optionally of one cluster or matching a glob."""
    check_readable(repo)
    commit = repo.resolve(rev) if rev else repo.head()
    if commit is None:
        return []
    out = []
    for path, content in sorted(_read(repo, commit, cluster=cluster, pattern=pattern).items()):
        located = resource_of_path(path, content)
        if located is None:
            continue
        if pattern and not resource_glob_matches(pattern, located[1]):
            continue
        document = read_document(content, name=path, resource_id=located[1])
        if document is not None:
            out.append(
                RecordedDocument(cluster=located[0], resource_id=located[1], path=path, document=document)
            )
    return out


def _read(repo: StateRepo, commit: str, *, cluster: str | None, pattern: str | None) -> dict[str, bytes]:
    """The files that may hold the documents asked for: with a pattern of one kind (`qemu/*`, the
    `list-*` commands), only that kind's folder of each cluster, so that a listing reads a tenth of
    the record, not all of it."""
    kind, _, rest = (pattern or "").partition("/")
    folder = kind_folder(kind) if rest and "*" not in kind else None
    if folder is None:
        return repo.read_tree(commit, f"{cluster_dir(cluster)}/" if cluster else f"{CLUSTERS_DIR}/")
    clusters = (
        [cluster_dir(cluster)]
        if cluster
        else [f"{CLUSTERS_DIR}/{name}" for name in repo.folders(commit, CLUSTERS_DIR)]
    )
    found: dict[str, bytes] = {}
    for top in clusters:
        found.update(repo.read_tree(commit, f"{top}/{folder}/"))
    return found


def cluster_names(repo: StateRepo, rev: str | None) -> list[str]:
    """The clusters recorded at rev, from the folder names (a name too long to be a folder's is read
    from the first line of its cluster.yaml)."""
    folders = repo.folders(rev, CLUSTERS_DIR)
    # A cluster's folder holds its cluster.yaml: that file is listed alone, not the folder's years
    # of tasks; a folder without one counts when it holds any file.
    marked = repo.read_files(rev, [f"{CLUSTERS_DIR}/{folder}/cluster.yaml" for folder in folders])
    folders = [
        folder
        for folder in folders
        if f"{CLUSTERS_DIR}/{folder}/cluster.yaml" in marked or repo.paths(rev, f"{CLUSTERS_DIR}/{folder}/")
    ]
    names = []
    for folder in folders:
        path = f"{CLUSTERS_DIR}/{folder}/cluster.yaml"
        # A hashed folder's name is in the first line of its cluster.yaml, read above already.
        content = marked.get(path) if HASHED in folder else None
        names.append(resource_of_path(path, content))
    return sorted(name[0] for name in names if name is not None)


def document_of(
    repo: StateRepo, resource_id: str, *, rev: str | None, cluster: str | None
) -> RecordedDocument:
    """One resource's document; with several clusters in the repository, --cluster picks one."""
    check_readable(repo)
    commit = repo.resolve(rev) if rev else repo.head()
    if commit is None:
        raise RevisionError("the repository has no commits yet: run `proxstate sync` first")
    names = [cluster] if cluster else cluster_names(repo, commit)
    found = []
    for name in names:
        path = str(document_path(name, resource_id))
        content = repo.blob(commit, path)
        document = read_document(content, name=path, resource_id=resource_id) if content is not None else None
        if document is not None:
            found.append(
                RecordedDocument(cluster=name, resource_id=resource_id, path=path, document=document)
            )
    if not found:
        raise RevisionError(f"{resource_id} is not recorded at {rev or 'HEAD'}")
    if len(found) > 1:
        raise RevisionError(
            f"{resource_id} is recorded in several clusters "
            f"({', '.join(f.cluster for f in found)}): give --cluster"
        )
    return found[0]

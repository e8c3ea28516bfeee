"""Reading the record: the documents of a state repository at any revision."""

from __future__ import annotations

from dataclasses import dataclass

from proxstate.errors import RevisionError
from proxstate.resources.documents import Document, decode_document
from proxstate.store import StateRepo
from proxstate.store.layout import (
    CLUSTERS_DIR,
    HASHED,
    cluster_dir,
    document_path,
    resource_glob_matches,
    resource_of_path,
)


@dataclass(frozen=True, kw_only=True)
class RecordedDocument:
    cluster: str
    resource_id: str
    path: str
    document: Document


def documents_at(
    repo: StateRepo, rev: str | None, *, cluster: str | None = None, pattern: str | None = None
) -> list[RecordedDocument]:
    """Every recorded document at rev (default HEAD), optionally of one cluster or matching a glob."""
    commit = repo.resolve(rev) if rev else repo.head()
    if commit is None:
        return []
    prefix = f"{cluster_dir(cluster)}/" if cluster else f"{CLUSTERS_DIR}/"
    out = []
    for path, content in sorted(repo.read_tree(commit, prefix).items()):
        located = resource_of_path(path, content)
        if located is None:
            continue
        if pattern and not resource_glob_matches(pattern, located[1]):
            continue
        out.append(
            RecordedDocument(
                cluster=located[0],
                resource_id=located[1],
                path=path,
                document=decode_document(content, mode="strict", name=path),
            )
        )
    return out


def cluster_names(repo: StateRepo, rev: str | None) -> list[str]:
    """The clusters recorded at rev, from the folder names (a name too long to be a folder's is read
    from the first line of its cluster.yaml)."""
    folders = {path.split("/")[1] for path in repo.paths(rev, f"{CLUSTERS_DIR}/") if path.count("/") >= 2}
    names = []
    for folder in folders:
        path = f"{CLUSTERS_DIR}/{folder}/cluster.yaml"
        content = repo.blob(rev, path) if rev and HASHED in folder else None
        names.append(resource_of_path(path, content))
    return sorted(name[0] for name in names if name is not None)


def document_of(
    repo: StateRepo, resource_id: str, *, rev: str | None, cluster: str | None
) -> RecordedDocument:
    """One resource's document; with several clusters in the repository, --cluster picks one."""
    commit = repo.resolve(rev) if rev else repo.head()
    if commit is None:
        raise RevisionError("the repository has no commits yet: run `proxstate sync` first")
    names = [cluster] if cluster else cluster_names(repo, commit)
    found = []
    for name in names:
        path = str(document_path(name, resource_id))
        content = repo.blob(commit, path)
        if content is not None:
            found.append(
                RecordedDocument(
                    cluster=name,
                    resource_id=resource_id,
                    path=path,
                    document=decode_document(content, mode="strict", name=path),
                )
            )
    if not found:
        raise RevisionError(f"{resource_id} is not recorded at {rev or 'HEAD'}")
    if len(found) > 1:
        raise RevisionError(
            f"{resource_id} is recorded in several clusters "
            f"({', '.join(f.cluster for f in found)}): give --cluster"
        )
    return found[0]

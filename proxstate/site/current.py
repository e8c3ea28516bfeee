"""The record as it is now: every document at the commit the site shows, decoded and as stored."""

from __future__ import annotations

import re
from collections.abc import Mapping

from proxstate.app.doccache import documents_by_cluster
from proxstate.app.record import cluster_names
from proxstate.resources.documents import Document
from proxstate.site.model import Resource
from proxstate.store import StateRepo
from proxstate.store.layout import resource_of_path

Resources = dict[str, dict[str, Resource]]
# A masked value as the record stores it: `<masked:HEX>`, a keyed hash that tells whether two secrets
# are equal. The site is read by more people than the repository: it shows `<masked>` alone, as the
# reports do.
_KEYED = re.compile(r"<masked:[0-9A-Fa-f]*>")


def current_resources(
    repo: StateRepo, head: str, prefix: str, *, known: Mapping[bytes, Document | None]
) -> tuple[list[str], Resources]:
    """The clusters recorded at `head` (under `prefix`) and their resources. `known`: documents the
    walk over the history decoded, by content; the others come from the cache of decoded documents
    (app/doccache.py). The text of each is its file as stored, masked values without their hash."""
    stored = repo.read_tree(head, prefix)
    decoded: dict[str, dict[str, Document]] = {}
    if any(content not in known for content in stored.values()):
        decoded = documents_by_cluster(repo, head, prefix)
    found: Resources = {}
    for path, content in stored.items():
        located = resource_of_path(path, content)
        if located is None:
            continue
        cluster, resource_id = located
        document = known[content] if content in known else decoded.get(cluster, {}).get(resource_id)
        if document is None:
            continue  # a document the current format does not write (it holds nothing configured)
        text = _KEYED.sub("<masked>", content.decode("utf-8", "replace"))
        found.setdefault(cluster, {})[resource_id] = Resource(
            cluster=cluster, resource_id=resource_id, path=path, document=document, text=text
        )
    clusters = set(cluster_names(repo, head)) | set(found)
    return sorted(clusters), {cluster: dict(sorted(found[cluster].items())) for cluster in sorted(found)}

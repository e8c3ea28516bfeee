"""The record as it is now: every document at the commit the site shows, decoded and as stored."""

from __future__ import annotations

import re

from proxstate.app.doccache import documents_by_cluster
from proxstate.app.migrate import check_readable
from proxstate.app.record import cluster_names
from proxstate.site.model import Resource
from proxstate.store import StateRepo
from proxstate.store.layout import CLUSTERS_DIR, document_path

Resources = dict[str, dict[str, Resource]]
# A masked value as the record stores it: `<masked:HEX>`, a keyed hash that tells whether two secrets
# are equal. The site is read by more people than the repository: it shows `<masked>` alone, as the
# reports do.
_KEYED = re.compile(r"<masked:[0-9A-Fa-f]*>")


def current_resources(repo: StateRepo, head: str) -> tuple[list[str], Resources]:
    """The clusters recorded at `head` and their resources. Decoded documents come from the cache of
    decoded documents (app/doccache.py); the text of each is its file as stored, masked values
    without their keyed hash."""
    check_readable(repo)
    decoded = documents_by_cluster(repo, head, f"{CLUSTERS_DIR}/")
    stored = repo.read_tree(head, f"{CLUSTERS_DIR}/")
    found: Resources = {}
    for cluster, documents in decoded.items():
        for resource_id, document in documents.items():
            path = str(document_path(cluster, resource_id))
            text = _KEYED.sub("<masked>", stored.get(path, b"").decode("utf-8", "replace"))
            found.setdefault(cluster, {})[resource_id] = Resource(
                cluster=cluster, resource_id=resource_id, path=path, document=document, text=text
            )
    return sorted(set(cluster_names(repo, head)) | set(found)), found

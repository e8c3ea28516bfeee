"""The search index: `search-index.js`, loaded by every page with a <script src> (not fetch(), so
the site works from file:// too), sets `window.PROXSTATE_SEARCH_INDEX` to one entry per resource.

An entry is `{"l": label, "h": page, "t": [texts]}`: the texts are what a search matches (case-
insensitive substring): cluster, kind, id, name, node, tags, MAC and IP addresses, bridges. Only
what the record holds goes in (masked values are left out), as JSON with `<`, `>` and `&` escaped so
that no text from the record can end the script.
"""

from __future__ import annotations

import json
from typing import Any

from proxstate.resources.kinds import GUEST_KINDS, kind_of
from proxstate.site.facts import addresses, bridges, guest_name, macs, tags, text
from proxstate.site.model import Resource, SiteData
from proxstate.site.page import SEARCH_INDEX, resource_page


def _entry(resource: Resource) -> dict[str, Any]:
    document = resource.document
    kind = kind_of(resource.resource_id)
    name = guest_name(document) if kind in GUEST_KINDS else text(document.get("name"))
    texts = [resource.cluster, kind, resource.resource_id, name, text(document.get("node"))]
    if kind in GUEST_KINDS:
        texts += tags(document) + macs(document) + addresses(document) + bridges(document)
    label = f"{resource.resource_id} {name}".strip() + f" ({resource.cluster})"
    return {
        "l": label,
        "h": resource_page(resource.cluster, resource.resource_id),
        "t": [t for t in texts if t],
    }


def index_file(data: SiteData) -> tuple[str, bytes]:
    entries = [
        _entry(resource) for cluster in data.clusters for resource in data.resources.get(cluster, {}).values()
    ]
    body = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    # Inside a <script> file nothing ends the script, but the escapes keep it safe if inlined.
    body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return SEARCH_INDEX, f"window.PROXSTATE_SEARCH_INDEX = {body};\n".encode()

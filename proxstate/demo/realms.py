"""Authentication realms answered as PVE answers them, on a fakepve server.

fakepve answers `GET /access/domains/{realm}` with `null` (the official schema declares no
`returns` for it); PVE's handler (pve-access-control, PVE::API2::Domains `read`) returns the
realm's section of domains.cfg with the file's digest, or fails with "domain '...' does not
exist". proxstate takes `null` for an answer of the wrong shape, so the demo (and the tests) make
the fake answer as PVE does: the realm as the list gave it.
"""

from __future__ import annotations

import json
from typing import Any

_DOMAINS = ["", "api2", "json", "access", "domains"]


def answer_realms_as_pve(pve: Any) -> None:
    """Wrap the FakePve `pve` so that a realm's GET answers like PVE's handler."""
    from aiohttp import web

    original = pve._answer
    listed: dict[str, dict[str, Any]] = {}

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        response = await original(request, handler, generic, path_node)
        parts = request.path.split("/")
        if request.method != "GET" or parts[:5] != _DOMAINS:
            return response
        if len(parts) == 5 and response.status == 200:
            listed.clear()
            listed.update({str(item.get("realm")): item for item in json.loads(response.text)["data"]})
        elif len(parts) == 6 and response.status in (200, 500):
            realm = parts[5]
            if realm not in listed:
                message = f"domain '{realm}' does not exist\n"
                return web.json_response({"data": None, "message": message}, status=500)
            data = {k: v for k, v in listed[realm].items() if k != "realm"}
            return web.json_response({"data": {**data, "digest": "0" * 40}})
        return response

    pve._answer = answer

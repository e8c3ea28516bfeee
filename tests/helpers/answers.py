"""Making fakepve answer the way a real PVE server does where the fake is tidier (or the way a
broken one does): each helper wraps the fake's answer for the requests it names."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable, Mapping
from fnmatch import fnmatchcase
from typing import Any

from aiohttp import web
from fakepve.server import error

Rewrite = Callable[[Any], Any]
Answer = Callable[[Any, dict[str, Any]], "dict[str, Any] | web.Response | None"]


def pve_error(status: int, message: str, errors: dict[str, str] | None = None) -> web.Response:
    """An error answer as PVE gives it (`{"data": null, "message": ...}`), typed (fakepve is not)."""
    response: web.Response = error(status, message, errors)
    return response


def serve_body(
    pve: Any, suffix: str, body: bytes, *, content_type: str = "application/json", status: int = 200
) -> None:
    """Requests whose path ends with `suffix` get this raw answer instead of the fake's."""
    original = pve._answer

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        if request.path.endswith(suffix):
            return web.Response(status=status, body=body, content_type=content_type)
        return await original(request, handler, generic, path_node)

    pve._answer = answer


def rewrite_data(pve: Any, suffix: str, change: Rewrite) -> None:
    """Requests whose path ends with `suffix` get the fake's answer with `data` passed through `change`."""
    original = pve._answer

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        response = await original(request, handler, generic, path_node)
        if request.path.endswith(suffix) and response.status == 200:
            body = json.loads(response.text)
            body["data"] = change(body["data"])
            return web.json_response(body)
        return response

    pve._answer = answer


def answer_as_pve(pve: Any, path: str, change: Answer) -> None:
    """GET requests for `path` (a glob, after /api2/json, as aiohttp decodes it) are answered with
    what `change(request, body)` returns: a new JSON body, a response of its own (an error), or
    None to keep the fake's answer; `body` is the fake's own answer."""
    original = pve._answer

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        response = await original(request, handler, generic, path_node)
        if request.method == "GET" and fnmatchcase(request.path.removeprefix("/api2/json"), path):
            body = json.loads(response.text) if response.content_type == "application/json" else {}
            changed = change(request, body)
            if isinstance(changed, web.Response):
                return changed
            if changed is not None:
                return web.json_response(changed)
        return response

    pve._answer = answer


def break_connections(pve: Any, failing: Mapping[str, int], *, hang: float = 0.0) -> Counter[str]:
    """GET requests whose path (after /api2/json, a glob) is in `failing` fail on their first n
    attempts, n counted per path: the connection is closed without an answer or, with `hang`, the
    answer comes `hang` seconds late. Returns the attempts the fake saw, per path."""
    original = pve._answer
    seen: Counter[str] = Counter()

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        path = request.path.removeprefix("/api2/json")
        if request.method == "GET":
            seen[path] += 1
            if any(fnmatchcase(path, glob) and seen[path] <= n for glob, n in failing.items()):
                if not hang:
                    request.transport.close()
                    raise web.HTTPBadGateway()  # never sent: the connection is closed
                await asyncio.sleep(hang)
        return await original(request, handler, generic, path_node)

    pve._answer = answer
    return seen


def hide_cipassword(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A guest's /pending as qemu-server's vm_pending gives it:
    `$conf->{cipassword} = '**********' if defined($conf->{cipassword});`."""
    return [{**e, "value": "**********"} if e.get("key") == "cipassword" else e for e in entries]

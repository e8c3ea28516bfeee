"""The bounds of proxstate.limits where they are applied: measuring the nesting of a JSON text
without decoding it, reading a body up to a size, and refusing too deep documents in yamlio, the
comparison and the plan of a sync."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxstate import yamlio
from proxstate.api.body import read_body
from proxstate.app.plan import plan_cluster
from proxstate.diff import compare
from proxstate.errors import DepthError, ProtocolError
from proxstate.limits import MAX_DOCUMENT_DEPTH, json_too_deep, too_deep
from proxstate.normalize import NormalizeOptions
from proxstate.resources.inventory import Inventory, RawCluster, RawDeclared, RawNode

# Strings full of what could fool a scanner: brackets, quotes and backslashes.
TRICKY = st.text(alphabet='[]{}"\\\\ab\n\u00e9', max_size=8)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY, inner, max_size=3),
    max_leaves=40,
)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(JSON, st.booleans())
def test_json_too_deep_agrees_with_the_decoded_value(value: Any, ascii_only: bool) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    depth = _depth(value)
    for limit in range(max(depth - 1, 0), depth + 2):
        assert json_too_deep(body, limit) == (depth > limit), (body, limit)
        assert too_deep(value, limit) == (depth > limit), (value, limit)


def test_json_too_deep_at_10000_levels() -> None:
    body = b'{"data": ' + b"[" * 9_999 + b"]" * 9_999 + b"}"
    assert json_too_deep(body, 64)
    assert not json_too_deep(body, 10_000)
    assert not json_too_deep(b'{"data": "' + b"[" * 10_000 + b'"}', 64), "brackets inside a string"


class _Stream(httpx.AsyncByteStream):
    def __init__(self, source: AsyncIterator[bytes]) -> None:
        self.source = source

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.source:
            yield chunk


def _response(chunks: list[bytes], **headers: str) -> httpx.Response:
    async def source() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    return httpx.Response(200, headers=headers, stream=_Stream(source()))


@pytest.mark.anyio
@pytest.mark.parametrize("encoding", ["", "gzip"])
async def test_a_body_is_read_up_to_its_limit(encoding: str) -> None:
    body = b"x" * 1000
    wire = gzip.compress(body) if encoding else body
    headers = {"Content-Encoding": encoding} if encoding else {}
    pieces = [wire[i : i + 7] for i in range(0, len(wire), 7)]
    assert await read_body(_response(pieces, **headers), shown="GET /x", limit=1000) == body
    with pytest.raises(ProtocolError, match=r"GET /x: the answer is larger than 999 bytes"):
        await read_body(_response(pieces, **headers), shown="GET /x", limit=999)


@pytest.mark.anyio
async def test_a_corrupt_or_unknown_compression_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="corrupt"):
        await read_body(_response([b"\x1f\x8b not gzip"], **{"Content-Encoding": "gzip"}), shown="GET /x")
    with pytest.raises(ProtocolError, match="'br'"):
        await read_body(_response([b"..."], **{"Content-Encoding": "br"}), shown="GET /x")


def _nested(levels: int) -> Any:
    value: Any = "bottom"
    for level in range(levels - 1):
        value = {"k": value} if level % 2 else [value]
    return {"kind": "x", "deep": value}


def test_yamlio_writes_and_reads_up_to_the_bound_only() -> None:
    fits = _nested(MAX_DOCUMENT_DEPTH)
    assert yamlio.load(yamlio.dump(fits)) == fits
    with pytest.raises(DepthError, match=f"deeper than {MAX_DOCUMENT_DEPTH} levels"):
        yamlio.dump(_nested(MAX_DOCUMENT_DEPTH + 1))
    text = yamlio.dump(fits).replace("bottom", "- bottom")  # one level more, in proxstate's style
    with pytest.raises(DepthError):
        yamlio.load(text)
    with pytest.raises(DepthError):
        yamlio.load("a: " + "[" * 10_000 + "]" * 10_000 + "\n")


def test_compare_refuses_documents_deeper_than_the_bound() -> None:
    old = {"kind": "x", "deep": 1}
    assert compare(cluster="c", resource_id="x/1", old=old, new=_nested(MAX_DOCUMENT_DEPTH)) is not None
    with pytest.raises(DepthError, match="x/1"):
        compare(cluster="c", resource_id="x/1", old=old, new=_nested(MAX_DOCUMENT_DEPTH + 1))


def _options_inventory(data: Any) -> Inventory:
    return Inventory(
        cluster=RawCluster(
            name="lab", version={"version": "8.4.1"}, status=[{"type": "cluster", "name": "lab"}]
        ),
        nodes=[RawNode(name="pve1", online=True, resource={"node": "pve1", "type": "node"}, status={})],
        declared=[RawDeclared(resource_id="cluster-options", entry="/cluster/options", data=data)],
        kinds=frozenset({"cluster", "cluster-options"}),
    )


@pytest.mark.parametrize("recorded_before", [True, False])
def test_a_document_too_deep_to_write_is_a_failure_of_its_resource(recorded_before: bool) -> None:
    """Answers are bounded before normalizing; should normalizing ever nest a document past the
    bound, that document is not written: it keeps its last state and is named."""
    options = NormalizeOptions()
    path = "clusters/lab/cluster-options.yaml"
    previous = plan_cluster(_options_inventory({"keyboard": "de"}), {}, options=options).files
    assert previous[path] is not None
    deep = _nested(MAX_DOCUMENT_DEPTH + 5)
    plan = plan_cluster(
        _options_inventory({"keyboard": "fr", "deep": deep}),
        {p: c for p, c in previous.items() if c is not None} if recorded_before else {},
        options=options,
    )
    assert path not in plan.files
    assert ("cluster-options" in plan.kept) == recorded_before
    failure = next(f for f in plan.failures if f.resource_id == "cluster-options")
    assert f"deeper than {MAX_DOCUMENT_DEPTH} levels" in failure.reason
    assert "clusters/lab/cluster.yaml" in plan.files or recorded_before, "the rest is planned as usual"

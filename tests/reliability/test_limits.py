"""Hangs and resource limits: a server that drips, an answer that expands without end, an answer
nested thousands of levels deep. Each is a failure of the one resource it answers for: the rest is
recorded, that resource keeps its last state and is named, the sync exits 3 in bounded time."""

from __future__ import annotations

import asyncio
import fcntl
import os
import subprocess
import sys
import time
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from proxstate import yamlio
from proxstate.limits import MAX_ANSWER_DEPTH
from tests.helpers.answers import serve_body
from tests.helpers.process import ROOT
from tests.helpers.repo import assert_consistent, committed, git

ONLY = ("--only", "cluster,node,qemu,lxc")
PENDING_101 = "/qemu/101/pending"


def _serve_stream(pve: Any, suffix: str, chunks: Callable[[], AsyncIterator[bytes]], **headers: str) -> None:
    """Requests whose path ends with `suffix` get a streamed answer, written chunk by chunk."""
    original = pve._answer

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        if not request.path.endswith(suffix):
            return await original(request, handler, generic, path_node)
        response = web.StreamResponse(headers={"Content-Type": "application/json", **headers})
        await response.prepare(request)
        try:
            async for chunk in chunks():
                await response.write(chunk)
        except (ConnectionError, RuntimeError):
            pass  # the client gave up, as it should
        return response

    pve._answer = answer


def _kept_and_named(root: Path, before: dict[str, bytes], result: Any, *, rid: str, said: str) -> None:
    assert result.code == 3, result.err
    assert "Traceback" not in result.err
    after = committed(root)
    path = f"clusters/lab/{rid}.yaml"
    assert after[path] == before[path]
    assert b"cores: 6" in after["clusters/lab/qemu/102.yaml"], "the rest is recorded"
    line = next(line for line in result.err.splitlines() if f"kept the last state of {rid}:" in line)
    assert said in line, line
    assert f"Not read: {rid}" in git(root, "log", "-1", "--format=%b")
    assert_consistent(root)


# ------------------------------------------------------------------ a server that drips


def test_a_server_that_drips_is_timed_out(
    synced: Path, cli: Any, small_cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VM 101's config comes one byte every 50 ms, each read well within --timeout: only a bound on
    the whole answer ends it (every retry drips too)."""
    before = committed(synced)
    small_cluster.vm(102).config["cores"] = 6

    async def drip() -> AsyncIterator[bytes]:
        for byte in b'{"data": [' + b" " * 100_000 + b"]}":
            yield bytes([byte])
            await asyncio.sleep(0.05)

    _serve_stream(small_cluster, PENDING_101, drip)
    monkeypatch.setenv("PROXSTATE_TIMEOUT", "0.2")
    started = time.monotonic()
    result = cli("sync", "-C", str(synced), *ONLY)
    elapsed = time.monotonic() - started
    assert elapsed < 8, elapsed  # 5 attempts of 0.2 s and their backoff, not 100,000 x 50 ms
    _kept_and_named(synced, before, result, rid="qemu/101", said="timed out")


# ------------------------------------------------------------------ an answer that expands

GIB = 1024**3


def _gzip_of_zeros(total: int) -> Callable[[], AsyncIterator[bytes]]:
    """A gzip stream that expands to `total` bytes of zeros, made as it is sent (some 1 MB)."""
    block = 1024 * 1024
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    first = compressor.compress(b"\0" * block) + compressor.flush(zlib.Z_FULL_FLUSH)
    # After a full flush the compressor starts afresh: the same input gives the same bytes.
    again = compressor.compress(b"\0" * block) + compressor.flush(zlib.Z_FULL_FLUSH)

    async def chunks() -> AsyncIterator[bytes]:
        yield first
        for _ in range(total // block - 1):
            yield again

    return chunks


# Runs the command it is given and writes that process's peak memory (ru_maxrss, KiB) last on
# stderr. The peak of a process started by pytest itself would count pytest's own memory: a child
# started with vfork counts its parent's pages until it execs.
MEASURE = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[1:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "print(f'maxrss {usage.ru_maxrss}', file=sys.stderr)\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def test_an_answer_that_expands_to_1_gib_is_refused_with_little_memory(
    synced: Path, small_cluster: Any
) -> None:
    """The sync runs in a process of its own, so that its peak memory is its own."""
    before = committed(synced)
    small_cluster.vm(102).config["cores"] = 6
    _serve_stream(small_cluster, PENDING_101, _gzip_of_zeros(GIB), **{"Content-Encoding": "gzip"})
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "proxstate", "sync", "-C", str(synced)]
    done = subprocess.run(
        [*command, *ONLY], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    err, _, measured = done.stderr.rstrip().rpartition("\n")
    peak_mib = int(measured.removeprefix("maxrss ")) / 1024
    assert peak_mib < 250, peak_mib  # 2.1 GB before the bound
    result = type("Result", (), {"code": done.returncode, "out": done.stdout, "err": err})()
    _kept_and_named(synced, before, result, rid="qemu/101", said="larger than 64 MiB")


# ------------------------------------------------------------------ answers nested deep


def _nested(levels: int) -> bytes:
    """`{"data": [[...[]...]]}`: an answer whose containers nest `levels` deep, envelope included."""
    return b'{"data": ' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"


@pytest.mark.parametrize("levels", [MAX_ANSWER_DEPTH + 1, 10_000])
def test_an_answer_nested_too_deep_is_a_failure_of_its_resource(
    synced: Path, cli: Any, small_cluster: Any, levels: int
) -> None:
    before = committed(synced)
    small_cluster.vm(102).config["cores"] = 6
    serve_body(small_cluster, PENDING_101, _nested(levels))
    result = cli("sync", "-C", str(synced), *ONLY)
    _kept_and_named(synced, before, result, rid="qemu/101", said=f"deeper than {MAX_ANSWER_DEPTH} levels")
    assert cli("show-changes", "-C", str(synced)).code == 0
    assert cli("log", "-C", str(synced), "qemu/101").code == 0


def _deep_option(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = {"x": value}
    return value


def test_the_deepest_answer_allowed_is_recorded_and_readable(
    synced: Path, cli: Any, small_cluster: Any
) -> None:
    """An answer at the bound, `{"data": {..., "deep": {"x": ...}}}`, is recorded; show-changes
    and log read it."""
    original = small_cluster._answer
    deep = _deep_option(MAX_ANSWER_DEPTH - 2)  # the envelope and `data` are the first two levels

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        response = await original(request, handler, generic, path_node)
        if request.path.endswith("/cluster/options") and request.method == "GET":
            import json

            body = json.loads(response.text)
            body["data"]["deep"] = deep
            return web.json_response(body)
        return response

    small_cluster._answer = answer
    result = cli("sync", "-C", str(synced))
    assert result.code == 0, result.err
    recorded = yamlio.load((synced / "clusters/lab/cluster-options.yaml").read_text())
    assert recorded["config"]["deep"] == deep
    shown = cli("show-changes", "-C", str(synced), "--format", "json")
    assert shown.code == 0, shown.err
    assert "cluster-options" in shown.out
    logged = cli("log", "-C", str(synced), "cluster-options")
    assert logged.code == 0, logged.err


# ------------------------------------------------------------------ the deadline of a sync


async def _slow_drip() -> AsyncIterator[bytes]:
    for byte in b'{"data": [' + b" " * 100_000 + b"]}":
        yield bytes([byte])
        await asyncio.sleep(0.05)


def test_a_sync_ends_at_its_deadline(
    synced: Path, cli: Any, small_cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """VM 101's config drips within every timeout (`--timeout 30`): only the sync's deadline ends it.
    What was read is recorded, VM 101 keeps its document and is named, the lock is free again."""
    before = committed(synced)
    small_cluster.vm(102).config["cores"] = 6
    _serve_stream(small_cluster, PENDING_101, _slow_drip)
    monkeypatch.setenv("PROXSTATE_DEADLINE", "2")
    started = time.monotonic()
    result = cli("sync", "-C", str(synced), *ONLY, "--timeout", "30")
    elapsed = time.monotonic() - started
    assert elapsed < 3.5, elapsed
    _kept_and_named(synced, before, result, rid="qemu/101", said="deadline")


def test_the_lock_is_waited_for_only_until_the_deadline(synced: Path, cli: Any) -> None:
    """Another run holds the lock: the sync gives up within its deadline of 1 s, not after the
    lock's own 60 s."""
    lock = os.open(synced / ".git" / "proxstate.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = time.monotonic()
        result = cli("sync", "-C", str(synced), "--deadline", "1")
        elapsed = time.monotonic() - started
    finally:
        os.close(lock)
    assert result.code == 1, result.err
    assert "holds the lock" in result.err
    assert elapsed < 2.5, elapsed


@pytest.mark.parametrize("value", ["inf", "nan", "0", "-5"])
def test_a_deadline_that_is_no_bound_is_refused(synced: Path, cli: Any, value: str) -> None:
    result = cli("sync", "-C", str(synced), "--deadline", value)
    assert result.code == 64, result.err
    assert "--deadline" in result.err and "finite number of seconds" in result.err


def test_a_node_cut_short_by_the_deadline_is_not_called_unreachable(
    synced: Path, cli: Any, small_cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pve2's status drips until the deadline: the node ran out of time, it did not go away. Its
    document keeps its facts without `unreachable`; what was not read is named."""
    before = committed(synced)
    _serve_stream(small_cluster, "/nodes/pve2/status", _slow_drip)
    result = cli("sync", "-C", str(synced), *ONLY, "--timeout", "30", "--deadline", "2")
    assert result.code == 3, result.err
    after = committed(synced)
    assert after["clusters/lab/nodes/pve2.yaml"] == before["clusters/lab/nodes/pve2.yaml"]
    assert b"unreachable" not in after["clusters/lab/nodes/pve2.yaml"]
    assert "unreachable" not in result.out + result.err
    assert "kept the last state of node/pve2:" in result.err and "deadline" in result.err
    assert_consistent(synced)

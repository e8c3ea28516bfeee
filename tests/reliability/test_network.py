"""A flaky network: dropped connections and requests that hang, on chosen reads. Each is retried;
the sync ends in bounded time, and whatever could not be read after every attempt keeps its last
state and is named."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.answers import break_connections
from tests.helpers.repo import assert_consistent, committed, git

# The kinds read per node and guest; the declarative configuration adds many requests of the same kind.
ONLY = ("--only", "cluster,node,qemu,lxc,storage,content,tasks")


GUESTS = ("qemu/101", "qemu/102", "qemu/9000", "lxc/200", "lxc/201")
# Every attempt of a read fails (more than the 5 attempts a request gets).
ALWAYS = 99


def _changed_everywhere(pve: Any) -> None:
    for vm in pve.vms:
        vm.config["cores"] = 7
    for ct in pve.cts:
        ct.config["cores"] = 3


def _updated(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """The resource ids whose files the sync changed (it adds and removes none here)."""
    assert set(after) == set(before)
    return sorted(
        p.removeprefix("clusters/lab/").removesuffix(".yaml") for p in after if after[p] != before[p]
    )


@pytest.mark.parametrize("drops", [1, 2])
def test_dropped_connections(synced: Path, cli: Any, small_cluster: Any, drops: int) -> None:
    """Every read's connection is dropped `drops` times: each is sent again until it is answered,
    and the sync records everything, exit 0, within seconds."""
    before = committed(synced)
    _changed_everywhere(small_cluster)
    seen = break_connections(small_cluster, {"*": drops})
    started = time.monotonic()
    result = cli("sync", "-C", str(synced), *ONLY)
    assert (result.code, result.err) == (0, "")
    assert time.monotonic() - started < 15
    assert "/cluster/resources" in seen and set(seen.values()) == {drops + 1}, seen
    assert _updated(before, committed(synced)) == sorted(GUESTS)
    assert_consistent(synced)


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/nodes/pve1/qemu/101/pending", ["qemu/101"]),
        ("/nodes/pve2/lxc/201/config", ["lxc/201"]),
        # Without the storage definitions neither a storage nor any content can be told.
        ("/storage", ["storage/*", "content/*"]),
    ],
)
def test_a_read_dropped_on_every_attempt_keeps_its_last_state(
    synced: Path, cli: Any, small_cluster: Any, path: str, kept: list[str]
) -> None:
    before = committed(synced)
    _changed_everywhere(small_cluster)
    seen = break_connections(small_cluster, {path: ALWAYS})
    result = cli("sync", "-C", str(synced), *ONLY)
    assert result.code == 3, result.err
    assert seen[path] == 5, "five attempts, then the read is given up"
    reason = "Server disconnected without sending a response. (after 5 attempts)"
    assert result.err.splitlines() == [
        f"proxstate: warning: kept the last state of {rid}: GET {path}: cannot talk to "
        f"{small_cluster.url.removeprefix('https://')}: {reason}"
        for rid in kept
    ]
    assert _updated(before, committed(synced)) == sorted(set(GUESTS) - set(kept))
    body = git(synced, "log", "-1", "--format=%b")
    assert all(f"Not read: {rid} (GET {path}" in body or f"{rid} (GET {path}" in body for rid in kept), body
    assert_consistent(synced)


def test_a_cluster_wide_read_dropped_on_every_attempt_records_nothing(
    synced: Path, cli: Any, small_cluster: Any
) -> None:
    """Without the list of resources nothing can be told apart from a deletion: exit 1, no commit."""
    head = git(synced, "rev-parse", "HEAD")
    _changed_everywhere(small_cluster)
    seen = break_connections(small_cluster, {"/cluster/resources": ALWAYS})
    result = cli("sync", "-C", str(synced), *ONLY)
    assert result.code == 1
    address = small_cluster.url.removeprefix("https://")
    assert result.err == (
        f"proxstate: error: GET /cluster/resources: cannot talk to {address}: "
        "Server disconnected without sending a response. (after 5 attempts)\n"
    )
    assert seen["/cluster/resources"] == 5
    assert git(synced, "rev-parse", "HEAD") == head
    assert_consistent(synced)


def test_hung_requests_end_in_bounded_time(
    synced: Path, cli: Any, small_cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every read hangs for 1 s on its first attempt; with a 0.3 s timeout each is given up and sent
    again, and the sync records everything, exit 0, in a few seconds (not one per read)."""
    before = committed(synced)
    _changed_everywhere(small_cluster)
    seen = break_connections(small_cluster, {"*": 1}, hang=1.0)
    monkeypatch.setenv("PROXSTATE_TIMEOUT", "0.3")
    started = time.monotonic()
    result = cli("sync", "-C", str(synced), *ONLY)
    elapsed = time.monotonic() - started
    # The wait is said, once for all the reads that waited alike (tests/cli/test_output_waits.py).
    address = small_cluster.url.split("//")[1].rstrip("/")
    said = f"proxstate: waiting for {address} to answer, attempt 2 of 5 (attempt 1 got no answer in time)\n"
    assert (result.code, result.err) == (0, said)
    assert elapsed < 15, elapsed
    assert "/cluster/resources" in seen and set(seen.values()) == {2}, seen
    assert _updated(before, committed(synced)) == sorted(GUESTS)
    assert_consistent(synced)


def test_one_guest_that_always_hangs_keeps_its_last_state(
    synced: Path, cli: Any, small_cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only VM 101's reads hang; every retry hangs too. The rest is recorded and 101 is named."""
    before = committed(synced)
    _changed_everywhere(small_cluster)
    small_cluster.time_scale = 1.0
    hang = small_cluster._answer

    async def hanging(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        if request.path.endswith("/qemu/101/pending"):
            import asyncio

            await asyncio.sleep(1)
        return await hang(request, handler, generic, path_node)

    small_cluster._answer = hanging
    monkeypatch.setenv("PROXSTATE_TIMEOUT", "0.2")
    started = time.monotonic()
    result = cli("sync", "-C", str(synced), *ONLY)
    assert time.monotonic() - started < 15
    assert result.code == 3, result.err
    after = committed(synced)
    assert after["clusters/lab/qemu/101.yaml"] == before["clusters/lab/qemu/101.yaml"]
    assert b"cores: 7" in after["clusters/lab/qemu/102.yaml"]
    assert "qemu/101" in result.err and "timed out" in result.err
    assert "qemu/101" in git(synced, "log", "-1", "--format=%b")
    assert_consistent(synced)

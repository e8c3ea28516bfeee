"""Fixtures of the fault matrix: the end-to-end fixtures of tests/cli, and helpers to check a repository.

Every test runs against fakepve on a loopback address or a git remote in tmp_path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cli.conftest import *  # noqa: F403 - small_cluster, pve_env, cli, state_repo, ...
from cli.conftest import TOKEN_ID, TOKEN_SECRET, Result, git

from proxstate.demo.members import answer_members_as_pve
from proxstate.demo.realms import answer_realms_as_pve

ROOT = Path(__file__).resolve().parents[2]
Rewrite = Callable[[Any], Any]


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system git configuration, a home outside tmp_path, no proxy or debug variables."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    for name in ("PROXSTATE_DEBUG", "PROXSTATE_TIMEOUT", "PROXSTATE_CONCURRENCY", "PROXSTATE_REPO", "CI"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def synced(state_repo: Path, pve_env: dict[str, str], cli: Callable[..., Result]) -> Path:
    """The state repository after a first, complete sync of the small cluster."""
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.err
    return state_repo


def recorded(root: Path) -> dict[str, bytes]:
    """Every file under clusters/ in the work tree, by path relative to the repository."""
    base = root / "clusters"
    if not base.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def committed(root: Path, rev: str = "HEAD") -> dict[str, bytes]:
    """Every file under clusters/ at `rev`."""
    names = git(root, "ls-tree", "-r", "-z", "--name-only", rev, "--", "clusters").split("\0")
    out = {}
    for name in filter(None, names):
        out[name] = subprocess.run(
            ["git", "-C", str(root), "cat-file", "blob", f"{rev}:{name}"], check=True, capture_output=True
        ).stdout
    return out


def assert_consistent(root: Path) -> None:
    """HEAD is a valid commit, the work tree and index equal it, the history is linear and sound."""
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert recorded(root) == committed(root)
    assert git(root, "rev-list", "--merges", "HEAD") == ""
    subprocess.run(
        ["git", "-C", str(root), "fsck", "--no-dangling", "--no-progress"], check=True, capture_output=True
    )


def assert_one_line_error(result: Result) -> None:
    assert result.code == 1, (result.out, result.err)
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("proxstate: error: ")]
    assert len(errors) == 1, result.err


def proxstate_process(*args: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.Popen[str]:
    """`python -m proxstate ARGS` in a child process (with this test's environment)."""
    return subprocess.Popen(
        [sys.executable, "-m", "proxstate", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def run_proxstate(*args: str, timeout: float = 30, **kwargs: Any) -> Result:
    process = proxstate_process(*args, **kwargs)
    out, err = process.communicate(timeout=timeout)
    return Result(code=process.returncode, out=out, err=err)


def wait_for(predicate: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


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


@pytest.fixture
def second_pve(_fakepve_pki: Any) -> Iterator[Any]:
    """Another started FakePve on a loopback address, independent of the `fakepve` fixture."""
    from fakepve import FakePve
    from fakepve.pytest_plugin import _Serving

    serving = _Serving(FakePve(host="127.0.0.1", port=0), *_fakepve_pki)
    answer_realms_as_pve(serving.pve)
    answer_members_as_pve(serving.pve)
    try:
        yield serving.pve
    finally:
        serving.stop()


__all__ = [
    "TOKEN_ID",
    "TOKEN_SECRET",
    "Rewrite",
    "assert_consistent",
    "assert_one_line_error",
    "committed",
    "proxstate_process",
    "recorded",
    "rewrite_data",
    "run_proxstate",
    "serve_body",
    "wait_for",
]

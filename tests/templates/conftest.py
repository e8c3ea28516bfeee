"""A state repository as a CI job finds it: `proxstate init` in a bare origin, its clone, a fake cluster."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from proxstate.app.init import init_repository
from proxstate.store import Identity
from tests.helpers.actions import JobRun, run_job, runner_env
from tests.helpers.checkout import GH_STUB, TOKEN_ID, TOKEN_SECRET, Checkout, Gh, git


@pytest.fixture
def cluster(fakepve: Any) -> Any:
    fakepve.add_vm(101, "web01", node="pve1", status="running", config={"memory": 2048})
    fakepve.apitokens[TOKEN_ID] = TOKEN_SECRET
    return fakepve


@pytest.fixture
def checkout(tmp_path: Path, cluster: Any, fakepve_cafile: str) -> Checkout:
    """`proxstate init` pushed to a bare origin, and a clone of it with the default branch checked out."""
    home = tmp_path / "home"
    home.mkdir()
    env = runner_env(home, extra={"PROXSTATE_CA_CERT": fakepve_cafile})
    seed = tmp_path / "seed"
    init_repository(seed, author=Identity(name="Tester", email="tester@example.com"))
    origin = tmp_path / "origin.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(origin), env=env)
    git("-C", str(seed), "push", "--quiet", str(origin), "main", env=env)
    work = tmp_path / "work"
    git("clone", "--quiet", str(origin), str(work), env=env)
    return Checkout(origin=origin, work=work, env=env, temp=tmp_path / "runner-temp", pve=cluster)


@pytest.fixture
def gh(tmp_path: Path, checkout: Checkout) -> Gh:
    """Puts a `gh` stand-in first on the PATH of the checkout's runs."""
    folder = tmp_path / "gh-bin"
    folder.mkdir()
    script = folder / "gh"
    script.write_text(f"#!{sys.executable}\n{GH_STUB}")
    script.chmod(0o755)
    checkout.env["PATH"] = f"{folder}:{checkout.env['PATH']}"
    stub = Gh(folder)
    stub.answer([])
    return stub


@pytest.fixture
def run(checkout: Checkout) -> Callable[..., JobRun]:
    """Run the shell steps of a workflow of the template in the checkout."""

    def invoke(data: dict[str, Any], contexts: dict[str, Any], *, with_gh: bool = False) -> JobRun:
        return run_job(
            data,
            contexts=contexts,
            cwd=checkout.work,
            env=checkout.env,
            runner_temp=checkout.temp,
            with_gh=with_gh,
        )

    return invoke

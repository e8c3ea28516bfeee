"""Fixtures of the secret tests: the end-to-end fixtures of tests/cli and tests/reliability (a small
fake cluster over HTTPS, the CLI in-process, git repositories in tmp_path, answers rewritten as PVE
gives them)."""

from __future__ import annotations

from cli.conftest import *  # noqa: F403 - small_cluster, pve_env, cli, state_repo, ...
from cli.conftest import TOKEN_ID, TOKEN_SECRET, Result, git
from reliability.conftest import isolated_git, rewrite_data

__all__ = ["TOKEN_ID", "TOKEN_SECRET", "Result", "git", "isolated_git", "rewrite_data"]

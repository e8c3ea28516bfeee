"""A state repository prepared by someone who can push to it: links committed into the recorded tree,
hooks that read the environment, odd branch names, git operations in progress. proxstate refuses
clearly (naming the path) and writes nothing anywhere, least of all through a link."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import TOKEN_SECRET, assert_one_line_error
from tests.helpers.repo import assert_consistent, assert_untouched, commit_link, committed, git


@pytest.mark.parametrize(
    ("name", "target", "named"),
    [
        ("clusters/lab/qemu", "", "clusters/lab/qemu is a symbolic link"),
        ("clusters/lab/qemu/101.yaml", "victim", "clusters/lab/qemu/101.yaml: it is a symbolic link"),
        ("clusters/lab/qemu/.101.yaml.proxstate-tmp", "victim", "in the way of this temporary file"),
    ],
    ids=["folder", "document", "temporary-file"],
)
def test_sync_never_writes_through_a_committed_link(
    synced: Path, cli: Any, small_cluster: Any, outside: Path, name: str, target: str, named: str
) -> None:
    commit_link(synced, name, outside / target if target else outside)
    head = git(synced, "rev-parse", "HEAD")
    small_cluster.vm(101).config["description"] = "#!/bin/sh\necho owned > /tmp/owned\n"
    result = cli("sync", "-C", str(synced))
    assert_one_line_error(result)
    assert named in result.err and "refusing" in result.err, result.err
    assert git(synced, "rev-parse", "HEAD") == head
    assert git(synced, "status", "--porcelain", "--untracked-files=all") == ""
    assert_untouched(outside)


def test_init_force_never_writes_through_a_link(state_repo: Path, cli: Any, outside: Path) -> None:
    (state_repo / "README.md").write_text("our own notes\n")
    git(state_repo, "commit", "-qam", "our readme")
    commit_link(state_repo, ".github", outside)
    commit_link(state_repo, "proxstate.yaml", outside / "victim")
    result = cli("init", "--force", str(state_repo))
    assert_one_line_error(result)
    assert "refusing to write" in result.err and "symbolic link" in result.err
    assert_untouched(outside)
    assert (state_repo / "README.md").read_text() == "our own notes\n"  # nothing was written
    assert git(state_repo, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_link_pulled_during_push_is_replayed_as_a_link(
    synced: Path, cli: Any, small_cluster: Any, outside: Path, tmp_path: Path
) -> None:
    """Someone pushed a commit that turns clusters/lab/lxc into a link and adds an executable file;
    the sync that pushes next replays its own commit on top: the link is created, never followed,
    the index agrees with HEAD; the sync after that refuses to write through the link."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(synced, "remote", "add", "origin", str(remote))
    git(synced, "push", "-q", "origin", "main")
    attacker = tmp_path / "attacker"
    git(tmp_path, "clone", "-q", str(remote), str(attacker))
    git(attacker, "config", "user.name", "Mallory")
    git(attacker, "config", "user.email", "m@example.org")
    tool = attacker / "clusters/lab/run.sh"
    tool.write_text("#!/bin/sh\necho hi\n")
    tool.chmod(0o755)
    git(attacker, "add", "clusters/lab/run.sh")
    commit_link(attacker, "clusters/lab/lxc", outside)
    git(attacker, "push", "-q", "origin", "main")

    small_cluster.vm(101).config["cores"] = 6
    result = cli("sync", "-C", str(synced), "--push")
    assert result.code == 0, result.err
    assert git(remote, "rev-parse", "main") == git(synced, "rev-parse", "HEAD")
    assert git(synced, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(synced, "diff", "--cached", "--name-only", "HEAD") == ""
    assert (synced / "clusters/lab/lxc").is_symlink()
    assert os.readlink(synced / "clusters/lab/lxc") == str(outside)
    assert os.access(synced / "clusters/lab/run.sh", os.X_OK)
    assert_untouched(outside)

    small_cluster.ct(200).config["memory"] = 1024
    refused = cli("sync", "-C", str(synced), "--push")
    assert_one_line_error(refused)
    assert "clusters/lab/lxc is a symbolic link" in refused.err
    assert_untouched(outside)


@pytest.mark.parametrize("variable", ["PROXSTATE_TOKEN", "LAB_TOKEN"])
def test_hooks_run_by_push_see_no_secret(
    synced: Path, cli: Any, small_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    """The token in PROXSTATE_TOKEN, or in a variable proxstate.yaml names (`token_env`)."""
    if variable != "PROXSTATE_TOKEN":
        monkeypatch.setenv(variable, os.environ.pop("PROXSTATE_TOKEN"))
        (synced / "proxstate.yaml").write_text(
            f"version: 2\nclusters:\n  - name: lab\n    auth:\n      token_env: {variable}\n"
        )
        git(synced, "commit", "-qam", "the token is in another variable")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(synced, "remote", "add", "origin", str(remote))
    seen = tmp_path / "seen"
    for hook in ("pre-push", "reference-transaction"):
        path = synced / ".git" / "hooks" / hook
        path.write_text(f"#!/bin/sh\nenv >> '{seen}'\ncat > /dev/null\n")
        path.chmod(0o755)
    monkeypatch.setenv("PROXSTATE_MASK_KEY", "mask-key-never-shown")
    small_cluster.vm(101).config["cores"] = 6
    result = cli("sync", "-C", str(synced), "--push")
    assert result.code == 0, result.err
    env = seen.read_text()
    assert "PATH=" in env  # the hooks ran
    names = {line.split("=", 1)[0] for line in env.splitlines() if "=" in line}
    assert not [name for name in names if name.startswith("PROXSTATE_") or name == variable]
    for secret in (TOKEN_SECRET, "mask-key-never-shown"):
        assert secret not in env


@pytest.mark.parametrize("name", ["HEAD", "@", "-x", "refs/heads/x", "a..b", "x.lock", "@{-1}"])
def test_a_branch_name_git_would_not_take_is_a_usage_error(synced: Path, cli: Any, name: str) -> None:
    result = cli("sync", "-C", str(synced), f"--branch={name}")
    assert result.code == 64, result.err
    assert "not a valid branch name" in result.err and "Traceback" not in result.err
    assert git(synced, "for-each-ref", "--format=%(refname)", "refs/heads") == "refs/heads/main\n"


def test_no_commit_on_a_branch_being_rebased(synced: Path, cli: Any, small_cluster: Any) -> None:
    """A commit proxstate put on main now would be dropped by `git rebase --abort`."""
    main = git(synced, "rev-parse", "main")
    (synced / "notes.txt").write_text("one\n")
    git(synced, "add", "notes.txt")
    git(synced, "commit", "-qm", "notes")
    git(synced, "branch", "side", "HEAD~1")
    git(synced, "checkout", "-q", "side")
    (synced / "notes.txt").write_text("two\n")
    git(synced, "add", "notes.txt")
    git(synced, "commit", "-qm", "other notes")
    git(synced, "checkout", "-q", "main")
    with pytest.raises(subprocess.CalledProcessError):  # the rebase stops on the conflict
        git(synced, "rebase", "side")
    small_cluster.vm(101).config["cores"] = 6
    result = cli("sync", "-C", str(synced), "--branch", "main")
    assert_one_line_error(result)
    assert "branch main is being rebased" in result.err
    git(synced, "rebase", "--abort")
    assert git(synced, "rev-parse", "main~1") == main


def test_a_stale_index_lock_refuses_before_committing_and_pushing(
    synced: Path, cli: Any, small_cluster: Any, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(synced, "remote", "add", "origin", str(remote))
    git(synced, "push", "-q", "origin", "main")
    head = git(synced, "rev-parse", "HEAD")
    before = committed(synced)
    (synced / ".git" / "index.lock").write_bytes(b"")
    small_cluster.vm(101).config["cores"] = 6
    result = cli("sync", "-C", str(synced), "--push")
    assert_one_line_error(result)
    assert "index.lock exists" in result.err and "Nothing was recorded" in result.err
    assert git(synced, "rev-parse", "HEAD") == head == git(remote, "rev-parse", "main")
    assert committed(synced) == before
    (synced / ".git" / "index.lock").unlink()
    assert_consistent(synced)
    again = cli("sync", "-C", str(synced), "--push")
    assert again.code == 0, again.err
    assert git(remote, "rev-parse", "main") == git(synced, "rev-parse", "HEAD") != head


def test_a_remote_that_never_answers_does_not_hold_the_lock_past_the_deadline(
    synced: Path, cli: Any, small_cluster: Any, tmp_path: Path
) -> None:
    """git push has no timeout of its own: a remote whose receive-pack hangs is cut at the deadline."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexec sleep 15\n")
    hook.chmod(0o755)
    git(synced, "remote", "add", "origin", str(remote))
    small_cluster.vm(101).config["cores"] = 6
    started = time.monotonic()
    result = cli("sync", "-C", str(synced), "--push", "--deadline", "4")
    took = time.monotonic() - started
    assert result.code == 3, result.err  # committed, not pushed: partial
    assert "did not finish" in result.err and "deadline" in result.err, result.err
    assert "Traceback" not in result.err
    assert took < 8, took
    # The snapshot was committed before the push; the lock is free for the next run at once.
    assert "cores: 6" in git(synced, "show", "HEAD:clusters/lab/qemu/101.yaml")
    again = cli("sync", "-C", str(synced))
    assert again.code == 0, again.err

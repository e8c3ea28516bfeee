"""Reading history: resolve, changed paths, commits, file history."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta

import pytest

from proxstate.errors import RevisionError
from proxstate.store import PathChange, StateRepo
from proxstate.store.revisions import parse_date
from tests.helpers.repo import Git, git_calls

VM = "clusters/lab/qemu/101.yaml"
CT = "clusters/lab/lxc/200.yaml"


def _commit_at(
    repo: StateRepo, monkeypatch: pytest.MonkeyPatch, when: str, files: dict[str, bytes | None]
) -> str:
    monkeypatch.setenv("GIT_AUTHOR_DATE", when)
    monkeypatch.setenv("GIT_COMMITTER_DATE", when)
    sha = StateRepo.open(repo.root).commit_files(files, message=f"sync at {when}", author=None)
    assert sha is not None
    return sha


@pytest.fixture
def dated(repo: StateRepo, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Three commits: 2026-10-30 10:00, 2026-11-01 09:30, 2026-11-02 18:00 (UTC)."""
    return [
        _commit_at(repo, monkeypatch, "2026-10-30T10:00:00+00:00", {VM: b"memory: 1024\n", CT: b"ct\n"}),
        _commit_at(repo, monkeypatch, "2026-11-01T09:30:00+00:00", {VM: b"memory: 2048\n"}),
        _commit_at(
            repo, monkeypatch, "2026-11-02T18:00:00+00:00", {VM: None, "clusters/lab/cluster.yaml": b"c\n"}
        ),
    ]


def test_resolve_revisions(repo: StateRepo, dated: list[str], git: Git) -> None:
    first, second, third = dated
    git(repo.root, "tag", "v1", first)
    git(repo.root, "branch", "old", second)
    assert repo.resolve(third) == third
    assert repo.resolve(third[:10]) == third
    assert repo.resolve("HEAD") == third
    assert repo.resolve("HEAD~2") == first
    assert repo.resolve("v1") == first
    assert repo.resolve("old") == second
    assert repo.resolve("main") == third


def test_resolve_dates(repo: StateRepo, dated: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    first, second, third = dated
    assert repo.resolve("2026-11-01") == first  # the start of that day
    assert repo.resolve("2026-11-01 12:00") == second
    assert repo.resolve("2026-11-01T09:30:00+00:00") == second  # at or before
    assert repo.resolve("2026-11-01T10:30:00+01:00") == second
    assert repo.resolve("2026-11-03") == third
    assert repo.resolve("yesterday") == third
    with pytest.raises(RevisionError, match="no commit at or before 2026-10-01"):
        repo.resolve("2026-10-01")


@pytest.mark.parametrize("rev", ["no-such-branch", "HEAD~9", "2026-13-45", "-p", "", "deadbeef"])
def test_resolve_refuses_what_names_nothing(repo: StateRepo, dated: list[str], rev: str) -> None:
    with pytest.raises(RevisionError):
        repo.resolve(rev)


def test_resolve_in_an_empty_repository(repo: StateRepo) -> None:
    with pytest.raises(RevisionError, match="'HEAD' names no commit: the repository has no commits yet"):
        repo.resolve("HEAD")
    with pytest.raises(RevisionError, match="no commits yet"):
        repo.resolve("yesterday")


def test_parse_date() -> None:
    now = datetime(2026, 11, 25, 15, 30).astimezone()
    assert parse_date("now", now=now) == now
    assert parse_date("today", now=now) == datetime(2026, 11, 25).astimezone()
    assert parse_date("yesterday", now=now) == datetime(2026, 11, 24).astimezone()
    assert parse_date("3 days ago", now=now) == now - timedelta(days=3)
    assert parse_date("2 hours ago", now=now) == now - timedelta(hours=2)
    assert parse_date("2026-11-01 12:00") == datetime(2026, 11, 1, 12).astimezone()
    assert parse_date("2026-11-01T12:00:00Z") == datetime.fromisoformat("2026-11-01T12:00:00+00:00")
    for text in ("20261101", "tomorrow", "soon", "2026-11-1", "1 fortnight ago"):
        assert parse_date(text, now=now) is None


def test_changed_paths(repo: StateRepo, dated: list[str]) -> None:
    first, second, third = dated
    assert repo.changed_paths(first, second) == [PathChange(VM, "M", b"memory: 1024\n", b"memory: 2048\n")]
    assert repo.changed_paths(second, third) == [
        PathChange("clusters/lab/cluster.yaml", "A", None, b"c\n"),
        PathChange(VM, "D", b"memory: 2048\n", None),
    ]
    assert repo.changed_paths(None, first) == [
        PathChange(CT, "A", None, b"ct\n"),
        PathChange(VM, "A", None, b"memory: 1024\n"),
    ]
    assert repo.changed_paths(first, third, prefix="clusters/lab/qemu/") == [
        PathChange(VM, "D", b"memory: 1024\n", None)
    ]
    assert repo.changed_paths(None, first, prefix="clusters/other/") == []
    assert repo.changed_paths(third, third) == []


def test_commits(repo: StateRepo, dated: list[str], git: Git) -> None:
    first, second, third = dated
    infos = repo.commits()
    assert [info.sha for info in infos] == [third, second, first]
    latest = infos[0]
    assert latest.short == third[:7]
    assert latest.parents == (second,)
    assert infos[-1].parents == ()
    assert (latest.author_name, latest.author_email) == ("Tester", "tester@example.com")
    assert latest.authored == "2026-11-02T18:00:00+00:00"
    assert latest.committed == "2026-11-02T18:00:00+00:00"
    assert latest.subject == "sync at 2026-11-02T18:00:00+00:00"
    assert latest.body == ""
    assert [i.sha for i in repo.commits(rev_range=f"{first}..{third}")] == [third, second]
    assert [i.sha for i in repo.commits(paths=[CT])] == [first]
    assert [i.sha for i in repo.commits(max_count=1)] == [third]
    assert [i.sha for i in repo.commits(since="2026-10-31", until="2026-11-02")] == [second]
    with pytest.raises(RevisionError, match="not a date"):
        repo.commits(since="whenever")
    with pytest.raises(RevisionError):
        repo.commits(rev_range="nothing..here")


def test_commit_message_body_and_trailers(repo: StateRepo) -> None:
    message = (
        "sync lab: 2 changed\n\nqemu/101: memory 2048 -> 4096\nlxc/200: started\n\n"
        "Proxstate-Cluster: lab\nProxstate-Changes: 2\nProxstate-Cluster: lab2\n"
    )
    repo.commit_files({VM: b"x"}, message=message, author=None)
    info = repo.commits()[0]
    assert info.subject == "sync lab: 2 changed"
    assert info.body.startswith("qemu/101: memory 2048 -> 4096\nlxc/200: started")
    assert info.trailers == {"Proxstate-Cluster": "lab, lab2", "Proxstate-Changes": "2"}


def test_empty_repository_has_no_commits(repo: StateRepo) -> None:
    assert repo.commits() == []
    assert repo.file_history(VM) == []


def test_file_history(repo: StateRepo, dated: list[str]) -> None:
    first, second, third = dated
    history = repo.file_history(VM)
    assert [(info.sha, content) for info, content in history] == [
        (third, None),
        (second, b"memory: 2048\n"),
        (first, b"memory: 1024\n"),
    ]
    assert [info.sha for info, _ in repo.file_history(VM, max_count=2)] == [third, second]


def test_file_history_reads_a_merge_that_changed_the_file(repo: StateRepo, git: Git) -> None:
    """A merge whose result differs from both sides is a version of its own: `--raw` names no blob
    for it, so it is read by commit and path; a link is read as the blob git stores for it."""
    repo.commit_files({VM: b"memory: 1024\n"}, message="first", author=None)
    git(repo.root, "checkout", "-q", "-b", "side")
    repo.commit_files({VM: b"memory: 2048\n"}, message="side", author=None)
    git(repo.root, "checkout", "-q", "main")
    repo.commit_files({VM: b"memory: 4096\n"}, message="main", author=None)
    git(repo.root, "merge", "-q", "--no-commit", "-s", "ours", "side")
    (repo.root / VM).write_bytes(b"memory: 8192\n")
    git(repo.root, "add", VM)
    git(repo.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "merged")
    (repo.root / VM).unlink()
    (repo.root / VM).symlink_to("elsewhere.yaml")
    git(repo.root, "add", VM)
    git(repo.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "link")
    history = repo.file_history(VM)
    assert [(info.subject, content) for info, content in history] == [
        ("link", b"elsewhere.yaml"),
        ("merged", b"memory: 8192\n"),
        ("main", b"memory: 4096\n"),
        ("side", b"memory: 2048\n"),
        ("first", b"memory: 1024\n"),
    ]
    assert all(len(info.short) < len(info.sha) for info, _ in history)


def _fast_import(repo: StateRepo, count: int) -> None:
    """`count` commits on main, each a new generation of VM (fast-import chains them on the branch)."""
    stream = []
    for number in range(count):
        content = f"generation: {number}\n".encode()
        stream.append(
            b"commit refs/heads/main\ncommitter T <t@example.org> %d +0000\n" % (1_800_000_000 + number)
        )
        stream.append(b"data %d\n%d\n" % (len(str(number)) + 1, number))
        stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (VM.encode(), len(content), content))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo.root, input=b"".join(stream), check=True)


def test_file_history_of_200_commits_uses_two_git_commands(
    repo: StateRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fast_import(repo, 200)
    with git_calls(monkeypatch) as calls:
        history = repo.file_history(VM)
    assert len(history) == 200
    assert history[0][1] == b"generation: 199\n"
    assert history[-1][1] == b"generation: 0\n"
    assert [call[1] for call in calls] == ["rev-parse", "log", "cat-file"]


def test_read_files_reads_the_paths_named_and_no_link(repo: StateRepo, git: Git) -> None:
    day = "clusters/lab/tasks/pve1/2026-11-30.yaml"
    repo.commit_files({day: b"tasks: {}\n", CT: b"ct\n"}, message="first", author=None)
    (repo.root / "clusters/lab/tasks/pve2").mkdir()
    (repo.root / "clusters/lab/tasks/pve2/2026-11-30.yaml").symlink_to("../pve1/2026-11-30.yaml")
    git(repo.root, "add", "clusters")
    git(repo.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "link")
    names = [day, "clusters/lab/tasks/pve2/2026-11-30.yaml", "clusters/lab/tasks/pve1/2026-11-29.yaml"]
    assert repo.read_files("HEAD", names) == {day: b"tasks: {}\n"}
    assert repo.read_files("HEAD", []) == {}

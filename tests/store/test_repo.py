"""StateRepo: opening, reading trees and blobs, dirty paths, committing file changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxstate.errors import DirtyTree, RevisionError, StoreError, UsageError
from proxstate.store import Identity, StateRepo
from tests.helpers.repo import Git, git_calls

NODE = "clusters/lab/nodes/pve1.yaml"
VM = "clusters/lab/qemu/101.yaml"


def test_open_and_init(tmp_path: Path, git: Git) -> None:
    with pytest.raises(StoreError, match=r"not a git repository: .*run `proxstate init`"):
        StateRepo.open(tmp_path)
    with pytest.raises(StoreError, match="not a git repository"):
        StateRepo.open(tmp_path / "missing")
    created = StateRepo.init(tmp_path / "new")
    assert created.root == (tmp_path / "new").resolve()
    assert created.current_branch() == "main"
    assert created.head() is None
    assert StateRepo.open(tmp_path / "new").root == created.root
    (tmp_path / "new" / "sub").mkdir()
    with pytest.raises(StoreError, match="not a git repository"):
        StateRepo.open(tmp_path / "new" / "sub")  # the root is the folder given, never a parent
    git(tmp_path, "init", "-q", "--bare", "bare.git")
    with pytest.raises(StoreError, match="bare"):
        StateRepo.open(tmp_path / "bare.git")


def test_first_commit_writes_tree_and_worktree(repo: StateRepo, git: Git) -> None:
    sha = repo.commit_files({NODE: b"name: pve1\n", VM: b"vmid: 101\n"}, message="first sync", author=None)
    assert sha is not None
    assert repo.head() == sha
    assert git(repo.root, "rev-list", "--count", "HEAD") == "1"
    assert (repo.root / VM).read_bytes() == b"vmid: 101\n"
    assert git(repo.root, "status", "--porcelain", "--untracked-files=all") == ""
    assert (
        git(repo.root, "log", "-1", "--format=%an <%ae>|%cn|%B")
        == "Tester <tester@example.com>|Tester|first sync"
    )


def test_unchanged_tree_makes_no_commit(repo: StateRepo) -> None:
    first = repo.commit_files({NODE: b"a\n"}, message="one", author=None)
    assert repo.commit_files({NODE: b"a\n"}, message="two", author=None) is None
    assert repo.commit_files({VM: None}, message="three", author=None) is None
    assert repo.head() == first
    # The files staged while git built the (unneeded) commit are gone again.
    assert not list(repo.root.rglob("*.proxstate-tmp"))
    assert not list(repo.git_dir.glob("proxstate-*"))
    fresh = StateRepo.init(repo.root.parent / "fresh")
    assert fresh.commit_files({}, message="nothing", author=None) is None
    assert fresh.head() is None


def test_modify_and_delete(repo: StateRepo, git: Git) -> None:
    repo.commit_files(
        {NODE: b"a\n", VM: b"v\n", "clusters/lab/content/pve1/local.yaml": b"c\n"}, message="1", author=None
    )
    repo.commit_files(
        {NODE: b"b\n", VM: None, "clusters/lab/content/pve1/local.yaml": None}, message="2", author=None
    )
    assert (repo.root / NODE).read_bytes() == b"b\n"
    assert not (repo.root / VM).exists()
    assert not (repo.root / "clusters/lab/content").exists()  # emptied folders go too
    assert git(repo.root, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(repo.root, "ls-files") == NODE


def test_identity(repo: StateRepo, git: Git, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit_files({NODE: b"1"}, message="m", author=Identity(name="Ops Bot", email="ops@example.org"))
    assert git(repo.root, "log", "-1", "--format=%an <%ae> %cn <%ce>") == (
        "Ops Bot <ops@example.org> Ops Bot <ops@example.org>"
    )
    for variable in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(variable)
    repo = StateRepo.open(repo.root)
    repo.commit_files({NODE: b"2"}, message="m", author=None)
    assert git(repo.root, "log", "-1", "--format=%an <%ae>") == "proxstate <proxstate@localhost>"
    git(repo.root, "config", "user.name", "Configured")
    git(repo.root, "config", "user.email", "configured@example.org")
    repo.commit_files({NODE: b"3"}, message="m", author=None)
    assert git(repo.root, "log", "-1", "--format=%an <%ae>") == "Configured <configured@example.org>"
    with pytest.raises(StoreError, match="identity"):
        repo.commit_files({NODE: b"4"}, message="m", author=Identity(name="a>b", email="x"))


def test_commit_on_another_branch_leaves_worktree(repo: StateRepo, git: Git) -> None:
    main = repo.commit_files({NODE: b"main\n"}, message="m", author=None)
    sha = repo.commit_files({VM: b"v\n"}, message="on snapshots", author=None, branch="snapshots")
    assert sha is not None
    assert repo.head("refs/heads/snapshots") == sha
    assert repo.head() == main
    assert git(repo.root, "rev-parse", f"{sha}^") == main  # a new branch starts at HEAD
    assert not (repo.root / VM).exists()
    again = repo.commit_files({VM: b"w\n"}, message="again", author=None, branch="snapshots")
    assert git(repo.root, "rev-parse", f"{again}^") == sha  # then continues from its tip
    other = repo.commit_files({VM: b"x\n"}, message="x", author=None, branch="other", base=sha)
    assert git(repo.root, "rev-parse", f"{other}^") == sha
    with pytest.raises(UsageError, match="branch name"):
        repo.commit_files({VM: b"x\n"}, message="x", author=None, branch="bad..name")


def test_branch_in_unborn_repository_gets_a_root_commit(repo: StateRepo, git: Git) -> None:
    sha = repo.commit_files({NODE: b"a"}, message="m", author=None, branch="record")
    assert git(repo.root, "rev-list", "--parents", "-1", sha) == sha
    assert repo.head() is None
    assert repo.current_branch() == "main"


def test_dirty_tree_is_refused(repo: StateRepo) -> None:
    repo.commit_files({NODE: b"a\n", VM: b"v\n"}, message="m", author=None)
    (repo.root / NODE).write_bytes(b"edited\n")
    with pytest.raises(DirtyTree, match=r"pve1\.yaml"):
        repo.commit_files({NODE: b"b\n"}, message="m", author=None)
    assert (repo.root / NODE).read_bytes() == b"edited\n"
    repo.commit_files({VM: b"w\n"}, message="other file", author=None)  # edits elsewhere do not block
    (repo.root / "clusters/lab/lxc").mkdir()
    (repo.root / "clusters/lab/lxc/200.yaml").write_bytes(b"mine\n")
    with pytest.raises(DirtyTree, match=r"200\.yaml"):
        repo.commit_files({"clusters/lab/lxc/200.yaml": b"theirs\n"}, message="m", author=None)
    # Another branch does not touch the work tree, so edits do not matter there.
    assert repo.commit_files({NODE: b"c\n"}, message="m", author=None, branch="elsewhere") is not None


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", ".git/config", "a/.GIT/x", "", "a/", "x\0y"]
)
def test_paths_outside_the_tree_are_refused(repo: StateRepo, path: str) -> None:
    with pytest.raises(StoreError, match="refusing to write"):
        repo.commit_files({path: b"x"}, message="m", author=None)


def test_detached_head_needs_a_branch(repo: StateRepo, git: Git) -> None:
    sha = repo.commit_files({NODE: b"a"}, message="m", author=None)
    git(repo.root, "checkout", "-q", "--detach")
    assert repo.current_branch() is None
    with pytest.raises(StoreError, match="detached"):
        repo.commit_files({NODE: b"b"}, message="m", author=None)
    assert repo.commit_files({NODE: b"b"}, message="m", author=None, branch="main") is not None
    assert repo.head() == sha


def test_read_tree_and_blob(repo: StateRepo) -> None:
    assert repo.read_tree(None, "clusters/") == {}
    assert repo.read_tree("HEAD", "clusters/") == {}  # unborn
    assert repo.read_tree("main", "clusters/") == {}
    with pytest.raises(RevisionError):
        repo.read_tree("other", "clusters/")
    files = {NODE: b"n", VM: b"v", "clusters/other/cluster.yaml": b"o", "proxstate.yaml": b"p"}
    first = repo.commit_files(files, message="m", author=None)
    assert first is not None
    assert repo.read_tree("HEAD", "clusters/lab/") == {NODE: b"n", VM: b"v"}
    assert repo.read_tree(first, "") == files
    assert repo.read_tree(first, "clusters/lab/q") == {VM: b"v"}
    assert repo.read_tree(first, "nothing/") == {}
    repo.commit_files({VM: b"w"}, message="m", author=None)
    assert repo.blob(first, VM) == b"v"
    assert repo.blob("HEAD", VM) == b"w"
    assert repo.blob("HEAD", "clusters/lab/qemu/999.yaml") is None
    assert repo.blob("HEAD", "clusters/lab") is None
    with pytest.raises(RevisionError):
        repo.blob("no-such-branch", VM)


def test_read_tree_reads_many_files_with_two_git_commands(
    repo: StateRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"clusters/lab/qemu/{vmid}.yaml": f"vmid: {vmid}\n".encode() for vmid in range(100, 400)}
    sha = repo.commit_files(files, message="m", author=None)
    with git_calls(monkeypatch) as calls:
        assert repo.read_tree(sha, "clusters/lab/") == files
    assert [call[1] for call in calls] == ["rev-parse", "ls-tree", "cat-file"]


def test_dirty_paths(repo: StateRepo, git: Git) -> None:
    assert repo.dirty_paths("clusters/") == []
    repo.commit_files({NODE: b"a", VM: b"v", "clusters/other/cluster.yaml": b"o"}, message="m", author=None)
    assert repo.dirty_paths("clusters/") == []
    (repo.root / NODE).write_bytes(b"changed")
    (repo.root / VM).unlink()
    (repo.root / "clusters/lab/storage").mkdir()
    (repo.root / "clusters/lab/storage/local.yaml").write_bytes(b"new")
    (repo.root / "clusters/lab/lxc").mkdir()
    (repo.root / "clusters/lab/lxc/200.yaml").write_bytes(b"staged")
    git(repo.root, "add", "clusters/lab/lxc/200.yaml")
    (repo.root / "clusters/other/cluster.yaml").write_bytes(b"elsewhere")
    assert repo.dirty_paths("clusters/lab/") == [
        "clusters/lab/lxc/200.yaml",
        "clusters/lab/nodes/pve1.yaml",
        "clusters/lab/qemu/101.yaml",
        "clusters/lab/storage/local.yaml",
    ]
    assert len(repo.dirty_paths("")) == 5


def test_head_and_current_branch(repo: StateRepo, git: Git) -> None:
    assert repo.head("refs/heads/nothing") is None
    sha = repo.commit_files({NODE: b"a"}, message="m", author=None)
    assert repo.head("refs/heads/main") == sha
    assert repo.head("main") == sha
    git(repo.root, "checkout", "-q", "-b", "feature")
    assert repo.current_branch() == "feature"
    with pytest.raises(RevisionError):
        repo.head("--all")


def test_many_files_and_odd_names_in_one_commit(repo: StateRepo, git: Git) -> None:
    """Many folders at once; names git would quote; no helper ref left behind."""
    files = {f"clusters/lab/guest-firewall/qemu/{vmid}/rules.yaml": b"- pos: 0\n" for vmid in range(100, 180)}
    odd = [
        'clusters/lab/pool/a"b.yaml',
        "clusters/lab/pool/back\\slash.yaml",
        "clusters/lab/pool/ünï cødé.yaml",
    ]
    files.update({path: path.encode() + b"\n" for path in odd})
    first = repo.commit_files(files, message="many", author=None)
    assert first is not None
    assert git(repo.root, "for-each-ref", "--format=%(refname)") == "refs/heads/main"
    listed = git(repo.root, "-c", "core.quotePath=false", "ls-tree", "-r", "-z", "--name-only", "HEAD")
    assert sorted(listed.strip("\0").split("\0")) == sorted(files)
    for path in odd:
        assert (repo.root / path).read_bytes() == path.encode() + b"\n"
    assert git(repo.root, "status", "--porcelain", "--untracked-files=all") == ""
    # Deleting a path that was never recorded changes nothing; deleting recorded ones does.
    assert repo.commit_files({"clusters/lab/pool/never.yaml": None}, message="x", author=None) is None
    second = repo.commit_files({odd[0]: None, odd[1]: b"new\n"}, message="two", author=None)
    assert git(repo.root, "rev-parse", f"{second}^") == first
    assert git(repo.root, "diff", "--name-status", "-z", first, second).strip("\0").split("\0") == [
        "D",
        odd[0],
        "M",
        odd[1],
    ]


def test_a_write_that_fails_leaves_nothing_behind(repo: StateRepo, git: Git) -> None:
    first = repo.commit_files({NODE: b"a\n"}, message="one", author=None)
    blocked = repo.root / "clusters/lab/lxc"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_bytes(b"a file where a folder must go\n")
    git(repo.root, "update-index", "--add", "clusters/lab/lxc")
    git(repo.root, "commit", "-q", "-m", "a file in the way")
    files = {f"clusters/lab/qemu/{vmid}.yaml": b"vmid\n" for vmid in range(100, 200)}
    files["clusters/lab/lxc/200.yaml"] = b"vmid: 200\n"
    head = repo.head()
    with pytest.raises(StoreError, match=r"refusing to write .*clusters/lab/lxc is a file"):
        repo.commit_files(files, message="two", author=None)
    assert repo.head() == head != first
    assert not list(repo.root.rglob("*.proxstate-tmp"))
    assert not (repo.root / "clusters/lab/qemu/100.yaml").exists()


def test_a_commit_larger_than_a_pipe_is_written_whole(repo: StateRepo, git: Git) -> None:
    """fast-import's input is written as it is made and its answers (a line per object, here some
    80 KiB) are read while the last of it is written: more than a pipe holds, either way."""
    files = {
        f"clusters/lab/qemu/{vmid}.yaml": b"vmid: %d\n" % vmid + b"x" * 100 + b"\n" for vmid in range(2000)
    }
    files[VM] = files["clusters/lab/qemu/0.yaml"]  # the same content twice: one blob
    assert repo.commit_files(files, message="many", author=None) == repo.head()
    listed = git(repo.root, "ls-tree", "-r", "HEAD", "clusters/lab/qemu").splitlines()
    assert len(listed) == len(files)
    shown = git(repo.root, "show", "HEAD:clusters/lab/qemu/1999.yaml")
    assert shown == files["clusters/lab/qemu/1999.yaml"].decode().rstrip("\n")
    assert git(repo.root, "rev-parse", f"HEAD:{VM}") == git(
        repo.root, "rev-parse", "HEAD:clusters/lab/qemu/0.yaml"
    )
    assert git(repo.root, "status", "--porcelain") == ""

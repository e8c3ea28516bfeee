"""StateRepo: the Git repository that holds the recorded state."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from proxstate.errors import RevisionError, StoreError
from proxstate.store import checkout, filehistory, history, maintenance, revisions
from proxstate.store.commit import Identity, check_path
from proxstate.store.committing import commit_changes
from proxstate.store.gitcli import GitRunner, git_message
from proxstate.store.guard import REGULAR_MODES, check_branch_free, check_branch_name
from proxstate.store.history import CommitInfo, PathChange
from proxstate.store.lock import LOCK_FILE, file_lock
from proxstate.store.push import push_branch
from proxstate.store.remote import check_shared_history
from proxstate.store.safefs import Tree

DEFAULT_BRANCH = "main"


class StateRepo:
    """A state repository: a Git work tree. Create it with `open` or `init`."""

    def __init__(self, *, root: Path, git_dir: Path, common_dir: Path) -> None:
        self.root = root
        self.git_dir = git_dir
        self.common_dir = common_dir
        self._git = GitRunner(root)

    def __repr__(self) -> str:
        return f"StateRepo({str(self.root)!r})"

    @classmethod
    def open(cls, path: str | Path) -> StateRepo:
        """The repository whose work tree is exactly `path` (a folder inside one is refused)."""
        path = Path(path)
        if not path.is_dir():
            raise StoreError(f"not a git repository: {path}; run `proxstate init`")
        # One `git rev-parse` rather than GitPython, whose import cost every command 60 to 75 ms.
        found = GitRunner(path).run(
            "rev-parse", "--is-bare-repository", "--absolute-git-dir", "--git-common-dir", "--show-toplevel",
            check=False,
        )  # fmt: skip
        lines = found.stdout.decode("utf-8", "surrogateescape").splitlines()
        if len(lines) >= 3 and (lines[0] == "true" or found.returncode != 0):
            # A bare repository, or the inside of a .git folder: git has no work tree there.
            raise StoreError(f"{path} is a bare git repository; proxstate needs a work tree")
        if found.returncode != 0 or len(lines) != 4:
            raise StoreError(f"not a git repository: {path}; run `proxstate init`")
        root = Path(lines[3]).resolve()
        if root != path.resolve():
            raise StoreError(f"not a git repository: {path} (it is inside {root}); run `proxstate init`")
        return cls(root=root, git_dir=Path(lines[1]).resolve(), common_dir=(path / lines[2]).resolve())

    @classmethod
    def init(cls, path: str | Path) -> StateRepo:
        """A new repository at `path` (created if needed) whose first branch is `main`."""
        path = Path(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create {path}: {error.strerror}") from error
        # git itself rather than GitPython: the same environment, without proxstate's secrets, as
        # every other git command.
        made = GitRunner(path).run("init", "--quiet", f"--initial-branch={DEFAULT_BRANCH}", check=False)
        if made.returncode != 0:
            raise StoreError(f"git init failed in {path}: {git_message(made.stderr)}")
        return cls.open(path)

    # ------------------------------------------------------------------ locking and recovery

    @contextmanager
    def lock(self, *, timeout: float = 30.0, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the repository lock (LockBusy after `timeout` seconds; `on_wait` hears the waits)."""
        path = self.common_dir / LOCK_FILE
        with file_lock(path, timeout=timeout, repository=self.root, on_wait=on_wait) as handle:
            self._git.inherit_fds = (handle,)
            try:
                yield
            finally:
                self._git.inherit_fds = ()

    def recover(self) -> str | None:
        """Finish or roll back a commit a killed run left half done; what was done, or None."""
        return checkout.recover(self._git, self.git_dir)

    # ------------------------------------------------------------------ reading

    def head(self, ref: str = "HEAD") -> str | None:
        """The commit `ref` points to; None when it does not exist (an unborn branch)."""
        if ref.startswith("-"):
            raise RevisionError(f"not a reference: {ref!r}")
        found = self._git.run("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False)
        return found.stdout.decode().strip() if found.returncode == 0 else None

    def current_branch(self) -> str | None:
        """The checked-out branch (also when it has no commit yet); None when HEAD is detached."""
        found = self._git.run("symbolic-ref", "-q", "--short", "HEAD", check=False)
        if found.returncode != 0:
            return None
        return found.stdout.decode().strip() or None

    def resolve(self, rev: str) -> str:
        """The commit a sha, branch, tag, `HEAD~2` or date (`2026-11-01`, `yesterday`) names."""
        return revisions.resolve(self._git, rev)

    def names_commit_or_date(self, text: str) -> bool:
        """Whether `text` is a date proxstate reads (`revisions.DATE_FORMS`) or names a commit."""
        return revisions.names_commit_or_date(self._git, text)

    def read_tree(
        self, rev: str | None, prefix: str, *, only: Callable[[str], bool] | None = None
    ) -> dict[str, bytes]:
        """path -> content of every file under `prefix` at `rev` ({} for None or an unborn branch);
        with `only`, of the files whose path it accepts (the others are not read)."""
        wanted = self._listed(rev, prefix)
        if only is not None:
            wanted = {path: sha for path, sha in wanted.items() if only(path)}
        contents = self._git.read_objects(wanted.values())
        return {path: contents[sha] or b"" for path, sha in wanted.items()}

    def read_files(self, rev: str | None, paths: Iterable[str]) -> dict[str, bytes]:
        """path -> content of those of `paths` that are files (not links) at `rev`, listed alone."""
        wanted = list(paths)
        commit = self._commit_of(rev) if wanted else None
        listed = self._git.list_tree(commit, wanted) if commit is not None else {}
        found = {path: sha for path, (mode, sha) in listed.items() if mode in REGULAR_MODES}
        contents = self._git.read_objects(found.values())
        return {path: contents[sha] or b"" for path, sha in found.items()}

    def blob_ids(self, rev: str | None, prefix: str) -> dict[str, str]:
        """path -> blob id of every file under `prefix` at `rev`, without reading them (one `git
        ls-tree`): a blob id names its content, so what was read from it once can be kept."""
        return self._listed(rev, prefix)

    def read_blobs(self, ids: Iterable[str]) -> dict[str, bytes | None]:
        """blob id -> content (None when there is no such blob): one `git cat-file`."""
        return self._git.read_objects(ids)

    def paths(self, rev: str | None, prefix: str) -> list[str]:
        """The files under `prefix` at `rev`, without reading them (one `git ls-tree`)."""
        return sorted(self._listed(rev, prefix))

    def folders(self, rev: str | None, folder: str) -> list[str]:
        """The names of the folders right inside `folder` at `rev` ([] on an unborn branch)."""
        commit = self._commit_of(rev)
        return [] if commit is None else self._git.list_folders(commit, folder)

    def _commit_of(self, rev: str | None) -> str | None:
        """The commit `rev` names; None for None or an unborn branch."""
        if rev is None:
            return None
        commit = None if rev.startswith("-") else self.head(rev)
        if commit is None and not self._unborn(rev):
            commit = self.resolve(rev)  # a date, or an error that says what is wrong
        return commit

    def _listed(self, rev: str | None, prefix: str) -> dict[str, str]:
        commit = self._commit_of(rev)
        if commit is None:
            return {}
        listed = self._git.list_tree(commit, history.directory_of(prefix))
        # A link recorded in git is not a document (its blob is the link's text, nor is it followed).
        return {
            path: sha
            for path, (mode, sha) in listed.items()
            if path.startswith(prefix) and mode in REGULAR_MODES
        }

    def _unborn(self, rev: str) -> bool:
        """Whether `rev` names the checked-out branch while it has no commit yet."""
        branch = self.current_branch()
        return branch is not None and rev in ("HEAD", branch, f"refs/heads/{branch}") and self.head() is None

    def blob(self, rev: str, path: str) -> bytes | None:
        """The content of `path` at `rev`; None when the file is not there."""
        name = f"{self.resolve(rev)}:{path}"
        return self._git.read_objects([name])[name]

    def dirty_paths(self, prefix: str) -> list[str]:
        """Paths under `prefix` with uncommitted edits: modified, added, deleted or untracked."""
        scope = history.directory_of(prefix)
        return [path for path in checkout.dirty_paths(self._git, scope) if path.startswith(prefix)]

    def changed_paths(self, old: str | None, new: str, *, prefix: str | None = None) -> list[PathChange]:
        """Files that differ between two commits (old None: every file of `new` is added)."""
        return history.changed_paths(
            self._git, None if old is None else self.resolve(old), self.resolve(new), prefix=prefix
        )

    def changed_blobs(self, old: str | None, new: str, *, prefix: str) -> list[history.BlobChange]:
        """Files under `prefix` that differ between two commits, by blob id, without reading them
        (one `git diff-tree`; links left out): (path, status, old blob, new blob)."""
        changes = history.blob_changes(self._git, old, new, history.directory_of(prefix), links=False)
        return [change for change in changes if change[0].startswith(prefix)]

    def changed_blobs_of(
        self, commits: Sequence[tuple[str, str]], *, prefix: str
    ) -> dict[str, list[history.BlobChange]]:
        """`changed_blobs` of many (commit, parent) pairs at once: one `git diff-tree --stdin`."""
        found = history.blob_changes_of(self._git, commits, history.directory_of(prefix))
        return {commit: [c for c in changes if c[0].startswith(prefix)] for commit, changes in found.items()}

    def commits(
        self,
        *,
        rev_range: str | None = None,
        paths: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        max_count: int | None = None,
    ) -> list[CommitInfo]:
        """Commits of `rev_range` (default HEAD), newest first, optionally only those touching `paths`."""
        return history.commits(
            self._git, rev_range=rev_range, paths=paths, since=since, until=until, max_count=max_count
        )

    def file_history(
        self, path: str, *, max_count: int | None = None
    ) -> list[tuple[CommitInfo, bytes | None]]:
        """Each commit on HEAD that changed `path`, newest first, with its content then (None: deleted)."""
        return filehistory.file_history(self._git, path, max_count=max_count, common_dir=self.common_dir)

    # ------------------------------------------------------------------ writing

    def commit_files(
        self,
        changes: Mapping[str, bytes | None],
        *,
        message: str,
        author: Identity | None,
        branch: str | None = None,
        base: str | None = None,
    ) -> str | None:
        """One commit on `branch` writing `changes` (None deletes); its sha, or None if nothing changed."""
        return commit_changes(self, changes, message=message, author=author, branch=branch, base=base)

    def maintain(self) -> str | None:
        """git's maintenance after a sync's commit (store/maintenance.py); None, or what failed."""
        return maintenance.maintain(self._git, self.common_dir)

    def compact(self) -> None:
        """Everything in one pack, the commit-graph in one file (store/maintenance.py)."""
        maintenance.compact(self._git, self.common_dir)

    def exists(self, path: str) -> bool:
        """Whether anything (a file, a folder, a link, even a dangling one) is at `path` in the work tree."""
        with Tree(self.root) as tree:
            return tree.lstat(check_path(path)) is not None

    def write_files(self, files: Mapping[str, bytes]) -> None:
        """Write files into the work tree for the user to review and commit; links and special files
        in the way are refused (StoreError naming the path) before anything is written."""
        checkout.write_files(self.root, {check_path(path): content for path, content in files.items()})

    def check_branch(self, branch: str, *, in_use: bool = True) -> None:
        """UsageError for a name git would not take for a branch; with `in_use`, StoreError when a
        rebase, merge, cherry-pick or bisect in progress (or another work tree) has the branch."""
        check_branch_name(self._git, branch)
        if in_use:
            check_branch_free(self.common_dir, self.git_dir, branch)

    def withhold_environment(self, names: Iterable[str]) -> None:
        """Variables git and its hooks must not see (those that hold secrets), beyond PROXSTATE_*."""
        self._git.withhold(names)

    def push_url(self, remote: str) -> str | None:
        """The address `git push REMOTE` pushes to (its pushurl, else its url); None without one."""
        if not remote or remote.startswith("-"):
            return None
        found = self._git.run("remote", "get-url", "--push", remote, check=False)
        if found.returncode != 0:
            return None
        return found.stdout.decode("utf-8", "surrogateescape").strip() or None

    def check_push(self, *, remote: str, branch: str, local: str | None, timeout: float | None) -> None:
        """StoreError when pushing `branch` (at `local`) would start a second history on `remote`."""
        check_shared_history(self._git, remote=remote, branch=branch, local=local, timeout=timeout)

    def push(
        self, *, remote: str = "origin", branch: str, attempts: int = 5, ends: float | None = None
    ) -> None:
        """Push `branch`; when the remote moved, replay the local commits on top of it and retry.

        `ends` (a time.monotonic() value): git's network commands are stopped then.
        """
        self.check_branch(branch)
        push_branch(
            self._git,
            self.git_dir,
            remote=remote,
            branch=branch,
            attempts=attempts,
            worktree=branch == self.current_branch(),
            ends=ends,
        )

"""Running git: a fixed environment, readable errors, and batched object reads."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from proxstate.errors import StoreError

# Variables that would point git at another repository, index or work tree than the one we run in.
_REPOSITORY_VARIABLES = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
    "GIT_NAMESPACE", "GIT_PREFIX", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
)  # fmt: skip
_FIXED = {
    "LC_ALL": "C",
    "LANGUAGE": "C",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "GIT_EDITOR": "true",
    "GIT_LITERAL_PATHSPECS": "1",  # paths are names from the API, never patterns
}
_OWN_PREFIX = "PROXSTATE_"
# Commands that write objects: when one fails, the temporary files it left are removed.
_WRITES_OBJECTS = frozenset({"fast-import", "commit-tree", "fetch", "hash-object", "mktree"})
_CREDENTIALS_IN_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]+@")
_LOCK_EXISTS = re.compile(r"Unable to create '([^']+\.lock)': File exists")


def redact(text: str) -> str:
    """`text` without `user:password@` in the URLs it mentions."""
    return _CREDENTIALS_IN_URL.sub(r"\1", text)


def git_message(stderr: bytes | str) -> str:
    """The line of git's stderr that says what went wrong, without credentials."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("hint:")]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return redact(line.split(":", 1)[1].strip())
    return redact(lines[0]) if lines else "no message"


def _failure(returncode: int, stderr: bytes) -> str:
    """What a failed git said; killed by a signal it says nothing: e.g. SIGXFSZ when a file
    outgrew the size limit."""
    return git_message(stderr) if returncode > 0 else f"killed by {_signal_name(-returncode)}"


def _signal_name(number: int) -> str:
    """`SIGXFSZ (File size limit exceeded)` for a signal number."""
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    described = signal.strsignal(number)
    return f"{name} ({described})" if described else name


@dataclass
class GitRunner:
    """Runs git in one work tree. `inherit_fds` go to every child (the held repository lock)."""

    root: Path
    inherit_fds: tuple[int, ...] = ()
    _env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # git runs hooks (pre-push, reference-transaction, ...) and credential helpers, programs
        # proxstate does not control: none of them gets proxstate's secrets. Every PROXSTATE_*
        # variable is withheld (the token, its file, the mask key, the password), and `withhold`
        # adds the variables proxstate.yaml names for secrets.
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in _REPOSITORY_VARIABLES and not key.startswith(_OWN_PREFIX)
        }
        env.update(_FIXED)
        self._env = env

    def withhold(self, names: Iterable[str]) -> None:
        """Keep these environment variables from every git command from now on."""
        for name in names:
            if name not in _FIXED:
                self._env.pop(name, None)

    def run(
        self,
        *args: str,
        stdin: bytes | bytearray | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        what: str | None = None,
        inherit: bool = True,
        timeout: float | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        """Run `git args`; StoreError (with git's own words) when it fails and `check` is set.

        `inherit=False` keeps the lock from the child: for commands that may leave helpers running
        (credential caches, ssh masters), which must not hold the lock after a crash. `timeout`
        (seconds) bounds commands that talk to a remote, which may never answer: git is killed
        then, and StoreError says so.
        """
        full_env = {**self._env, **env} if env else self._env
        started = time.time()
        for attempt in range(20):
            try:
                result = subprocess.run(
                    ["git", *args],
                    cwd=self.root,
                    env=full_env,
                    input=stdin,
                    capture_output=True,
                    pass_fds=self.inherit_fds if inherit else (),
                    check=False,
                    timeout=timeout,
                )
            except subprocess.TimeoutExpired as error:
                raise StoreError(
                    f"git {what or args[0]} did not finish within {timeout:.0f} s, the time left "
                    "before the sync's deadline; it was stopped"
                ) from error
            except OSError as error:
                raise StoreError(f"cannot run git: {error}") from error
            if result.returncode != 0 and args and args[0] in _WRITES_OBJECTS:
                self._remove_temporaries(since=started)
            if result.returncode == 0 or not check:
                return result
            # git's own lock files (index.lock, a ref's .lock) are held briefly by a concurrent git;
            # wait a little before calling it an error.
            locked = _LOCK_EXISTS.search(result.stderr.decode("utf-8", "replace"))
            if locked is None or attempt == 19:
                break
            time.sleep(0.05)
        message = _failure(result.returncode, result.stderr)
        if locked is not None:
            message = (
                f"{locked.group(1)} exists: another git command is running in {self.root}, or one was "
                "killed; remove that file if no git command is running"
            )
        raise StoreError(f"git {what or args[0]} failed: {message}")

    def feed(self, *args: str, chunks: Iterable[bytes], env: Mapping[str, str] | None = None) -> bytes:
        """Stdout of `git args`, its stdin written a chunk at a time as `chunks` makes them: a large
        input (the objects of a first snapshot of 15,000 guests, 20 MiB) is never held whole. For a
        command that says nothing until the last chunk (`git fast-import --quiet` with its
        `get-mark`s last): the last chunk is written while stdout is read. StoreError when git fails.
        """
        started = time.time()
        try:
            proc = subprocess.Popen(
                ["git", *args],
                cwd=self.root,
                env={**self._env, **env} if env else self._env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=self.inherit_fds,
            )
        except OSError as error:
            raise StoreError(f"cannot run git: {error}") from error
        with proc:
            last = b""
            try:
                assert proc.stdin is not None
                for chunk in chunks:
                    if last:
                        proc.stdin.write(last)
                    last = chunk
            except BrokenPipeError:
                last = b""  # git stopped reading: its own words below say why
            except BaseException:
                proc.kill()
                raise
            out, err = proc.communicate(last)
        if proc.returncode == 0:
            return out
        if args[0] in _WRITES_OBJECTS:
            self._remove_temporaries(since=started)
        raise StoreError(f"git {args[0]} failed: {_failure(proc.returncode, err)}")

    def _remove_temporaries(self, *, since: float) -> None:
        """Remove the temporary object files (tmp_pack_*, tmp_idx_*, tmp_obj_*) a git command that
        failed left behind, such as fast-import killed on a full disk: they would fill the disk
        further with every failed run. Only files made since the command started are touched, and
        the repository lock keeps proxstate's other writers away."""
        found = self.run("rev-parse", "--git-path", "objects", check=False)
        if found.returncode != 0:
            return
        objects = self.root / found.stdout.decode("utf-8", "surrogateescape").strip()
        folders = [objects, objects / "pack"]
        with contextlib.suppress(OSError):
            folders += [entry for entry in objects.iterdir() if len(entry.name) == 2 and entry.is_dir()]
        for folder in folders:
            with contextlib.suppress(OSError):
                for entry in folder.iterdir():
                    if entry.name.startswith("tmp_") and entry.lstat().st_mtime >= since - 1:
                        entry.unlink(missing_ok=True)

    def text(
        self, *args: str, stdin: bytes | bytearray | None = None, env: Mapping[str, str] | None = None
    ) -> str:
        """Stdout of `git args` as text, without the final newline."""
        out = self.run(*args, stdin=stdin, env=env).stdout
        return out.decode("utf-8", "surrogateescape").removesuffix("\n")

    def ok(self, *args: str) -> bool:
        """Whether `git args` succeeds."""
        return self.run(*args, check=False).returncode == 0

    def read_objects(self, names: Iterable[str]) -> dict[str, bytes | None]:
        """Content of each blob (`sha` or `rev:path`), None if missing or not a file: one `git cat-file`."""
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return {}
        if any("\n" in name for name in wanted):
            raise StoreError("cannot read an object whose name holds a line break")
        out = self.run("cat-file", "--batch", stdin="".join(f"{n}\n" for n in wanted).encode()).stdout
        found: dict[str, bytes | None] = {}
        position = 0
        for name in wanted:
            end = out.index(b"\n", position)
            header = out[position:end].split(b" ")
            position = end + 1
            if len(header) != 3:  # "<name> missing" or "<name> ambiguous"
                found[name] = None
                continue
            size = int(header[2])
            # A folder is a tree object, not a file.
            found[name] = out[position : position + size] if header[1] == b"blob" else None
            position += size + 1
        return found

    def list_tree(self, rev: str, paths: Sequence[str] = ()) -> dict[str, tuple[str, str]]:
        """path -> (mode, blob sha) of every file at `rev` under `paths` (all when empty)."""
        out = self.run("ls-tree", "-r", "-z", "--full-tree", rev, "--", *paths).stdout
        entries: dict[str, tuple[str, str]] = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, kind, sha = meta.decode().split(" ")
            if kind == "blob":
                entries[path.decode("utf-8", "surrogateescape")] = (mode, sha)
        return entries

    def list_folders(self, rev: str, folder: str) -> list[str]:
        """The names of the folders right inside `folder` at `rev`."""
        out = self.run("ls-tree", "-z", "--full-tree", rev, "--", f"{folder.rstrip('/')}/").stdout
        names = []
        for record in out.split(b"\0"):
            meta, _, path = record.partition(b"\t")
            if meta.split(b" ")[1:2] == [b"tree"]:
                names.append(path.decode("utf-8", "surrogateescape").rsplit("/", 1)[-1])
        return names

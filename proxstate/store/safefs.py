"""Files in the work tree without following links: the state repository is untrusted input.

Anyone who can push to the state repository decides what its checkout holds: a symbolic link at
`clusters/lab/qemu` (or at a document's name, or at the name of a temporary file) would make a
plain `open(path, "w")` write wherever the link points. So every path below the repository root is
walked one folder at a time with `O_NOFOLLOW | O_DIRECTORY` relative to the folder before it, new
files are created with `O_CREAT | O_EXCL | O_NOFOLLOW`, and a name that holds anything but a regular
file (a link, a folder, a FIFO, a device) is refused with an error that names it, before anything
is written. Renames and unlinks act on the name itself, never on what a link points to.

The root itself is opened by its path: a link on the way to the repository is the user's choice.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from proxstate.errors import StoreError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # a FIFO must not block
_WHAT = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFREG: "a file",
}
ADVICE = "proxstate writes only regular files, never through a link; remove it (git rm) and commit"


def kind_of(mode: int) -> str:
    """`a symbolic link`, `a folder`, ...: what a file mode stands for, as a user would say it."""
    return _WHAT.get(stat.S_IFMT(mode), "a special file")


def unsafe(path: str, what: str, *, verb: str = "write") -> StoreError:
    return StoreError(f"refusing to {verb} {path}: {what}; {ADVICE}")


class Tree:
    """Folders of one work tree, opened without following links (a context manager)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._fds: dict[str, int] = {}

    def __enter__(self) -> Tree:
        try:
            self._fds[""] = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as error:
            raise StoreError(f"cannot open {self.root}: {error.strerror}") from error
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def folder(self, folder: str, *, create: bool) -> int | None:
        """The descriptor of `folder` (relative, `a/b`; "" is the root); None when it is missing
        and not `create`d. A link or a file on the way is refused."""
        if folder in self._fds:
            return self._fds[folder]
        parent_name, _, name = folder.rpartition("/")
        parent = self.folder(parent_name, create=create)
        if parent is None:
            return None
        try:
            fd = os.open(name, _DIR_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                return None
            try:
                os.mkdir(name, 0o777, dir_fd=parent)
            except FileExistsError:
                pass  # made meanwhile (or a dangling link: the open below refuses it)
            except OSError as error:
                raise StoreError(f"cannot create {folder}: {error.strerror}") from error
            fd = self._open_dir(parent, name, folder)
        except OSError as error:
            raise self._refusal(parent, name, folder, error) from error
        self._fds[folder] = fd
        return fd

    def _open_dir(self, parent: int, name: str, folder: str) -> int:
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=parent)
        except OSError as error:
            raise self._refusal(parent, name, folder, error) from error

    @staticmethod
    def _refusal(parent: int, name: str, folder: str, error: OSError) -> StoreError:
        if error.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            try:
                mode = os.lstat(name, dir_fd=parent).st_mode
            except OSError:
                mode = stat.S_IFLNK
            return unsafe(folder, f"it is {kind_of(mode)} where a folder belongs")
        return StoreError(f"cannot open {folder}: {error.strerror}")

    def forget(self, folder: str) -> None:
        """Drop the descriptors of `folder` and below (it was removed)."""
        for name in [n for n in self._fds if n == folder or n.startswith(folder + "/")]:
            os.close(self._fds.pop(name))

    def lstat(self, path: str) -> os.stat_result | None:
        """What is at `path` (a link is not followed); None when nothing is (or its folder is missing)."""
        folder, _, name = path.rpartition("/")
        fd = self.folder(folder, create=False)
        if fd is None:
            return None
        try:
            return os.lstat(name, dir_fd=fd)
        except FileNotFoundError:
            return None

    def check_file(self, path: str, *, verb: str = "write") -> None:
        """Refuse when `path` holds anything but a regular file (nothing there is fine)."""
        found = self.lstat(path)
        if found is not None and not stat.S_ISREG(found.st_mode):
            raise unsafe(path, f"it is {kind_of(found.st_mode)}", verb=verb)

    def create(self, path: str, content: bytes, *, mode: int = 0o644, link: bool = False) -> None:
        """A new file (or, with `link`, a symbolic link whose target is `content`) at `path`.

        Never opens anything that exists: a name that is taken is refused (StoreError), and OSError
        (no space left, ...) is the caller's to report."""
        folder, _, name = path.rpartition("/")
        fd = self.folder(folder, create=True)
        if fd is None:  # pragma: no cover - create=True makes it or raises
            raise StoreError(f"cannot create {folder}")
        try:
            if link:
                os.symlink(content, name, dir_fd=fd)
                return
            handle = os.open(name, _NEW_FLAGS, mode, dir_fd=fd)
        except FileExistsError as error:
            raise unsafe(path, "something is in the way of this temporary file") from error
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(handle, view) :]
        except OSError:
            os.unlink(name, dir_fd=fd)  # the name is ours (O_EXCL): a half-written file goes
            raise
        finally:
            os.close(handle)

    def replace(self, source: str, target: str) -> None:
        """Rename `source` over `target` (the same folder): a link at `target` is replaced, not followed."""
        folder, _, name = target.rpartition("/")
        fd = self.folder(folder, create=False)
        if fd is None:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", target)
        os.replace(source.rpartition("/")[2], name, src_dir_fd=fd, dst_dir_fd=fd)

    def remove(self, path: str, *, prune: bool = True) -> None:
        """Remove the file (or link) at `path` if there is one, then the folders it leaves empty."""
        folder, _, name = path.rpartition("/")
        fd = self.folder(folder, create=False)
        if fd is None:
            return
        try:
            os.unlink(name, dir_fd=fd)
        except FileNotFoundError:
            return
        while prune and folder:
            parent, _, name = folder.rpartition("/")
            parent_fd = self.folder(parent, create=False)
            try:
                os.rmdir(name, dir_fd=parent_fd)  # only succeeds for a folder left empty
            except OSError:
                break
            self.forget(folder)
            folder = parent


def read_file(root: Path, path: str, *, limit: int) -> bytes | None:
    """The content of the regular file `path` below `root`; None when there is none. Refuses a link
    (anywhere on the way), a FIFO, a device or a folder, and a file over `limit` bytes."""
    if not root.exists():
        return None
    with Tree(root) as tree:
        folder, _, name = path.rpartition("/")
        fd = tree.folder(folder, create=False)
        if fd is None:
            return None
        try:
            handle = os.open(name, _READ_FLAGS, dir_fd=fd)
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENXIO):
                tree.check_file(path, verb="read")
            raise StoreError(f"cannot read {path}: {error.strerror}") from error
        try:
            mode = os.fstat(handle).st_mode
            if not stat.S_ISREG(mode):
                raise unsafe(path, f"it is {kind_of(mode)}", verb="read")
            data = os.read(handle, limit + 1)
            chunks = [data]
            while data and sum(map(len, chunks)) <= limit:
                data = os.read(handle, limit + 1)
                chunks.append(data)
        finally:
            os.close(handle)
    content = b"".join(chunks)
    if len(content) > limit:
        raise StoreError(f"refusing to read {path}: it is larger than {limit} bytes")
    return content

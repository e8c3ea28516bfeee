"""The site's folder: written without following a link, and only where a page changed.

The folder is usually inside the state repository (`public/`), whose content anyone who can push
decides: a symbolic link at `public/clusters` would make a plain `open()` write wherever it points.
So the folder itself must not be a link, every folder below it is opened with `O_NOFOLLOW` relative
to the one before (as proxstate/store/safefs.py does in the work tree), a page is written to a new
temporary file (`O_EXCL | O_NOFOLLOW`) then renamed over its name, and a name that holds anything
but a regular file is refused, naming it.

`.proxstate-site.json` in the folder keeps the SHA-256 of every file the last build wrote: a page
whose bytes are the same is not written again, and a page the site no longer has is removed (only
those: other files in the folder are left alone).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from proxstate.errors import SiteError

MANIFEST = ".proxstate-site.json"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_MANIFEST_LIMIT = 64 * 1024 * 1024


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def check_page_path(path: str) -> None:
    """A page's path is relative, with no empty, `.` or `..` part (a bug if not: paths are made
    from the store's escaped names)."""
    parts = path.split("/")
    if path.startswith("/") or any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts):
        raise SiteError(f"refusing to write the page {path!r}: not a plain relative path")


class Folder:
    """The site's output folder, opened without following links (a context manager)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._fds: dict[str, int] = {}

    def __enter__(self) -> Folder:
        if self.root.is_symlink():
            raise SiteError(f"refusing to write the site into {self.root}: it is a symbolic link")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._fds[""] = os.open(self.root, _DIR_FLAGS)
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR, errno.EEXIST):
                raise SiteError(f"refusing to write the site into {self.root}: it is not a folder") from error
            raise SiteError(f"cannot open {self.root}: {error.strerror}") from error
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def _refuse(self, path: str, mode: int) -> SiteError:
        what = "a symbolic link" if stat.S_ISLNK(mode) else "a folder" if stat.S_ISDIR(mode) else "not a file"
        return SiteError(
            f"refusing to write {self.root / path}: it is {what}; the site writes only regular files "
            "and folders, never through a link: remove it"
        )

    def folder(self, folder: str, *, create: bool) -> int | None:
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
            with contextlib.suppress(FileExistsError):  # a dangling link: refused below
                os.mkdir(name, 0o755, dir_fd=parent)
            return self.folder(folder, create=False) if self._is_dir(parent, name, folder) else None
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.ENOTDIR):
                raise self._refuse(folder, os.lstat(name, dir_fd=parent).st_mode) from error
            raise SiteError(f"cannot open {self.root / folder}: {error.strerror}") from error
        self._fds[folder] = fd
        return fd

    def _is_dir(self, parent: int, name: str, folder: str) -> bool:
        mode = os.lstat(name, dir_fd=parent).st_mode
        if not stat.S_ISDIR(mode):
            raise self._refuse(folder, mode)
        return True

    def exists(self, path: str) -> bool:
        """Whether a regular file is at `path`; anything else there is refused."""
        folder, _, name = path.rpartition("/")
        fd = self.folder(folder, create=False)
        if fd is None:
            return False
        try:
            mode = os.lstat(name, dir_fd=fd).st_mode
        except FileNotFoundError:
            return False
        if not stat.S_ISREG(mode):
            raise self._refuse(path, mode)
        return True

    def write(self, path: str, content: bytes) -> None:
        """`content` at `path`, whole or not at all (a temporary file renamed over the name)."""
        check_page_path(path)
        self.exists(path)  # refuses a link or a folder in the way before anything is written
        folder, _, name = path.rpartition("/")
        fd = self.folder(folder, create=True)
        assert fd is not None  # create=True makes it or raises
        temporary = f".{name}.{os.getpid()}.tmp"
        try:
            handle = os.open(temporary, _NEW_FLAGS, 0o644, dir_fd=fd)
        except OSError as error:
            raise SiteError(f"cannot write {self.root / path}: {error.strerror}") from error
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(handle, view) :]
        except OSError as error:
            os.unlink(temporary, dir_fd=fd)
            raise SiteError(f"cannot write {self.root / path}: {error.strerror}") from error
        finally:
            os.close(handle)
        os.replace(temporary, name, src_dir_fd=fd, dst_dir_fd=fd)

    def remove(self, path: str) -> None:
        """Remove the regular file at `path` (a page the site no longer has), then the folders it
        leaves empty. The manifest is read from the folder, so its paths are checked as a page's."""
        check_page_path(path)
        if not self.exists(path):
            return
        folder, _, name = path.rpartition("/")
        os.unlink(name, dir_fd=self._fds[folder])
        while folder:
            parent, _, name = folder.rpartition("/")
            try:
                os.rmdir(name, dir_fd=self._fds[parent])  # only a folder left empty goes
            except OSError:
                break
            os.close(self._fds.pop(folder))
            folder = parent

    def read_manifest(self, namespace: str) -> Manifest:
        """What the last build wrote ({} without a readable manifest); the fingerprints of what its
        pages were rendered from only when it was built with the same `namespace` (templates)."""
        try:
            handle = os.open(MANIFEST, _READ_FLAGS, dir_fd=self._fds[""])
        except OSError:
            return Manifest(namespace)
        try:
            with os.fdopen(handle, "rb") as file:
                if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                    return Manifest(namespace)
                found = json.loads(file.read(_MANIFEST_LIMIT))
        except (OSError, ValueError):
            return Manifest(namespace)
        if not isinstance(found, dict) or not isinstance(found.get("pages"), dict):
            return Manifest(namespace)
        pages = {str(path): str(sha) for path, sha in found["pages"].items()}
        inputs = found.get("inputs") if found.get("namespace") == namespace else None
        kept = {str(path): str(sha) for path, sha in inputs.items()} if isinstance(inputs, dict) else {}
        return Manifest(namespace, pages, kept)

    def write_manifest(self, manifest: Manifest) -> None:
        text = json.dumps(
            {
                "format": 2,
                "namespace": manifest.namespace,
                "pages": dict(sorted(manifest.pages.items())),
                "inputs": dict(sorted(manifest.inputs.items())),
            },
            indent=0,
        )
        self.write(MANIFEST, text.encode("utf-8"))


@dataclass
class Manifest:
    """path -> SHA-256 of each file the site wrote, and of what each page was rendered from."""

    namespace: str
    pages: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)

"""The state repository a folder belongs to, found as git finds it: from any folder of its work tree.

`git rev-parse --show-toplevel` names the top from where the folder physically is. A folder
reached through a link that lies in the repository found, or in another state repository, is
refused: the state repository is untrusted input, and a link in it (`clusters/lab` pointing into
another repository) must not send a command into the repository it points at. A link elsewhere
(`/home` being a link to `/data/home`, `~/lab` to a folder of the repository) is the system's
business, and followed as git follows it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from proxstate.errors import StoreError
from proxstate.store.gitcli import GitRunner


def _as_typed(path: Path) -> Path:
    """`path` made absolute without resolving links: from the shell's logical working folder
    ($PWD, what `pwd` shows) when it is the current one, as `cd` and git's `-C` see it."""
    if path.is_absolute():
        return Path(os.path.normpath(path))
    base = os.environ.get("PWD", "")
    try:
        same = os.path.isabs(base) and os.path.samefile(base, ".")
    except OSError:
        same = False
    return Path(os.path.normpath(os.path.join(base if same else os.getcwd(), path)))


def find_top(path: Path) -> Path | None:
    """The top of the git work tree that holds the folder `path` (a real folder, never a link);
    None when `path` is no folder of a work tree (none at all, a bare repository, a .git folder)."""
    if not path.is_dir():
        return None
    found = GitRunner(path).run("rev-parse", "--is-bare-repository", "--show-toplevel", check=False)
    lines = found.stdout.decode("utf-8", "surrogateescape").splitlines()
    if found.returncode != 0 or len(lines) != 2 or lines[0] != "false":
        return None
    top = Path(lines[1]).resolve()
    typed = _as_typed(path)
    walked = Path(typed.anchor)
    for name in typed.parts[1:]:
        walked = walked / name
        if not stat.S_ISLNK(os.lstat(walked).st_mode):
            continue
        holder = _state_repository_of(Path(os.path.realpath(walked.parent)), top)
        if holder is not None:
            raise StoreError(
                f"{typed} is reached through the link {walked} in the repository {holder}; proxstate "
                "follows no link in a state repository: give the folder's real path"
            )
    return top


def _state_repository_of(folder: Path, top: Path) -> Path | None:
    """The repository `folder` is in when it is `top` or a state repository (one with a
    proxstate.yaml); None when it is in no such repository (a link there is the system's)."""
    for candidate in (folder, *folder.parents):
        if candidate == top:
            return top
        if os.path.lexists(candidate / ".git"):
            return candidate if os.path.lexists(candidate / "proxstate.yaml") else None
    return None

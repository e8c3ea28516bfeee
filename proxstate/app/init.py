"""`proxstate init`: lay the state-repository template into a folder and make it a Git repository.

The template ships inside the package (proxstate/templates/state-repo, also reachable as
state-repo-template/ at the top of the source tree). Names starting with `dot-` become dotfiles
(`dot-gitignore` -> `.gitignore`, `dot-github/` -> `.github/`), so packaging tools keep them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from proxstate.errors import UsageError
from proxstate.store import Identity, StateRepo, find_top

TEMPLATE = ("proxstate", "templates", "state-repo")


@dataclass(frozen=True, kw_only=True)
class InitResult:
    root: Path
    written: tuple[str, ...]
    skipped: tuple[str, ...]
    commit: str | None
    created_repo: bool


def _target_name(part: str) -> str:
    return "." + part[len("dot-") :] if part.startswith("dot-") else part


def template_files() -> dict[str, bytes]:
    """Every file of the template by its path in the new repository."""
    root: Traversable = resources.files(TEMPLATE[0])
    for part in TEMPLATE[1:]:
        root = root / part
    found: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: PurePosixPath) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            if child.name == "__pycache__":
                continue
            target = prefix / _target_name(child.name)
            if child.is_dir():
                walk(child, target)
            else:
                found[str(target)] = child.read_bytes()

    walk(root, PurePosixPath())
    return found


def init_repository(root: Path, *, force: bool = False, author: Identity | None = None) -> InitResult:
    """Create (or complete) a state repository at root.

    A new repository gets the template as its first commit. In an existing one the files are written
    for the user to review and commit; files that exist are kept unless `force`.
    """
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} exists and is not a folder")
    top = find_top(_nearest_existing(root))
    if top is not None and not force:
        _refuse_existing(root, top)
    root.mkdir(parents=True, exist_ok=True)
    if top is not None and top == root.resolve():
        repo = StateRepo.open(root)
        created = False
    else:  # a new repository (with --force, one nested in the repository `top`)
        repo = StateRepo.init(root)
        created = True
    files = template_files()
    # Anything at a template's name counts, a dangling link too: `exists()` would follow it.
    existing = sorted(p for p in files if repo.exists(p))
    if existing and not force:
        names = ", ".join(existing)
        raise UsageError(f"{root} already has {names}; use --force to overwrite")
    if repo.head() is None and not existing:
        commit = repo.commit_files(files, message="proxstate init\n", author=author)
        return InitResult(
            root=root, written=tuple(sorted(files)), skipped=(), commit=commit, created_repo=created
        )
    # Never through a link: a repository cloned from elsewhere may hold one at any of these names.
    repo.write_files(files)
    return InitResult(root=root, written=tuple(sorted(files)), skipped=(), commit=None, created_repo=created)


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _refuse_existing(root: Path, top: Path) -> None:
    """An existing repository is not made a state repository, nor one nested in it, unasked: the
    first would mix proxstate's files into another project, the second hide a repository in it.
    A repository with nothing in it yet (a fresh `git init`, the clone of an empty remote) is no
    such project."""
    if top != root.resolve():
        raise UsageError(
            f"{root} is inside the git repository {top}; proxstate works from any folder of a state "
            f"repository (`proxstate init {top}` makes that one a state repository), or use --force to "
            f"create a repository nested in it"
        )
    repo = StateRepo.open(top)
    if any(repo.exists(name) for name in template_files()):
        return  # the template's own files are named by the caller's refusal to overwrite them
    if repo.head() is not None or any(entry.name != ".git" for entry in top.iterdir()):
        raise UsageError(
            f"{root} is already a git repository that proxstate init did not set up; use --force to "
            f"add proxstate's files to it (for you to review and commit)"
        )

"""proxstate.store: the Git state repository (GitPython and the git command live only here)."""

from proxstate.store.commit import Identity
from proxstate.store.history import CommitInfo, PathChange
from proxstate.store.repo import StateRepo
from proxstate.store.top import find_top

__all__ = ["CommitInfo", "Identity", "PathChange", "StateRepo", "find_top"]

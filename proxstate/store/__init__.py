"""proxstate.store: the Git state repository (GitPython and the git command live only here)."""

from proxstate.store.commit import Identity
from proxstate.store.history import CommitInfo, PathChange
from proxstate.store.repo import StateRepo

__all__ = ["CommitInfo", "Identity", "PathChange", "StateRepo"]

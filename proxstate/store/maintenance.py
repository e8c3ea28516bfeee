"""Keeping a state repository fast as its history grows: git's own maintenance, run by proxstate.

An hourly sync makes 8,760 commits a year. Without care, git reads such a history slowly: `log --
PATH` (proxstate's `log`, `blame`) opens every commit and both of its trees, and every sync leaves
loose objects that nobody packs, since proxstate writes commits with plumbing commands, which never
run git's automatic `gc` as `git commit` does. So after each sync that commits (docs/performance.md,
"A year of history"):

1. the commit-graph is extended by a new layer holding only the new commits, with their
   changed-path Bloom filters (`commit-graph write --reachable --split --changed-paths`): walking
   the history then reads no commit object, and `log -- PATH` opens only the commits whose filter
   says the path may have changed. A few tens of milliseconds, whatever the history's length;
2. `gc --auto` packs the loose objects once there are more than git's threshold (gc.auto, 6,700:
   every few hundred syncs) and merges the packs once there are more than 50 (gc.autoPackLimit);
   below the thresholds it only counts, and above them it runs detached (gc.autoDetach), after the
   sync has ended;
3. the index of which commits changed each file (store/pathindex.py) gets the new commits, so
   that `log` and `blame` read a file's versions without walking the history. The first time it
   reads the whole history (about 1 s of a year of hourly commits; at most INDEX_SECONDS a sync, the
   next syncs go on from where it stopped), then only the new commits.

Neither child inherits the repository's lock (`inherit=False`): a detached gc that outlives the
sync must not hold it. A failure of either is not a failure of the sync, whose commit is made: it
is returned as a line the sync's summary shows.
"""

from __future__ import annotations

from pathlib import Path

from proxstate.errors import StoreError
from proxstate.store import pathindex
from proxstate.store.gitcli import GitRunner

# Seconds each step may take in the foreground; the full gc runs detached, so this bounds the count.
STEP_TIMEOUT = 120.0
# Seconds a sync's maintenance spends building the index of a long history it meets for the first
# time (about 15 s of CPU at 100,000 commits): what is left is indexed by the next syncs, and the
# reads walk the commits the index does not cover yet.
INDEX_SECONDS = 10.0


def maintain(git: GitRunner, common_dir: Path) -> str | None:
    """The maintenance after a commit; None, or the line that says which step failed and why."""
    steps = (
        ("commit-graph", "write", "--reachable", "--split", "--changed-paths", "--no-progress"),
        ("gc", "--auto", "--quiet"),
    )
    for args in steps:
        try:
            git.run(*args, inherit=False, timeout=STEP_TIMEOUT, what=args[0])
        except StoreError as exc:
            return f"the repository's maintenance after the commit failed: {exc.message}"
    try:
        pathindex.update(git, common_dir, seconds=INDEX_SECONDS)
    except StoreError as exc:
        return f"the index of the history after the commit failed: {exc.message}"
    return None


def compact(git: GitRunner, common_dir: Path) -> None:
    """Everything in one pack, the commit-graph in one file and the index of the history up to
    date: what `gc --auto` ends up doing once the packs are many, after the syncs' updates of the
    index (benchmarks/history_bench.py measures the record's size after it)."""
    git.run("gc", "--quiet", inherit=False, what="gc")
    git.run(
        "commit-graph",
        "write",
        "--reachable",
        "--changed-paths",
        "--no-progress",
        inherit=False,
        what="commit-graph",
    )
    pathindex.update(git, common_dir)


__all__ = ["compact", "maintain"]

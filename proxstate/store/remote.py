"""Whether a push would start a history of its own on a remote that already has one.

A repository made by `git init` (an unborn branch) or by `proxstate init` has a root commit of its
own. Pushed to the shared remote under a branch name it does not have (`master` beside `main`),
it becomes a second, unrelated history there, and possibly what `git clone` checks out. Pushed
onto a branch of the same name, git refuses it and the replay finds nothing in common. Either way
nothing useful can come of it: refused before the cluster is read, saying how to start from the
remote's history instead.
"""

from __future__ import annotations

from proxstate.errors import StoreError
from proxstate.store.gitcli import GitRunner, redact


def remote_heads(git: GitRunner, remote: str, *, timeout: float | None) -> dict[str, str] | None:
    """branch -> commit of every branch `remote` has (one `git ls-remote`); None when it cannot be
    read (the push after the sync says why, and how to push the commit it made later)."""
    if remote.startswith("-") or not remote:
        raise StoreError(f"not a remote: {remote!r}")
    try:
        listed = git.run("ls-remote", "--heads", remote, check=False, inherit=False, timeout=timeout)
    except StoreError:  # no answer in time
        return None
    if listed.returncode != 0:
        return None
    heads = {}
    for line in listed.stdout.decode("utf-8", "surrogateescape").splitlines():
        sha, _, ref = line.partition("\t")
        heads[ref.removeprefix("refs/heads/")] = sha
    return heads


def check_shared_history(
    git: GitRunner, *, remote: str, branch: str, local: str | None, timeout: float | None = None
) -> None:
    """StoreError when pushing `branch` (at commit `local`; None while it has none) would put a root
    commit onto `remote`, which has history that `local` shares nothing with."""
    heads = remote_heads(git, remote, timeout=timeout)
    if not heads:
        return  # an empty remote (this is its first history), or one that cannot be read now
    if local is not None:
        if branch in heads:
            return  # git refuses what does not follow it, and the replay needs a shared commit
        for sha in heads.values():
            if git.ok("cat-file", "-e", f"{sha}^{{commit}}") and git.ok("merge-base", local, sha):
                return
    shown = redact(remote)
    theirs = next((name for name in ("main", "master") if name in heads), sorted(heads)[0])
    state = "has no commit yet" if local is None else "shares no commit with it"
    raise StoreError(
        f"refusing to push: {shown} already has history (branches {', '.join(sorted(heads)[:5])}) "
        f"and the branch {branch} here {state}: its snapshot would start a second, unrelated history "
        f"there. Start from the remote's history: clone it and sync in the clone, or fetch it "
        f"(git fetch {shown}) and check out its branch {theirs}, then sync --push"
    )

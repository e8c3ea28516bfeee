"""Notifications of what sync and drift found (the targets of proxstate.yaml's `notify:`), shared by
those use cases: what they tell, turned into proxstate.notify's terms, sent after the commit and
the push and outside the repository lock, so that nothing the targets do can hold back a commit.

Delivery failures come back as data (`Delivery`); the command reports them and keeps its exit code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from proxstate.app.options import secret_variables
from proxstate.config import ProxstateConfig
from proxstate.diff import ChangeSet
from proxstate.errors import ProxstateError
from proxstate.notify.deliver import Delivery
from proxstate.notify.events import CommitNews, Health, RunNews
from proxstate.notify.state import state_path
from proxstate.notify.weburl import commit_url
from proxstate.store import StateRepo

__all__ = [
    "CommitNews",
    "Delivery",
    "Health",
    "RunNews",
    "commit_link",
    "failure_noted",
    "send_news",
    "split_by_cluster",
    "test_targets",
]

# A template of the commit's web page with `{sha}`, when the remote's address does not tell it.
COMMIT_URL_VARIABLE = "PROXSTATE_COMMIT_URL"


def send_news(
    repo: StateRepo, config: ProxstateConfig, news: RunNews, *, env: Mapping[str, str]
) -> list[Delivery]:
    """Send what the run has to tell to the configured targets; [] when there are none."""
    if not config.notify:
        return []
    from proxstate.notify.dispatch import notify  # Apprise is loaded only when there are targets

    withheld = frozenset(secret_variables(config))
    return notify(news, config.notify, env=env, withheld=withheld, state_file=state_path(repo.common_dir))


def test_targets(
    root: Path, config: ProxstateConfig, *, name: str | None, env: Mapping[str, str]
) -> list[Delivery]:
    """`proxstate notify --test [TARGET]`: a sample message to every target, or the one named."""
    from proxstate.notify.sample import chosen, send_samples

    targets = chosen(config.notify, name)
    withheld = frozenset(secret_variables(config))
    return send_samples(targets, env=env, withheld=withheld, repository=str(StateRepo.open(root).root))


def commit_link(repo: StateRepo, sha: str, *, remote: str, env: Mapping[str, str]) -> str | None:
    """The commit's page on the remote's web interface, when there is one."""
    return commit_url(repo.push_url(remote), sha, template=env.get(COMMIT_URL_VARIABLE) or None)


def split_by_cluster(changeset: ChangeSet, clusters: Sequence[str]) -> dict[str, ChangeSet]:
    """One ChangeSet per cluster read (an empty one for a cluster without drift)."""
    return {
        cluster: ChangeSet(
            base=changeset.base,
            target=changeset.target,
            resources=tuple(r for r in changeset.resources if r.cluster == cluster),
        )
        for cluster in dict.fromkeys(clusters)
    }


def failure_noted(error: ProxstateError, deliveries: list[Delivery]) -> None:
    """Add to the error that ends a run what became of its failure notifications: the command's one
    error line is all the user sees of such a run."""
    failed = [d for d in deliveries if not d.ok]
    if failed:
        said = "; ".join(f"to {d.target}: {d.detail}" for d in failed)
        error.message += f" (the failure notification was not delivered {said})"
        error.args = (error.message,)

"""From what a run has to tell to the messages each target gets, and their delivery.

- changes: one message per commit a sync made, with the changed resources the target asked for.
- drift: a message when a cluster's drift is new or differs from the one last sent to the target,
  again after `remind` while it stays, and one when it is gone.
- failure: a message when a cluster's sync first fails (partly or wholly), again after `remind`
  while it fails, and one when it recovers.

What was sent is remembered in the state file (state.py) only once it was delivered: a message that
could not be delivered is tried again by the next run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from proxstate.diff import ChangeSet
from proxstate.errors import NotifyError
from proxstate.notify import state
from proxstate.notify.deliver import Delivery, send, target_urls
from proxstate.notify.events import Message, RunNews, filtered, fingerprint, wants_cluster
from proxstate.notify.hooks import run_hook
from proxstate.notify.message import body_of, payload, title_of
from proxstate.notify.settings import NotifyTarget


def notify(
    news: RunNews,
    targets: Sequence[NotifyTarget],
    *,
    env: Mapping[str, str],
    withheld: frozenset[str],
    state_file: Path,
    now: datetime | None = None,
) -> list[Delivery]:
    """Compose, deliver and remember; every failure is in the returned deliveries, none raised."""
    now = now or datetime.now(UTC)
    remembered = state.load(state_file)
    messages = compose(news, targets, remembered, now=now)
    deliveries: list[Delivery] = []
    changed = False
    for message in messages:
        delivery = deliver(message, env=env, withheld=withheld, repository=news.repository)
        deliveries.append(delivery)
        if delivery.ok and message.state_key:
            entries = remembered.setdefault(message.target.key, {})
            if message.state_value:
                entries[message.state_key] = message.state_value
            else:
                entries.pop(message.state_key, None)
            changed = True
    if changed:
        try:
            state.save(state_file, remembered)
        except NotifyError as error:
            deliveries.append(Delivery("the notification state", "state", False, error.message))
    return deliveries


def compose(
    news: RunNews, targets: Sequence[NotifyTarget], remembered: dict[str, dict[str, Any]], *, now: datetime
) -> list[Message]:
    messages: list[Message] = []
    for target in targets:
        sent = remembered.get(target.key, {})
        if "changes" in target.on:
            messages += _changes(news, target)
        if "drift" in target.on and news.drift is not None:
            messages += _drift(news.drift, target, sent, now=now)
        if "failure" in target.on:
            messages += _failures(news, target, sent, now=now)
    return messages


def _changes(news: RunNews, target: NotifyTarget) -> list[Message]:
    out = []
    for commit in news.commits:
        changeset = filtered(target, commit.changeset)
        if not wants_cluster(target, commit.cluster) or not changeset.resources:
            continue
        counts = changeset.counts
        what = f"{counts.added} added, {counts.modified} changed, {counts.removed} removed"
        title = f"proxstate: {commit.cluster}: {what}"
        out.append(
            Message(
                target=target,
                event="changes",
                cluster=commit.cluster,
                title=title,
                changeset=changeset,
                url=commit.url,
            )
        )
    return out


def _drift(
    drift: dict[str, ChangeSet], target: NotifyTarget, sent: dict[str, Any], *, now: datetime
) -> list[Message]:
    out = []
    for cluster, full in drift.items():
        if not wants_cluster(target, cluster):
            continue
        changeset = filtered(target, full)
        key = f"drift:{cluster}"
        before = sent.get(key)
        if not changeset.resources:
            if before:
                title = f"proxstate: no drift in {cluster} any more"
                out.append(
                    Message(
                        target=target,
                        event="drift",
                        cluster=cluster,
                        title=title,
                        status="resolved",
                        note=f"The live cluster {cluster} matches the record again.",
                        state_key=key,
                    )
                )
            continue
        mark = fingerprint(changeset)
        status = "new"
        if before and before.get("fingerprint") == mark:
            if not _due(before, target, now):
                continue
            status = "reminder"
        number = len(changeset.resources)
        what = f"{number} resource{'s differ' if number != 1 else ' differs'} from the record"
        title = f"proxstate: {'still ' if status == 'reminder' else ''}drift in {cluster}: {what}"
        value = {"fingerprint": mark, "sent": _iso(now)}
        out.append(
            Message(target=target, event="drift", cluster=cluster, title=title, changeset=changeset,
                    status=status, state_key=key, state_value=value)
        )  # fmt: skip
    return out


def _failures(news: RunNews, target: NotifyTarget, sent: dict[str, Any], *, now: datetime) -> list[Message]:
    out = []
    for health in news.health:
        if not wants_cluster(target, health.cluster, health.label):
            continue
        key = f"failure:{health.label}"
        before = sent.get(key)
        if health.reason is None:
            if before:
                title = f"proxstate: {news.command} of {health.label} recovered"
                out.append(
                    Message(target=target, event="failure", cluster=health.cluster, title=title,
                            status="recovered", since=before.get("since"), state_key=key,
                            note=f"{health.label}: read in full again.")
                )  # fmt: skip
            continue
        status, since = "new", _iso(now)
        if before:
            if not _due(before, target, now):
                continue
            status, since = "reminder", str(before.get("since") or since)
        title = f"proxstate: {news.command} of {health.label} {'still fails' if before else 'failed'}"
        out.append(
            Message(target=target, event="failure", cluster=health.cluster, title=title, status=status,
                    reason=health.reason, since=since, state_key=key,
                    state_value={"since": since, "sent": _iso(now)})
        )  # fmt: skip
    return out


def _due(before: dict[str, Any], target: NotifyTarget, now: datetime) -> bool:
    """Whether a reminder of something already sent is due."""
    if target.remind is None:
        return False
    try:
        last = datetime.fromisoformat(str(before.get("sent")))
    except ValueError:
        return True
    return (now - last).total_seconds() >= target.remind


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def deliver(
    message: Message, *, env: Mapping[str, str], withheld: frozenset[str], repository: str
) -> Delivery:
    """Send one message to its target (a hook runs); what became of it, never an exception."""
    target = message.target
    if target.exec:
        document = payload(message, repository=repository)
        return run_hook(target, document, env=env, withheld=withheld, cwd=Path(repository or "."))
    try:
        urls = target_urls(target, env, repository=Path(repository) if repository else None)
    except NotifyError as error:
        return Delivery(target.label, message.event, False, error.message)
    return send(
        target,
        urls,
        event=message.event,
        title=title_of(message),
        markdown=body_of(message, markdown=True),
        text=body_of(message, markdown=False),
        notify_type=_notify_type(message),
    )


def _notify_type(message: Message) -> str:
    """Apprise's type of message, which services show as a colour or an icon."""
    if message.status in ("recovered", "resolved"):
        return "success"
    return {"failure": "failure", "drift": "warning"}.get(message.event, "info")

"""`proxstate sync`: record the live cluster in the state repository."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from proxstate.app.connection import ConnectionOverrides
from proxstate.app.sync import SyncRequest, SyncResult, sync
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.context import config_at, environment
from proxstate.cli.main import cli
from proxstate.cli.notify_lines import notify_lines
from proxstate.cli.options import Seconds, connection_options, repo_option, warn_if_insecure
from proxstate.cli.sync_lines import detection_lines, not_permitted_line, summary_line
from proxstate.config import parse_kinds
from proxstate.diff import ChangeSet
from proxstate.report import render_text
from proxstate.resources.stateformat import FORMAT_VERSION
from proxstate.safetext import escape_unsafe


@cli.command("sync")
@connection_options
@repo_option
@click.option("--cluster", help="Sync only this cluster of proxstate.yaml (or of the record).")
@click.option(
    "--new-cluster",
    is_flag=True,
    help="--cluster names a cluster recorded for the first time (its connection from flags or the "
    "environment); without it a name neither in proxstate.yaml nor in the record is refused.",
)
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="KIND[,KIND]",
    help="Read only these kinds: cluster, node, qemu, lxc, storage, content, tasks, or a kind of "
    "the declarative configuration (firewall, access, pool, ...; see docs/configuration.md).",
)
@click.option("--branch", help="Commit on this branch (created from --base or HEAD) without checking it out.")
@click.option("--base", help="Where a new --branch starts (default HEAD).")
@click.option("--push", is_flag=True, help="Push the branch; when the remote moved, fetch, rebase and retry.")
@click.option("--remote", default="origin", show_default=True, help="The remote for --push.")
@click.option("-m", "--message", help="A line to add to the commit message.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--task-logs/--no-task-logs", default=None, help="Also record the log of failed tasks.")
@click.option(
    "--deadline",
    type=Seconds(min=1),
    envvar="PROXSTATE_DEADLINE",
    help="Seconds the sync may take (default: sync.deadline of proxstate.yaml, 600); then what was "
    "read is recorded, the rest keeps its last state, exit 3.",
)
@click.option(
    "--no-notify",
    is_flag=True,
    envvar="PROXSTATE_NO_NOTIFY",
    help="Send no notification (the targets of notify: in proxstate.yaml, docs/notifications.md).",
)
@click.pass_obj
def sync_command(
    console: Console,
    /,
    repo: Path,
    cluster: str | None,
    new_cluster: bool,
    only: tuple[str, ...],
    branch: str | None,
    base: str | None,
    push: bool,
    remote: str,
    message: str | None,
    dry_run: bool,
    task_logs: bool | None,
    deadline: float | None,
    no_notify: bool,
    overrides: ConnectionOverrides,
) -> int:
    """Read the cluster and commit a snapshot when something changed.

    Exit status: 0 done (committed or nothing to commit), 1 nothing could be recorded,
    3 committed what could be read while some resources, nodes or (of several) clusters kept their
    last state, or committed but --push failed (the git command that pushes later is printed).
    """
    config = config_at(repo)
    warn_if_insecure(console, overrides, config)
    request = SyncRequest(
        cluster=cluster,
        new_cluster=new_cluster,
        only=parse_kinds(list(only)) if only else None,
        branch=branch,
        base=base,
        push=push,
        remote=remote,
        message=message,
        dry_run=dry_run,
        task_logs=task_logs,
        deadline=deadline,
        notify=not no_notify,
        overrides=overrides,
    )
    with console.progress("sync") as progress:
        result = sync(
            repo, config=config, request=request, env=environment(), progress=progress, notice=console.notice
        )
    if result.migrated:
        console.out(f"migrated the record to state format {FORMAT_VERSION}: committed {result.migrated[:12]}")
    for done in result.clusters:
        if dry_run and done.plan.changes:
            changeset = ChangeSet(base=done.base, target=None, resources=tuple(done.plan.changes))
            console.out(render_text(changeset, color=console.color))
        console.out(summary_line(done, dry_run=dry_run))
        if done.plan.not_permitted:
            console.out(not_permitted_line(done))
        for line in detection_lines(done):
            console.out(line)
        for failure in done.plan.failures:
            if not failure.node_unreachable:
                what = escape_unsafe(failure.resource_id)
                console.warn(f"kept the last state of {what}: {escape_unsafe(failure.reason)}")
    for failed in result.failed:
        console.warn(f"cluster {failed.cluster} was not recorded: {escape_unsafe(failed.reason)}")
    if result.maintenance_failure is not None:
        console.warn(escape_unsafe(result.maintenance_failure))
    if result.pushed:
        console.out(f"pushed to {remote}")
    if result.push_failure is not None:
        push_failure_lines(console, repo, result, remote=remote)
    notify_lines(console, result.notified, to_stdout=True)
    return exitcodes.PARTIAL if result.partial else exitcodes.OK


def push_failure_lines(console: Console, repo: Path, result: SyncResult, *, remote: str) -> None:
    """What was committed, why it is not on the remote, and the git command that pushes it later."""
    made = [done.commit[:12] for done in result.clusters if done.commit]
    if result.migrated:
        made.insert(0, result.migrated[:12])
    what = f"committed {', '.join(made)} locally" if made else "the local commits are kept"
    console.warn(f"{what}, but the push to {remote} failed: {result.push_failure}")
    command = shlex.join(["git", "-C", str(repo.resolve()), "push", remote, str(result.branch)])
    console.err(f"proxstate: push them later with: {escape_unsafe(command)}")

"""`proxstate watch`: record changes as they happen, one commit per burst, until stopped."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType

import click

from proxstate.app.connection import ConnectionOverrides
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.context import config_at, environment
from proxstate.cli.main import cli
from proxstate.cli.notify_lines import notify_lines
from proxstate.cli.options import Seconds, connection_options, repo_option, warn_if_insecure
from proxstate.cli.sync_lines import not_permitted_line, summary_line
from proxstate.safetext import escape_unsafe
from proxstate.watch import WatchEvent, WatchRequest, watch


@contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM (systemd's stop) and SIGINT (Ctrl-C) end the watch after what it is doing: a commit
    in progress is finished, never cut."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    before = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in before.items():
            signal.signal(sig, old)


def _line(console: Console, event: WatchEvent) -> None:
    stamp = datetime.now().astimezone().strftime("%H:%M:%S")
    if event.what == "lost":
        console.warn(f"{stamp} lost contact with the cluster: {escape_unsafe(event.reason)}; retrying")
        return
    if event.what == "back":
        console.out(f"{stamp} the cluster answers again: a sweep reads what changed meanwhile")
        return
    if event.what == "busy":
        console.warn(f"{stamp} {escape_unsafe(event.reason)}; trying again at the next poll")
        return
    head = "sweep"
    if event.what == "burst":
        named = [
            escape_unsafe(rid)
            + (f" ({', '.join(sorted(escape_unsafe(a) for a in who if a))})" if any(who) else "")
            for rid, who in sorted(event.guests.items())
        ]
        head = "changed: " + ", ".join(named)
    result = event.result
    for done in result.clusters if result else []:
        console.out(f"{stamp} {head}: {summary_line(done, dry_run=False)}")
        if event.what == "sweep" and done.plan.not_permitted:  # Sys.Syslog limits attribution, ...
            console.out(f"{stamp} {not_permitted_line(done)}")
    for failed in result.failed if result else []:
        console.warn(f"{stamp} cluster {failed.cluster} was not recorded: {escape_unsafe(failed.reason)}")
    if result and result.push_failure:
        console.warn(
            f"{stamp} the push failed: {escape_unsafe(result.push_failure)}; the next commit retries it"
        )
    if result:
        notify_lines(console, result.notified, to_stdout=True)


@cli.command("watch")
@connection_options
@repo_option
@click.option("--cluster", help="Watch only this cluster of proxstate.yaml.")
@click.option(
    "--interval",
    type=Seconds(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds between two polls of the cluster (three requests each).",
)
@click.option(
    "--sweep",
    type=click.FloatRange(min=0.01),
    default=60.0,
    show_default=True,
    help="Minutes between two full syncs, which see what leaves no trace (container configs, "
    "firewall, storage, the declarative configuration).",
)
@click.option("--push", is_flag=True, help="Push each commit, as sync --push does.")
@click.option("--remote", default="origin", show_default=True, help="The remote for --push.")
@click.option("--max-polls", type=click.IntRange(min=1), help="Stop after N polls (the first sweep is one).")
@click.option(
    "--no-notify",
    is_flag=True,
    envvar="PROXSTATE_NO_NOTIFY",
    help="Send no notification (the targets of notify: in proxstate.yaml, docs/notifications.md).",
)
@click.pass_obj
def watch_command(
    console: Console,
    /,
    repo: Path,
    cluster: str | None,
    interval: float,
    sweep: float,
    push: bool,
    remote: str,
    max_polls: int | None,
    no_notify: bool,
    overrides: ConnectionOverrides,
) -> int:
    """Record changes as they happen: a full sync first, then every --interval seconds a poll of the
    cluster-wide task list, cluster log and resource list, and a commit of the guests they name,
    with who made the change; a full sync every --sweep minutes. Stops on SIGTERM or Ctrl-C (exit 0).
    """
    config = config_at(repo)
    warn_if_insecure(console, overrides, config)
    request = WatchRequest(
        interval=interval,
        sweep=sweep * 60,
        push=push,
        remote=remote,
        cluster=cluster,
        max_polls=max_polls,
        notify=not no_notify,
        overrides=overrides,
    )
    stop = threading.Event()
    console.out(f"watching every {interval:g} s, a sweep every {sweep:g} min (stop: Ctrl-C or SIGTERM)")
    with _stopped_by_signals(stop):
        polls = watch(
            repo,
            config=config,
            request=request,
            env=environment(),
            stop=stop,
            report=lambda e: _line(console, e),
        )
    console.out(f"stopped after {polls} poll{'s' if polls != 1 else ''}")
    return exitcodes.OK

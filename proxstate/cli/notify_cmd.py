"""`proxstate notify`: the notification targets of proxstate.yaml, and `--test` to send a sample."""

from __future__ import annotations

from pathlib import Path

import click

from proxstate.app.notifications import test_targets
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.context import config_at, environment
from proxstate.cli.main import cli
from proxstate.cli.notify_lines import notify_lines
from proxstate.cli.options import repo_option
from proxstate.errors import UsageError
from proxstate.safetext import escape_unsafe


@cli.command("notify")
@click.argument("target", required=False)
@repo_option
@click.option("--test", "send_test", is_flag=True, help="Send a sample message to the targets (or TARGET).")
@click.pass_obj
def notify_command(console: Console, /, target: str | None, repo: Path, send_test: bool) -> int:
    """List the notification targets of proxstate.yaml; with --test, send each a sample message.

    TARGET is a target's name, its `$VARIABLE` (url_env), its file (url_file) or its number in
    the list. The sample is a made-up change of a VM, in the form the target gets real ones;
    nothing is remembered. Targets are never shown by their URL (docs/notifications.md).

    Exit status: 0 listed, or every sample delivered; 1 a sample was not delivered (the reason on
    stderr); 64 no such target.
    """
    config = config_at(repo)
    if not config.notify:
        raise UsageError("proxstate.yaml has no notify: targets (docs/notifications.md)")
    if not send_test:
        if target is not None:
            raise UsageError("TARGET is for --test: proxstate notify --test TARGET")
        for number, entry in enumerate(config.notify, start=1):
            filters = [
                f"{key}: {', '.join(getattr(entry, key))}"
                for key in ("clusters", "kinds", "classes")
                if getattr(entry, key)
            ]
            line = f"{number} {entry.label}: {', '.join(entry.on)}" + (
                f" ({'; '.join(filters)})" if filters else ""
            )
            console.out(escape_unsafe(line))
        return exitcodes.OK
    deliveries = test_targets(repo, config, name=target, env=environment())
    notify_lines(console, deliveries, to_stdout=True)
    return exitcodes.OK if all(d.ok for d in deliveries) else exitcodes.ERROR

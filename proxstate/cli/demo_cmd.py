"""`proxstate demo [DIR]`: run proxstate against the built-in demo cluster."""

from __future__ import annotations

from pathlib import Path

import click

from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.main import cli
from proxstate.cli.sync_lines import summary_line
from proxstate.errors import UsageError
from proxstate.report import render_text


@cli.command("demo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("proxstate-demo"))
@click.pass_obj
def demo_command(console: Console, /, directory: Path) -> int:
    """Sync the built-in demo cluster into DIRECTORY, change it, sync again, show the changes.

    The demo cluster is a fake PVE API on 127.0.0.1 (three nodes, twenty guests, storages, a pool,
    tasks); nothing leaves this machine.
    """
    if directory.exists() and any(directory.iterdir()):
        raise UsageError(f"{directory} is not empty: give a new folder (proxstate demo DIR) or remove it")
    from proxstate.demo.run import run_demo

    def step(text: str) -> None:
        console.err(click.style("» ", fg="cyan") + text if console.color else "» " + text)

    result = run_demo(directory, step=step)
    for label, synced in (("first sync", result.first), ("second sync", result.second)):
        for done in synced.clusters:
            console.err(f"{label}: {summary_line(done, dry_run=False)}")
    console.out()
    console.out(render_text(result.changes, color=console.color).rstrip("\n"))
    console.out()
    console.out("Drift of the live cluster against the last snapshot:")
    console.out(render_text(result.drift, color=console.color).rstrip("\n"))
    where = str(directory)
    console.out()
    console.out("Try next:")
    for hint in (
        f"git -C {where} log --stat",
        f"git -C {where} log -p -1",
        f"proxstate log qemu/101 -C {where}",
        f"proxstate show-changes -C {where} --format markdown",
        f"proxstate list-vms -C {where}",
        f"proxstate show lxc/202 -C {where}",
    ):
        console.out(f"  {hint}")
    return exitcodes.OK

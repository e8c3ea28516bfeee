"""`proxstate init [DIR]`: create a state repository from the template."""

from __future__ import annotations

from pathlib import Path

import click

from proxstate.app.init import init_repository
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.main import cli


@cli.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option(
    "--force",
    is_flag=True,
    help=(
        "Overwrite files of the template that already exist; set up a git repository proxstate did "
        "not create, or create one inside another."
    ),
)
@click.pass_obj
def init_command(console: Console, /, directory: Path, force: bool) -> int:
    """Create a state repository in DIRECTORY (default: here): git init, proxstate.yaml, README."""
    result = init_repository(directory, force=force)
    verb = "created" if result.created_repo else "updated"
    console.out(f"{verb} state repository {result.root}: {', '.join(result.written)}")
    if result.commit:
        console.out(f"committed {result.commit[:12]} proxstate init")
    else:
        console.out("review the files and commit them (git add -A && git commit)")
    console.out(
        f"next: edit {result.root / 'proxstate.yaml'}, set PROXSTATE_TOKEN, "
        f"run `proxstate sync -C {result.root}`"
    )
    return exitcodes.OK

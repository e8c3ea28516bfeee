"""`proxstate demo [DIR]`: run proxstate against the built-in demo cluster."""

from __future__ import annotations

import shlex
import signal
import time
from pathlib import Path
from types import FrameType

import click

from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.main import cli
from proxstate.cli.sync_lines import summary_line
from proxstate.demo.server import DemoServer, require_fakepve
from proxstate.errors import UsageError
from proxstate.report import render_text


@cli.command("demo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("proxstate-demo"))
@click.option(
    "--serve",
    is_flag=True,
    help="Keep the demo cluster up on 127.0.0.1 afterwards, print the environment for sync, drift and "
    "show-changes in DIRECTORY and a command that changes the cluster; Ctrl-C stops it (exit 0).",
)
@click.pass_obj
def demo_command(console: Console, /, directory: Path, serve: bool) -> int:
    """Sync the built-in demo cluster into DIRECTORY, change it, sync again, show the changes.

    The demo cluster is a fake PVE API on 127.0.0.1 (three nodes, twenty guests, storages, a pool,
    tasks); nothing leaves this machine. It needs the `demo` extra, which brings the fake:
    pip install 'proxstate[demo]'.
    """
    require_fakepve()
    if directory.exists() and any(directory.iterdir()):
        raise UsageError(f"{directory} is not empty: give a new folder (proxstate demo DIR) or remove it")
    from proxstate.demo.run import MASK_KEY, demo_session

    def step(text: str) -> None:
        console.err(click.style("» ", fg="cyan") + text if console.color else "» " + text)

    with demo_session(directory, step=step) as (server, result):
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
        if serve:
            for line in serve_lines(server, where, mask_key=MASK_KEY):
                console.out(line)
            _wait_for_interrupt()
            console.err("demo cluster stopped")
            return exitcodes.OK
        console.out("Try next:")
        for hint in (
            f"git -C {where} log --stat",
            f"git -C {where} log -p -1",
            f"proxstate log qemu/101 -C {where}",
            f"proxstate show-changes -C {where} --format markdown",
            f"proxstate list-vms -C {where}",
            f"proxstate show lxc/202 -C {where}",
            f"proxstate demo --serve {where}-live    # the demo cluster stays up: sync and drift it yourself",
        ):
            console.out(f"  {hint}")
    return exitcodes.OK


def serve_lines(server: DemoServer, where: str, *, mask_key: str) -> list[str]:
    """What `demo --serve` prints: the environment of the demo cluster and a change to make to it."""
    # The token exists only in this process's fake server and dies with it: printing it is safe,
    # and the user needs it to run proxstate against the fake.
    api = f"{server.url}/api2/json"
    return [
        f"The demo cluster keeps serving at {server.url} (loopback only) until Ctrl-C.",
        "In another terminal (the token is a throwaway of this fake server, gone when it stops):",
        "",
        f"  cd {shlex.quote(where)}",
        f"  export PROXSTATE_URL={server.url}",
        f"  export PROXSTATE_FINGERPRINT={server.fingerprint}",
        f"  export PROXSTATE_TOKEN='{server.token}'",
        f"  export PROXSTATE_MASK_KEY={mask_key}",
        f"  export DEMO_ADMIN_TOKEN='{server.admin_token}'   # who changes the cluster below",
        "  proxstate drift          # web01 (101): its tags changed since the last snapshot",
        "  proxstate sync           # records that as a new snapshot",
        "  proxstate show-changes",
        "(pve3 stays offline, as the demo left it: sync and drift name what they could not read there)",
        "",
        "Change the demo cluster through its API, as alice@pve!ci would on PVE (here: win-build's memory):",
        "",
        f"  curl -sS --cacert {shlex.quote(str(server.ca_file))} "
        '-H "Authorization: PVEAPIToken=$DEMO_ADMIN_TOKEN" '
        f"-X PUT -d memory=12288 {api}/nodes/pve2/qemu/104/config",
        "",
        "then `proxstate drift` shows it and `proxstate sync` records it, by alice@pve!ci;",
        "or run `proxstate watch` first, and watch it committed within seconds.",
    ]


def _wait_for_interrupt() -> None:
    """Block until Ctrl-C or SIGTERM; both end the demo normally, so that the server is stopped.

    SIGINT is handled here even where the shell ignores it (a job started with `&` in a script).
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)

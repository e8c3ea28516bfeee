"""The `proxstate` command group and the one place where exceptions become exit codes.

Commands are plain functions that return an exit code; `main()` runs the group without click's
standalone mode so that usage errors exit with 64 (sysexits EX_USAGE) instead of click's 2, which
`drift` uses for "drift found". Expected failures print one line on stderr; `--debug` adds the
traceback and debug logging (which never contains secrets). Any other exception is a bug: one line
too, and exit 70 (see crash.py).
"""

from __future__ import annotations

import importlib
import logging
import sys
import traceback

import click

from proxstate import __version__
from proxstate.cli import crash, exitcodes
from proxstate.cli.console import Console, echo, safe_streams
from proxstate.cli.leave import leave
from proxstate.errors import ProxstateError, UsageError
from proxstate.safetext import escape_unsafe

# Command name -> the module that defines it (named after the command; the discover-* and list-*
# families share one each). A command's module (and the libraries it needs) is
# imported only when that command runs, which keeps `proxstate show-changes` from loading httpx.
COMMANDS = {
    "blame": "blame_cmd",
    "check": "check_cmd",
    "check-token": "check_token_cmd",
    "demo": "demo_cmd",
    "discover-all": "discover_cmd",
    "discover-containers": "discover_cmd",
    "discover-nodes": "discover_cmd",
    "discover-storage": "discover_cmd",
    "discover-tasks": "discover_cmd",
    "discover-vms": "discover_cmd",
    "drift": "drift_cmd",
    "init": "init_cmd",
    "list-containers": "list_cmd",
    "list-nodes": "list_cmd",
    "list-storage": "list_cmd",
    "list-tasks": "list_cmd",
    "list-vms": "list_cmd",
    "log": "log_cmd",
    "notify": "notify_cmd",
    "query": "query_cmd",
    "scan": "scan_cmd",
    "revert": "revert_cmd",
    "show": "show_cmd",
    "show-changes": "show_changes_cmd",
    "site": "site_cmd",
    "sync": "sync_cmd",
    "watch": "watch_cmd",
}


class LazyGroup(click.Group):
    """A group whose commands are imported when they are looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"proxstate.cli.{module}")
        return self.commands.get(cmd_name)


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, "--version", prog_name="proxstate")
@click.option(
    "--debug",
    is_flag=True,
    envvar="PROXSTATE_DEBUG",
    help="Show debug logs and tracebacks (also after the command: sync --debug).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Record the state of Proxmox VE clusters in Git, and report what changed."""
    ctx.obj = Console(debug=debug)
    if debug:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("httpcore").setLevel(logging.WARNING)
        logging.getLogger("git").setLevel(logging.INFO)


def debug_first(args: list[str]) -> list[str]:
    """`proxstate sync --debug` as `proxstate --debug sync`: --debug is the group's option, and an
    administrator adds it at the end of the command that just failed. Only before a `--`, which ends
    the options."""
    end = args.index("--") if "--" in args else len(args)
    if "--debug" not in args[1:end]:
        return args
    return ["--debug"] + [arg for index, arg in enumerate(args) if index >= end or arg != "--debug"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: run a command and exit with its code."""
    args = debug_first(list(argv if argv is not None else sys.argv[1:]))
    debug = "--debug" in args
    safe_streams()
    try:
        code = cli.main(args=args, prog_name="proxstate", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.Abort as exc:
        # click turns Ctrl-C into Abort: it is still an interrupt, 130 as shells report it.
        interrupted = isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt)
        echo("proxstate: interrupted" if interrupted else "proxstate: aborted", err=True)
        code = exitcodes.INTERRUPTED if interrupted else exitcodes.ERROR
    except click.UsageError as exc:
        exc.show()
        code = exitcodes.USAGE
    except click.ClickException as exc:
        exc.show()
        code = exitcodes.ERROR
    except UsageError as exc:
        echo(f"proxstate: {escape_unsafe(exc.message)}", err=True)
        code = exitcodes.USAGE
    except ProxstateError as exc:
        if debug:
            traceback.print_exc()
        echo(f"proxstate: error: {escape_unsafe(exc.message)}", err=True)
        code = exitcodes.ERROR
    except KeyboardInterrupt:
        echo("proxstate: interrupted", err=True)
        code = exitcodes.INTERRUPTED
    except Exception as exc:  # anything else is a bug: said in one line, not with a traceback
        if debug:
            echo(crash.traceback_text(exc), err=True, nl=False)
            echo(f"proxstate: {crash.summary(exc)}", err=True)
        else:
            echo(f"proxstate: {crash.summary(exc)}; run with --debug for the traceback", err=True)
        code = exitcodes.INTERNAL
    sys.exit(code if isinstance(code, int) else exitcodes.OK)


def run() -> None:
    """The console script and `python -m proxstate`: main, then the process ends without the
    interpreter's teardown (cli/leave.py). main() itself only raises SystemExit, for a caller
    that goes on (the tests)."""
    try:
        main()
    except SystemExit as done:
        leave(done.code if isinstance(done.code, int) else exitcodes.OK)

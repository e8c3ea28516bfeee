"""The `proxstate` command group and the one place where exceptions become exit codes.

Commands are plain functions that return an exit code; `main()` runs the group without click's
standalone mode so that usage errors exit with 64 (sysexits EX_USAGE) instead of click's 2, which
`drift` uses for "drift found". Expected failures print one line on stderr; `--debug` adds the
traceback and debug logging (which never contains secrets).
"""

from __future__ import annotations

import logging
import sys
import traceback

import click

from proxstate import __version__
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.errors import ProxstateError, UsageError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="proxstate")
@click.option("--debug", is_flag=True, envvar="PROXSTATE_DEBUG", help="Show debug logs and tracebacks.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Record the state of Proxmox VE clusters in Git, and report what changed."""
    ctx.obj = Console(debug=debug)
    if debug:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("httpcore").setLevel(logging.WARNING)
        logging.getLogger("git").setLevel(logging.INFO)


def _register() -> None:
    # Each command lives in its own module; importing them adds them to the group.
    from proxstate.cli import (  # noqa: F401
        demo_cmd,
        discover_cmd,
        drift_cmd,
        history_cmd,
        init_cmd,
        list_cmd,
        sync_cmd,
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: run a command and exit with its code."""
    _register()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        code = cli.main(args=argv, prog_name="proxstate", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.Abort:
        click.echo("proxstate: aborted", err=True)
        code = exitcodes.ERROR
    except click.UsageError as exc:
        exc.show()
        code = exitcodes.USAGE
    except click.ClickException as exc:
        exc.show()
        code = exitcodes.ERROR
    except UsageError as exc:
        click.echo(f"proxstate: {exc.message}", err=True)
        code = exitcodes.USAGE
    except ProxstateError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"proxstate: error: {exc.message}", err=True)
        code = exitcodes.ERROR
    except KeyboardInterrupt:
        click.echo("proxstate: interrupted", err=True)
        code = 130
    sys.exit(code if isinstance(code, int) else exitcodes.OK)

"""Write docs/cli.md from the click definitions, so the reference never drifts from the code.

Usage: python scripts/generate_cli_docs.py [--check]
With --check, exit 1 when docs/cli.md is not what this script would write.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import click

from proxstate.cli.main import cli

TARGET = Path(__file__).resolve().parent.parent / "docs" / "cli.md"

INTRO = """# Command line reference

Generated from the command definitions by `scripts/generate_cli_docs.py`; do not edit by hand.

## Exit codes

| code | meaning |
|---|---|
| 0 | success; for `drift`: no drift |
| 1 | error: nothing useful was done; one line on stderr says why (`--debug` adds the traceback) |
| 2 | `drift`: the live cluster differs from the recorded state; `check`: the record breaks a rule of the policy (not waived; with `--since`, a new violation); `scan`: the history holds secrets |
| 3 | partial: some resources or nodes could not be read and kept their last state (for `drift`: no drift among what could be read, but drift is unknown for the rest); for `sync --push`: committed, but the push failed |
| 64 | the command line is wrong (unknown option, bad value) |
| 70 | internal error: a bug in proxstate (an exception it did not expect); one line names its type and place, `--debug` adds the traceback. Please report it |
| 120 | the command's output could not be written out at the end (a pipe closed early, a full disk), as Python's own exit reports it |
| 130 | interrupted (Ctrl-C, SIGINT), as shells report 128 + the signal number |

## Environment

| variable | meaning |
|---|---|
| `PROXSTATE_URL`, `PROXSTATE_USER`, `PROXSTATE_CA_CERT`, `PROXSTATE_FINGERPRINT`, `PROXSTATE_INSECURE`, `PROXSTATE_TIMEOUT`, `PROXSTATE_CONCURRENCY` | the connection flags of the same name |
| `PROXSTATE_TOKEN` | an API token, `USER@REALM!TOKENID=SECRET` |
| `PROXSTATE_TOKEN_ID` + `PROXSTATE_TOKEN_SECRET` | the same in two parts |
| `PROXSTATE_PASSWORD` | the password for `--user` (a ticket login) |
| `PROXSTATE_TOKEN_FILE`, `PROXSTATE_TOKEN_SECRET_FILE`, `PROXSTATE_PASSWORD_FILE` | a file holding the secret instead |
| `PROXSTATE_MASK_KEY` | the key of the keyed hash that masks secrets in the record (see security.md) |
| `PROXSTATE_REPO` | the state repository (`-C`) |
| `PROXSTATE_DEBUG` | as `--debug` |
| `NO_COLOR`, `FORCE_COLOR` | colour off / on |
| `CI`, `PROXSTATE_NO_PROGRESS` | no progress bar (it is shown only on a terminal anyway) |

Secrets have no command-line flag on purpose: a flag would show in `ps` and in shell history.
"""


def _usage(command: click.Command, name: str) -> str:
    ctx = click.Context(command, info_name=f"proxstate {name}")
    pieces = command.collect_usage_pieces(ctx)
    return f"proxstate {name} " + " ".join(pieces)


def _options(command: click.Command) -> list[str]:
    rows = ["| option | meaning |", "|---|---|"]
    for param in command.params:
        if not isinstance(param, click.Option) or param.hidden:
            continue
        names = ", ".join(f"`{n}`" for n in (*param.opts, *param.secondary_opts))
        text = (param.help or "").replace("|", "\\|")
        if param.envvar:
            text += f" (env `{param.envvar}`)"
        if param.show_default and param.default not in (None, False, ()):
            text += f" Default: `{param.default}`."
        if isinstance(param.type, click.Choice):
            text += " One of: " + ", ".join(f"`{c}`" for c in param.type.choices) + "."
        rows.append(f"| {names} | {text.strip()} |")
    return rows


def render() -> str:
    parts = [INTRO]
    ctx = click.Context(cli, info_name="proxstate")
    for name in cli.list_commands(ctx):  # the group imports each command's module as it is asked
        command = cli.get_command(ctx, name)
        assert command is not None, name
        parts.append(f"## `proxstate {name}`\n")
        parts.append(f"```\n{_usage(command, name)}\n```\n")
        parts.append(inspect.cleandoc(click.unstyle(command.help or "")) + "\n")
        rows = _options(command)
        if len(rows) > 2:
            parts.append("\n".join(rows) + "\n")
    return "\n".join(parts)


def main() -> int:
    text = render()
    if "--check" in sys.argv[1:]:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python scripts/generate_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

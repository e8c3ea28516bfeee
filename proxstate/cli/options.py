"""Options shared by several commands: connection settings, the repository, output format.

Connection flags each have a PROXSTATE_* environment variable. Secrets have no flag at all: a
token or password on a command line would show in `ps` and shell history, so they come only from
the environment (PROXSTATE_TOKEN, PROXSTATE_TOKEN_ID + PROXSTATE_TOKEN_SECRET, PROXSTATE_PASSWORD,
or *_FILE variables naming a file that holds them).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

if TYPE_CHECKING:
    from proxstate.app.connection import ConnectionOverrides
    from proxstate.cli.console import Console
    from proxstate.config import ProxstateConfig

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("table", "json", "yaml", "csv")


def _given(value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
    """The value as the user gave it: `PROXSTATE_TIMEOUT=inf` when it came from the environment."""
    if ctx is None or param is None or param.name is None:
        return repr(value)
    if ctx.get_parameter_source(param.name) is ParameterSource.ENVIRONMENT:
        return f"{param.envvar}={value}"
    return repr(value)


class Seconds(click.FloatRange):
    """A finite number of seconds: `inf` and `nan` pass a float range, and would turn a bound off."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, float) and math.isfinite(value):
            return super().convert(value, param, ctx)
        why = f"{_given(value, param, ctx)} is not a finite number of seconds of at least {self.min:g}"
        try:
            seconds = super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(why, param, ctx)
        if not math.isfinite(seconds):
            self.fail(why, param, ctx)
        return seconds


def connection_options(func: Callable[..., int]) -> Callable[..., int]:
    """--url, --user, --ca-cert, --fingerprint, --insecure, --timeout, --concurrency, given to the
    command as one typed value: its keyword argument `overrides`, a ConnectionOverrides."""
    from proxstate.app.connection import ConnectionOverrides

    # Like click's own pass_obj: the wrapper takes the seven parsed values by name and hands the
    # rest on untouched, so the command's signature names every option it gets.
    @functools.wraps(func)
    def with_overrides(
        *args: Any,
        url: str | None,
        user: str | None,
        ca_cert: Path | None,
        fingerprint: str | None,
        insecure: bool | None,
        timeout: float | None,
        concurrency: int | None,
        **options: Any,
    ) -> int:
        overrides = ConnectionOverrides(
            url=url,
            user=user,
            ca_cert=ca_cert,
            fingerprint=fingerprint,
            insecure=insecure,
            timeout=timeout,
            concurrency=concurrency,
        )
        return func(*args, overrides=overrides, **options)

    decorators = [
        click.option(
            "--url", envvar="PROXSTATE_URL", help="PVE address: host, host:port or https://host:8006."
        ),
        click.option(
            "--user", envvar="PROXSTATE_USER", help="USER@REALM for a password login (PROXSTATE_PASSWORD)."
        ),
        click.option(
            "--ca-cert",
            envvar="PROXSTATE_CA_CERT",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="CA bundle that signed the PVE certificate.",
        ),
        click.option(
            "--fingerprint",
            envvar="PROXSTATE_FINGERPRINT",
            help=(
                "SHA-256 fingerprint of the PVE certificate (AB:CD:..., or the line openssl's"
                " -fingerprint -sha256 prints), pinned instead of a CA."
            ),
        ),
        click.option(
            "--insecure",
            is_flag=True,
            default=None,
            envvar="PROXSTATE_INSECURE",
            help="Do not verify the TLS certificate (warns every time).",
        ),
        click.option(
            "--timeout",
            type=Seconds(min=0.1),
            envvar="PROXSTATE_TIMEOUT",
            help="Seconds to wait for a connection or an answer.",
        ),
        click.option(
            "--concurrency",
            type=click.IntRange(1, 64),
            envvar="PROXSTATE_CONCURRENCY",
            help=(
                "Requests in flight at most, in total (default 16; on one node at most"
                " node_concurrency of proxstate.yaml, default 3)."
            ),
        ),
    ]
    decorated: Callable[..., int] = with_overrides
    for decorate in reversed(decorators):
        decorated = decorate(decorated)
    return decorated


def warn_if_insecure(console: Console, overrides: ConnectionOverrides, config: ProxstateConfig) -> None:
    """Every run that turns TLS verification off says so, whether by flag, variable or file."""
    if overrides.insecure or any(cluster.tls.insecure for cluster in config.clusters):
        console.warn_insecure()


def _repository_top(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """The top of the repository `value` is in, as git finds it from a subfolder; `value` itself
    when it is in none (the command then says it is not a state repository)."""
    from proxstate.store import find_top

    return find_top(value) or value


def repo_option(func: F) -> F:
    return click.option(
        "-C",
        "--repo",
        "repo",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        envvar="PROXSTATE_REPO",
        show_default=True,
        callback=_repository_top,
        help="The state repository, or any folder in it.",
    )(func)


def format_option(choices: tuple[str, ...] = FORMATS, default: str = "table") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )

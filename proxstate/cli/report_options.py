"""The options of the change reports (show-changes, drift): what to show and how much of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from proxstate.config import parse_kinds
from proxstate.diff import ChangeClass, parse_classes
from proxstate.errors import ProxstateError

CLASS_NAMES = ", ".join(str(change_class) for change_class in ChangeClass)


def _classes(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> frozenset[ChangeClass] | None:
    try:
        return parse_classes(value) if value else None
    except ProxstateError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from error


def _kinds(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> frozenset[str] | None:
    try:
        return parse_kinds(list(value)) if value else None
    except ProxstateError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from error


def report_options(func: Callable[..., int]) -> Callable[..., int]:
    """`--class`, `--kind` and `--full`, handed on as `classes`, `kinds` and `full`."""
    options: list[Callable[[Any], Any]] = [
        click.option(
            "--class",
            "classes",
            multiple=True,
            metavar="CLASS[,CLASS]",
            callback=_classes,
            help=f"Only changes of these classes ({CLASS_NAMES}).",
        ),
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            metavar="KIND[,KIND]",
            callback=_kinds,
            help="Only resources of these kinds (qemu, lxc, firewall, access, ...).",
        ),
        click.option("--full", is_flag=True, help="Every field of added and removed resources."),
    ]
    for option in reversed(options):
        func = option(func)
    return func

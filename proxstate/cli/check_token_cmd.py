"""`proxstate check-token`: what the configured login can and cannot record, and why."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from proxstate.app.connection import ConnectionOverrides
from proxstate.app.tokencheck import TokenCheck, check_token
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.context import config_at, environment
from proxstate.cli.main import cli
from proxstate.cli.options import (
    connection_options,
    format_option,
    repo_option,
    warn_if_insecure,
)
from proxstate.report.values import escape_unsafe


def as_json(checks: list[TokenCheck]) -> str:
    data: dict[str, Any] = {
        "clusters": [
            {
                "cluster": check.cluster,
                "login": check.login,
                "version": check.version,
                "clean": check.clean,
                "surplus": list(check.surplus),
                "kinds": [
                    {"kind": kind.kind, "status": kind.status, "gaps": [asdict(gap) for gap in kind.gaps]}
                    for kind in check.kinds
                ],
            }
            for check in checks
        ]
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def as_text(check: TokenCheck) -> str:
    pve = f" (PVE {escape_unsafe(check.version)})" if check.version else ""
    lines = [f"{escape_unsafe(check.cluster)}{pve}: {escape_unsafe(check.login)}"]
    full = [kind.kind for kind in check.kinds if kind.status == "full"]
    if full:
        lines.append("  records in full: " + ", ".join(full))
    gaps = [(kind, gap) for kind in check.kinds for gap in kind.gaps]
    extras = [gap for _, gap in gaps if gap.extra]
    missing = [(kind, gap) for kind, gap in gaps if not gap.extra]
    if missing:
        lines.append("  lacks (syncs keep the last state of these and exit 3):")
        lines += [
            f"    {gap.resources}: {'lists only part of' if gap.partly else 'cannot read'} "
            f"{gap.endpoint}; needs {gap.needs}"
            for _, gap in missing
        ]
    if extras:
        lines.append("  not recorded by design (needs more than PVEAuditor on /; syncs say so once):")
        lines += [f"    {gap.resources}: needs {gap.needs}" for gap in extras]
    if check.surplus:
        lines.append(
            "  holds more than proxstate asks for (it only reads; a role with less is safer): "
            + ", ".join(check.surplus)
        )
    return "\n".join(lines)


@cli.command("check-token")
@connection_options
@repo_option
@click.option("--cluster", help="Check only this cluster of proxstate.yaml.")
@format_option(("text", "json"), default="text")
@click.pass_obj
def check_token_command(
    console: Console, /, repo: Path, cluster: str | None, fmt: str, overrides: ConnectionOverrides
) -> int:
    """Say what the configured login can record, and which privilege each missing kind needs.

    Reads the login's effective privileges from PVE (GET /access/permissions) for every cluster of
    proxstate.yaml and the kinds it records. Exit status: 0 the login can record every kind except
    what needs more than PVEAuditor on / (named, not a failure of a sync), 3 it lacks a privilege
    of PVEAuditor, so syncs will keep the last state of some kinds, 1 error.
    """
    config = config_at(repo)
    warn_if_insecure(console, overrides, config)
    checks = check_token(config, cluster=cluster, overrides=overrides, env=environment())
    if fmt == "json":
        console.out(as_json(checks))
    else:
        console.out("\n\n".join(as_text(check) for check in checks))
    return exitcodes.OK if all(check.clean for check in checks) else exitcodes.PARTIAL

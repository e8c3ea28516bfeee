"""What `proxstate check-token` says: per cluster, what the login can record and what it lacks."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from proxstate.report.values import escape_unsafe

if TYPE_CHECKING:
    from proxstate.app.tokencheck import TokenCheck

TOKEN_FORMATS = ("text", "json")


def _json(checks: list[TokenCheck]) -> str:
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


def _text(check: TokenCheck) -> str:
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


def render_token_checks(checks: list[TokenCheck], fmt: str) -> str:
    """Each cluster's check as `text` (a blank line between clusters) or one `json` document."""
    if fmt == "json":
        return _json(checks)
    return "\n\n".join(_text(check) for check in checks)

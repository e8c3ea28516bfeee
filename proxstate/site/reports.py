"""The drift page and the policy page.

- `drift.html`: the drift report given with `--drift-report FILE` (what `proxstate drift --format
  json` wrote, site/driftfile.py), each resource worded as on the snapshot pages; without one, a
  sentence saying how to make one.
- `policy.html`: `proxstate check` of the newest snapshot, run here with proxstate's own check
  core (app/check.py: the built-in rules as policy.yaml changes them), the findings per rule. It is
  evaluated as of that snapshot's time (ages of snapshots and pending changes, expiry of waivers),
  so the page changes when the record or policy.yaml does, not by itself from one build to the next.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from proxstate.app.check import CheckRequest, CheckResult, check, epoch_of, load_policy
from proxstate.app.revisions import commit_info
from proxstate.diff import ChangeSet
from proxstate.errors import PolicyError
from proxstate.report.policy_values import detail_text, summary_line, waiver_text
from proxstate.report.text import render_text
from proxstate.report.unreadable import group_line, group_unreadable
from proxstate.report.values import commit_label, counts_line
from proxstate.safetext import escape_unsafe
from proxstate.site.describe import change_of
from proxstate.site.driftfile import read_drift
from proxstate.site.model import SiteData
from proxstate.site.page import DRIFT, POLICY, Page, resource_page
from proxstate.store import StateRepo


def pages(data: SiteData) -> Iterable[Page]:
    yield Page(DRIFT, "drift.html.j2", {"title": "Drift", **drift_context(data)})
    yield Page(POLICY, "policy.html.j2", {"title": "Policy", **policy_context(data)})


def _href(data: SiteData, cluster: str, resource_id: str) -> str:
    """The resource's page when the site has one (a resource only the live cluster has does not)."""
    return resource_page(cluster, resource_id) if resource_id in data.resources.get(cluster, {}) else ""


def drift_context(data: SiteData) -> dict[str, Any]:
    if data.drift_report is None:
        return {"report": None}
    changeset = read_drift(data.drift_report)
    shown = set(data.clusters)
    # A report may cover a cluster the site does not show (narrowed by --cluster, or a drift run
    # without --cluster that named the cluster as PVE calls it): say so rather than "no drift".
    elsewhere = Counter(r.cluster for r in changeset.resources if r.cluster not in shown)
    elsewhere.update(u.cluster for u in changeset.unreadable if u.cluster not in shown)
    changeset = ChangeSet(
        base=changeset.base,
        target=None,
        resources=tuple(r for r in changeset.resources if r.cluster in shown),
        unreadable=tuple(u for u in changeset.unreadable if u.cluster in shown),
    )
    written = datetime.fromtimestamp(data.drift_report.stat().st_mtime, UTC)
    entries = []
    for resource in changeset.resources:
        change = change_of(resource)
        entries.append(
            {
                "cluster": change.cluster,
                "resource_id": change.resource_id,
                "href": _href(data, change.cluster, change.resource_id),
                "name": change.name,
                "action": change.action,
                "classes": change.classes,
                "actor": change.actor,
                "attributions": change.attributions,
                "rows": change.rows,
            }
        )
    return {
        "report": {
            "file": escape_unsafe(data.drift_report.name),
            "written": written.strftime("%Y-%m-%d %H:%M UTC"),
            "against": commit_label(changeset.base, live="no recorded state"),
            "counts": counts_line(*changeset.counts),
            "clusters": len({entry["cluster"] for entry in entries}) > 1,
            "elsewhere": [
                escape_unsafe(f"{cluster} ({count} {'resource' if count == 1 else 'resources'})")
                for cluster, count in sorted(elsewhere.items())
            ],
            "entries": entries,
            "unreadable": [
                escape_unsafe(group_line(group)) for group in group_unreadable(changeset.unreadable)
            ],
            "text": render_text(changeset, color=False),
        }
    }


def policy_context(data: SiteData) -> dict[str, Any]:
    if data.repo_root is None:
        return {"error": "", "result": None}
    repo = StateRepo.open(data.repo_root)
    try:
        policy = load_policy(repo.root)
    except PolicyError as error:
        # A broken policy.yaml is said on its page: the rest of the site is still worth publishing.
        return {"error": str(error), "result": None}
    cluster = data.clusters[0] if len(data.clusters) == 1 else None
    moment = epoch_of(commit_info(repo, data.head).committed)
    result = check(repo, policy, CheckRequest(at=data.head, cluster=cluster), now=moment)
    return {"error": "", "result": _result(data, result)}


def _result(data: SiteData, result: CheckResult) -> dict[str, Any]:
    shown = set(data.clusters)
    violations = [v for v in result.violations if v.cluster in shown]
    rules = []
    for rule in result.policy.rules:
        found = [v for v in violations if v.rule == rule.id]
        rules.append(
            {
                "id": rule.id,
                "severity": rule.severity,
                "description": escape_unsafe(rule.description),
                "source": "built-in" if rule.builtin else "policy.yaml",
                "findings": [
                    {
                        "cluster": v.cluster,
                        "resource_id": escape_unsafe(v.resource_id),
                        "href": _href(data, v.cluster, v.resource_id),
                        "detail": detail_text(v.detail),
                        "waiver": waiver_text(v.waiver, waived=v.waived) if v.waiver else "",
                        "waived": v.waived,
                    }
                    for v in found
                ],
            }
        )
    rules.sort(key=lambda r: (not r["findings"], ("error", "warning", "info").index(r["severity"]), r["id"]))
    return {
        "commit": result.commit.short,
        "date": result.commit.date,
        "summary": summary_line(result),
        "failing": len(result.failing),
        "clusters": len(shown) > 1,
        "rules": rules,
        "expired": [
            f"the waiver of {w.rule} for {escape_unsafe(w.resource)} expired on {w.expires.isoformat()}"
            for w in result.expired_waivers
        ],
    }

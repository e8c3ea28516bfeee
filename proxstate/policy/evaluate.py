"""Checking documents against a policy: the violations, with the waivers that cover them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from proxstate.errors import PolicyError
from proxstate.policy.context import Settings, cluster_contexts
from proxstate.policy.expr import truthy
from proxstate.policy.model import Policy, Rule, Violation, natural

Documents = Mapping[str, Mapping[str, dict[str, Any]]]  # cluster -> resource id -> document


def check_documents(policy: Policy, clusters: Documents, *, settings: Settings) -> list[Violation]:
    """Every violation of the policy's rules in the documents, ordered by cluster, resource, rule."""
    violations = []
    failures: dict[str, tuple[int, PolicyError]] = {}  # rule id -> (documents it failed on, first error)
    tried: dict[str, int] = {}
    by_kind: dict[str, list[Rule]] = {}  # the rules whose `kinds` do not leave the kind out
    for cluster in sorted(clusters):
        for context in cluster_contexts(cluster, clusters[cluster], settings=settings):
            rid, kind, document = context["id"], context["kind"], context["doc"]
            if kind not in by_kind:
                by_kind[kind] = [
                    r for r in policy.rules if not r.applies_to.kinds or kind in r.applies_to.kinds
                ]
            for rule in by_kind[kind]:
                if not rule.applies_to.selects(
                    cluster=cluster, resource_id=rid, kind=kind, document=document
                ):
                    continue
                tried[rule.id] = tried.get(rule.id, 0) + 1
                value, error = rule.condition.attempt(context)
                if error is not None:
                    count, first = failures.get(rule.id, (0, error))
                    failures[rule.id] = (count + 1, first)
                    continue
                if not truthy(value):
                    continue
                violations.append(
                    Violation(
                        rule=rule.id,
                        severity=rule.severity,
                        description=rule.description,
                        cluster=cluster,
                        resource_id=rid,
                        detail=rule.detail.attempt(context)[0] if rule.detail else None,
                    )
                )
    for rule_id, (count, error) in failures.items():
        if count == tried[rule_id]:  # a mistake in the rule, not a document without a field
            raise error
    violations.sort(key=lambda v: (v.cluster, natural(v.resource_id), v.rule))
    return violations


def apply_waivers(policy: Policy, violations: Iterable[Violation], *, today: date) -> list[Violation]:
    """The violations with the first waiver that covers each; a waiver past its `expires` date
    (today is the last day it holds) is shown but no longer waives."""
    out = []
    for violation in violations:
        waiver = next(
            (
                w
                for w in policy.waivers
                if w.covers(rule=violation.rule, cluster=violation.cluster, resource_id=violation.resource_id)
            ),
            None,
        )
        if waiver is None:
            out.append(violation)
        else:
            out.append(dataclasses.replace(violation, waiver=waiver, waived=waiver.expires >= today))
    return out


def expired_waivers(policy: Policy, *, today: date) -> list[Any]:
    return [waiver for waiver in policy.waivers if waiver.expires < today]

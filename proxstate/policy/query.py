"""`proxstate query`: one expression over the context of every recorded document.

The value of the expression is both the filter and the selection: false, null, "", [] and {} leave
the document out; `true` keeps it with nothing more to show; any other value keeps it and is shown.
`COND && {name: doc.config.name, node: doc.node}` is JMESPath's idiom for "these fields where COND".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from proxstate.policy.context import Settings, cluster_contexts
from proxstate.policy.evaluate import Documents
from proxstate.policy.expr import Expression, compile_expression, truthy
from proxstate.policy.model import natural


@dataclass(frozen=True, kw_only=True)
class Match:
    cluster: str
    resource_id: str
    value: Any  # None when the expression was plainly true


def parse_query(text: str) -> Expression:
    return compile_expression(text, where="the query")


def run_query(expression: Expression, clusters: Documents, *, settings: Settings) -> list[Match]:
    matches = []
    error = None
    answered = 0  # documents the expression was evaluated on without an error
    for cluster in sorted(clusters):
        for context in cluster_contexts(cluster, clusters[cluster], settings=settings):
            value, failed = expression.attempt(context)
            if failed is not None:
                error = error or failed
                continue
            answered += 1
            if truthy(value):
                matches.append(
                    Match(cluster=cluster, resource_id=context["id"], value=None if value is True else value)
                )
    if error is not None and not answered:
        raise error  # it fails everywhere: a mistake in the expression, not a document without a field
    matches.sort(key=lambda m: (m.cluster, natural(m.resource_id)))
    return matches

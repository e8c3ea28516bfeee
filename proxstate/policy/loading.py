"""Reading the rules: the built-in library (policy/data/builtin.yaml) and a repository's policy.yaml.

Both are validated with the same models; a mistake is a PolicyError that names the file, the place
(`rules[2].condition`, with its line) and what is wrong. policy.yaml may add rules of its own,
change a built-in rule (`builtin: {ID: {enabled, severity, params}}`), name the protected pools,
and waive violations until a date.
"""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from proxstate.configerrors import described, settings_mapping
from proxstate.errors import PolicyError
from proxstate.policy.expr import compile_expression
from proxstate.policy.model import AppliesTo, Policy, Rule, Severity, Waiver

POLICY_FILE = "policy.yaml"
RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppliesToModel(_Strict):
    kinds: list[str] = []
    resources: list[str] = []
    pools: list[str] = []
    tags: list[str] = []
    clusters: list[str] = []


class RuleModel(_Strict):
    id: str
    description: str
    severity: Severity = "warning"
    applies_to: AppliesToModel = AppliesToModel()
    condition: str
    detail: str | None = None
    params: dict[str, Any] = {}
    example: str | None = None  # shown in docs/policy.md and by `check --list --format json`

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not RULE_ID.fullmatch(value):
            raise ValueError("a rule id is lower-case letters, digits and dashes (`guest-no-backup`)")
        return value


class ChangeModel(_Strict):
    enabled: bool = True
    severity: Severity | None = None
    params: dict[str, Any] = {}


class WaiverModel(_Strict):
    rule: str
    resource: str = Field(min_length=1)
    cluster: str | None = None
    reason: str = Field(min_length=1)
    expires: date


class PolicyModel(_Strict):
    protected_pools: list[str] = []
    rules: list[RuleModel] = []
    builtin: dict[str, ChangeModel] = {}
    waivers: list[WaiverModel] = []


def _validated(text: str, source: str) -> PolicyModel:
    data = settings_mapping(
        text,
        source=source,
        error=PolicyError,
        expected="expected a mapping (rules, builtin, waivers, protected_pools)",
    )
    try:
        return PolicyModel.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(f"{source}: " + described(exc, text=text, model=PolicyModel)) from None


def builtin_text() -> str:
    return resources.files("proxstate.policy").joinpath("data/builtin.yaml").read_text("utf-8")


def builtin_rules() -> list[RuleModel]:
    return _validated(builtin_text(), "the built-in rules").rules


def _rule(model: RuleModel, *, source: str, builtin: bool, change: ChangeModel | None, user: str) -> Rule:
    """The rule of `model` (from `source`), as `change` (from the user's policy file `user`) changes it."""
    params = {**model.params, **(change.params if change else {})}
    where = f"{source}: rule {model.id}"
    if change and (unknown := sorted(set(change.params) - set(model.params))):
        raise PolicyError(
            f"{user}: builtin.{model.id}.params: {', '.join(unknown)} is not a parameter of this rule"
            + (f" (it has {', '.join(sorted(model.params))})" if model.params else " (it has none)")
        )
    condition = compile_expression(model.condition, params=params, where=f"{where}: condition")
    detail = (
        compile_expression(model.detail, params=params, where=f"{where}: detail") if model.detail else None
    )
    return Rule(
        id=model.id,
        description=model.description,
        severity=(change.severity if change and change.severity else model.severity),
        applies_to=AppliesTo(**{key: tuple(value) for key, value in model.applies_to.model_dump().items()}),
        condition=condition,
        detail=detail,
        params=params,
        builtin=builtin,
    )


def parse_policy(text: str | None, *, source: str = POLICY_FILE) -> Policy:
    """The built-in rules changed and extended by a policy.yaml's text (None: no policy.yaml)."""
    user = _validated(text, source) if text is not None else PolicyModel()
    library = builtin_rules()
    known = {model.id for model in library}
    if unknown := sorted(set(user.builtin) - known):
        raise PolicyError(
            f"{source}: builtin: no built-in rule {', '.join(unknown)} (`proxstate check --list`)"
        )
    rules = []
    for model in library:
        change = user.builtin.get(model.id)
        if change is None or change.enabled:
            rules.append(_rule(model, source="the built-in rules", builtin=True, change=change, user=source))
    seen = set(known)
    for index, model in enumerate(user.rules):
        if model.id in seen:
            raise PolicyError(
                f"{source}: rules[{index}]: the id {model.id} is taken"
                + (" by a built-in rule: change it under `builtin:`" if model.id in known else "")
            )
        seen.add(model.id)
        rules.append(_rule(model, source=source, builtin=False, change=None, user=source))
    for index, waiver in enumerate(user.waivers):
        if waiver.rule not in seen:
            raise PolicyError(f"{source}: waivers[{index}].rule: no rule {waiver.rule}")
    waivers = tuple(
        Waiver(rule=w.rule, resource=w.resource, cluster=w.cluster, reason=w.reason, expires=w.expires)
        for w in user.waivers
    )
    return Policy(
        rules=tuple(rules),
        waivers=waivers,
        protected_pools=tuple(user.protected_pools),
        source=source if text is not None else "the built-in rules",
    )

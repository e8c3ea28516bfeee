"""pydantic's validation errors of proxstate.yaml (and policy.yaml) as sentences an administrator
reads at once, each named by its dotted path and line.

pydantic says `Input should be a valid number, unable to parse string as a number`; an administrator
wants `expected a number of seconds, got 'soon'`. Each error type a hand-written proxstate.yaml can
meet has its sentence here; `settings_mapping` and `described` are the steps both files share.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from proxstate import yamlio
from proxstate.errors import ProxstateError

_SECONDS = ("timeout", "deadline")  # settings that hold seconds, wherever they are nested
_SHOWN = 40  # characters of a wrong value quoted back


def settings_mapping(text: str, *, source: str, error: type[ProxstateError], expected: str) -> dict[Any, Any]:
    """The YAML mapping of a settings file (empty text or an empty document: {}); `error` naming
    `source` when it is not YAML or not a mapping (`expected` says what the top level holds)."""
    try:
        data: Any = yamlio.load(text) if text.strip() else {}
    except ProxstateError as exc:
        raise error(f"{source}: {exc.message}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise error(f"{source}: {expected}")
    return data


def described(exc: ValidationError, *, text: str, model: type[BaseModel]) -> str:
    """Each error of `model.model_validate` as `path (line N): sentence`, joined by `; `."""
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        where = dotted(loc)
        line = yamlio.line_of(text, loc)
        if line is not None:
            where += f" (line {line})"
        problems.append(f"{where}: {plain_message(error, model=model)}")
    return "; ".join(problems)


def dotted(loc: tuple[str | int, ...]) -> str:
    """`rules[2].condition` for the location (rules, 2, condition)."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def plain_message(error: ErrorDetails, *, model: type[BaseModel]) -> str:
    """The sentence for one error of `model.model_validate`."""
    kind, loc, ctx = error["type"], tuple(error["loc"]), error.get("ctx") or {}
    got = f", got {_shown(error.get('input'))}"
    if kind == "missing":
        return "required, and not set"
    if kind == "extra_forbidden":
        known = _known_keys(model, loc[:-1])
        return "unknown setting" + (f"; known here: {', '.join(known)}" if known else "")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number{_unit(loc)}{got}"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"expected a number{_unit(loc)}{got}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false{got}"
    if kind in ("literal_error", "enum"):
        return f"expected {ctx.get('expected', 'one of the allowed values')}{got}"
    if kind in ("string_type", "string_unicode"):
        return f"expected text{got}"
    if kind in ("list_type", "tuple_type", "set_type"):
        return f"expected a list{got}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        known = _known_keys(model, loc)
        return "expected a mapping of settings" + (f" ({', '.join(known)})" if known else "") + got
    bounds = {
        "greater_than": "more than",
        "greater_than_equal": "at least",
        "less_than": "less than",
        "less_than_equal": "at most",
    }
    if kind in bounds:
        limit = next(iter(ctx.values()), "")
        shown = f"{limit:g}" if isinstance(limit, int | float) else str(limit)
        return f"expected a number{_unit(loc) or ' of'} {bounds[kind]} {shown}{got}"
    return str(error["msg"]).removeprefix("Value error, ")


def _unit(loc: tuple[Any, ...]) -> str:
    return " of seconds" if any(str(part) in _SECONDS for part in loc) else ""


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = (
        repr(value)
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
    )
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _known_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The settings of the section at `loc` (list indexes skipped), or [] when it is not a model."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.__pydantic_fields__.get(str(part)) if current is not None else None
        if field is None:
            return []
        current = _model_in(field.annotation)
    return sorted(current.__pydantic_fields__) if current is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model in `Model`, `list[Model]` or `Model | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None

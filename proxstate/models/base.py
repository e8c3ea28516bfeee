"""The base of every API model, and the parsing of PVE's `data` member into models.

Models declare the fields proxstate relies on; everything else PVE sends is kept as an extra
field (PVE adds fields in every release), so `payload()` always gives the whole answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from proxstate.errors import ProtocolError

ModelT = TypeVar("ModelT", bound="PveModel")


class PveModel(BaseModel):
    """A PVE payload: declared fields typed, unknown fields kept as they came."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def payload(self) -> dict[str, Any]:
        """The fields PVE sent, by their API names, as a plain dict.

        Declared fields carry their typed value (int, float, bool); extra fields are as PVE sent them.
        """
        return self.model_dump(mode="python", by_alias=True, exclude_unset=True)


def _describe(error: ValidationError, *, prefix: str = "") -> str:
    """The first problems of a ValidationError, by field; never the offending values."""
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(part) for part in item["loc"]) or "value"
        parts.append(f"{prefix}{where}: {item['msg']}")
    more = error.error_count() - len(parts)
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def _kind_of(value: object) -> str:
    return "null" if value is None else type(value).__name__


def parse_model(model: type[ModelT], data: Any, *, source: str) -> ModelT:
    """One model from a `data` member that must be an object; ProtocolError otherwise."""
    if not isinstance(data, Mapping):
        raise ProtocolError(
            f"unexpected answer from PVE at {source}: expected an object, got {_kind_of(data)}", path=source
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # `from None`: pydantic's own text repeats the input values, which may be anything.
        detail = _describe(exc)
        raise ProtocolError(f"unexpected answer from PVE at {source}: {detail}", path=source) from None


def objects_of(data: Any, *, source: str) -> list[Mapping[str, Any]]:
    """A `data` member that must be a list of objects; ProtocolError otherwise."""
    if not isinstance(data, list):
        raise ProtocolError(
            f"unexpected answer from PVE at {source}: expected a list, got {_kind_of(data)}", path=source
        )
    for index, item in enumerate(data):
        if not isinstance(item, Mapping):
            raise ProtocolError(
                f"unexpected answer from PVE at {source}: item {index} is {_kind_of(item)}, not an object",
                path=source,
            )
    return data


def parse_payloads(model: type[PveModel], data: Any, *, source: str) -> list[dict[str, Any]]:
    """What `parse_models` gives, as payloads, each model let go as soon as its payload is made:
    for the long lists of a large cluster (/cluster/resources, a storage's content), where the
    models of a whole list at once would hold three times the memory of the payloads."""
    return [item.payload() for item in _each_model(model, data, source=source)]


def parse_models(model: type[ModelT], data: Any, *, source: str) -> list[ModelT]:
    """A list of models from a `data` member that must be a list of objects; ProtocolError otherwise."""
    return list(_each_model(model, data, source=source))


def _each_model(model: type[ModelT], data: Any, *, source: str) -> Iterator[ModelT]:
    for index, item in enumerate(objects_of(data, source=source)):
        try:
            yield model.model_validate(item)
        except ValidationError as exc:
            detail = _describe(exc, prefix=f"item {index}: ")
            raise ProtocolError(f"unexpected answer from PVE at {source}: {detail}", path=source) from None

"""The lenient value types: what PVE sends in one version or another, and what is refused."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from proxstate.models import PveBool, PveFloat, PveInt, PveModel


class Values(PveModel):
    number: PveInt | None = None
    ratio: PveFloat | None = None
    flag: PveBool | None = None


@pytest.mark.parametrize(
    ("sent", "value"), [(2048, 2048), ("2048", 2048), (" 7 ", 7), (3.0, 3), ("1e3", 1000)]
)
def test_integers(sent: Any, value: int) -> None:
    assert Values(number=sent).number == value


@pytest.mark.parametrize("sent", ["12abc", "", True, 1.5, [1], "inf"])
def test_not_integers(sent: Any) -> None:
    with pytest.raises(ValidationError):
        Values(number=sent)


@pytest.mark.parametrize(("sent", "value"), [(0.25, 0.25), ("0.25", 0.25), (4, 4.0), ("8", 8.0)])
def test_numbers(sent: Any, value: float) -> None:
    assert Values(ratio=sent).ratio == value


@pytest.mark.parametrize("sent", ["fast", False, None])
def test_not_numbers(sent: Any) -> None:
    if sent is None:
        assert Values(ratio=None).ratio is None
        return
    with pytest.raises(ValidationError):
        Values(ratio=sent)


@pytest.mark.parametrize(
    ("sent", "value"),
    [
        *[(1, True), (0, False), ("1", True), ("0", False), (True, True), (False, False)],
        *[("true", True), ("Yes", True), ("on", True), ("off", False), ("", False)],
    ],
)
def test_booleans(sent: Any, value: bool) -> None:
    assert Values(flag=sent).flag is value


@pytest.mark.parametrize("sent", [2, -1, "maybe", 0.5])
def test_not_booleans(sent: Any) -> None:
    with pytest.raises(ValidationError):
        Values(flag=sent)

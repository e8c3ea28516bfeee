"""Fixtures shared by every test folder (fakepve's own come from its pytest plugin)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fakepve import FakePve

from proxstate.api.settings import ConnectionSettings
from proxstate.demo.members import answer_members_as_pve
from proxstate.demo.realms import answer_realms_as_pve

SettingsFactory = Callable[..., ConnectionSettings]


@pytest.fixture
def fakepve(fakepve: FakePve) -> FakePve:
    """fakepve's own fixture, answering a realm's GET as PVE does (fakepve answers null), and
    keeping each cluster member's node id and address when nodes are added (fakepve renumbers)."""
    answer_realms_as_pve(fakepve)
    answer_members_as_pve(fakepve)
    return fakepve


@pytest.fixture
def make_pve_settings(fakepve: FakePve, fakepve_cafile: str) -> SettingsFactory:
    """Build ConnectionSettings for the fakepve fixture; keywords replace any setting.

    Defaults: root@pam with its password, the fixture's CA, short timeouts and a 2 s retry budget.
    """

    def make(**overrides: Any) -> ConnectionSettings:
        values: dict[str, Any] = {
            "url": fakepve.url,
            "user": "root@pam",
            "password": "secret",
            "ca_cert": Path(fakepve_cafile),
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
            "retry_budget": 2.0,
        }
        values.update(overrides)
        return ConnectionSettings(**values)

    return make


@pytest.fixture
def fakepve_settings(make_pve_settings: SettingsFactory) -> ConnectionSettings:
    """ConnectionSettings for the fakepve fixture with the defaults of make_pve_settings."""
    return make_pve_settings()

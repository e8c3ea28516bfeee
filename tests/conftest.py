"""Fixtures shared by every test folder (fakepve's own come from its pytest plugin)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fakepve import FakePve

from proxstate.api.settings import ConnectionSettings


@pytest.fixture
def fakepve_settings(fakepve: FakePve, fakepve_cafile: str) -> ConnectionSettings:
    """Settings for the fakepve fixture: root@pam with its password, its CA, a small retry budget."""
    return pve_settings(fakepve, fakepve_cafile)


def pve_settings(fakepve: FakePve, cafile: str, **overrides: Any) -> ConnectionSettings:
    """ConnectionSettings for a running fake, with fast timeouts; keywords replace any setting."""
    values: dict[str, Any] = {
        "url": fakepve.url,
        "user": "root@pam",
        "password": "secret",
        "ca_cert": Path(cafile),
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "retry_budget": 2.0,
    }
    values.update(overrides)
    return ConnectionSettings(**values)

"""The PVE API client: settings, TLS trust, authentication, retries, errors and typed calls."""

from proxstate.api.client import PveClient
from proxstate.api.settings import ConnectionSettings

__all__ = ["ConnectionSettings", "PveClient"]

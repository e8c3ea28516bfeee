"""Connection settings from three places: proxstate.yaml, command-line flags and the environment.

Flags win over the environment, which wins over the file (click resolves flag-or-environment for
the non-secret settings before they reach here). Secrets come only from the environment, or from a
file named by the environment (`PROXSTATE_TOKEN_FILE`, `PROXSTATE_PASSWORD_FILE`), so that they never
appear on a command line or in the state repository.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from proxstate.api.settings import ConnectionSettings
from proxstate.app.secretfile import read_secret_file
from proxstate.config import ClusterConfig
from proxstate.errors import ConfigError


@dataclass(frozen=True, kw_only=True)
class ConnectionOverrides:
    """Connection settings given on the command line (or their PROXSTATE_* variables)."""

    url: str | None = None
    user: str | None = None
    ca_cert: Path | None = None
    fingerprint: str | None = None
    insecure: bool | None = None
    timeout: float | None = None
    concurrency: int | None = None


def _secret(env: Mapping[str, str], name: str) -> str | None:
    """The value of variable `name`, or the content of the file that `name`_FILE names."""
    value = env.get(name)
    if value:
        return value.strip()
    path = env.get(name + "_FILE")
    if not path:
        return None
    return read_secret_file(path, variable=f"{name}_FILE")


def _token(cluster: ClusterConfig, env: Mapping[str, str]) -> str | None:
    auth = cluster.auth
    whole = _secret(env, auth.token_env)
    if whole:
        return whole
    token_id = auth.token_id or env.get("PROXSTATE_TOKEN_ID")
    secret = _secret(env, auth.token_secret_env)
    if token_id and secret:
        return f"{token_id}={secret}"
    if token_id and not secret:
        raise ConfigError(f"token id {token_id} is set but {auth.token_secret_env} is empty")
    return None


def resolve_connection(
    cluster: ClusterConfig,
    *,
    overrides: ConnectionOverrides,
    env: Mapping[str, str],
) -> ConnectionSettings:
    """ConnectionSettings for one cluster; ConfigError says what is missing."""
    url = overrides.url or cluster.url
    if not url:
        raise ConfigError("no PVE address: give --url (or PROXSTATE_URL), or `url:` in proxstate.yaml")
    user = overrides.user or cluster.auth.user
    wants_password = cluster.auth.method == "password" or (overrides.user and not env.get("PROXSTATE_TOKEN"))
    token = None if wants_password else _token(cluster, env)
    password = None
    if token is None:
        password = _secret(env, cluster.auth.password_env)
        if not user or not password:
            raise ConfigError(
                "no credentials: set PROXSTATE_TOKEN (USER@REALM!TOKENID=SECRET), or "
                "PROXSTATE_TOKEN_ID and PROXSTATE_TOKEN_SECRET, or --user with PROXSTATE_PASSWORD"
            )
    insecure = overrides.insecure if overrides.insecure is not None else cluster.tls.insecure
    timeout = overrides.timeout
    return ConnectionSettings(
        url=url,
        token=SecretStr(token) if token else None,
        user=user if token is None else None,
        password=SecretStr(password) if password else None,
        ca_cert=overrides.ca_cert or cluster.tls.ca_cert,
        fingerprint=overrides.fingerprint or cluster.tls.fingerprint,
        insecure=insecure,
        connect_timeout=timeout or cluster.timeout.connect,
        read_timeout=timeout or cluster.timeout.read,
        concurrency=overrides.concurrency or cluster.concurrency,
        node_concurrency=cluster.node_concurrency,
    )

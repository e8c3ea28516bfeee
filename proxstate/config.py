"""proxstate.yaml: the configuration of a state repository, validated with pydantic.

The file names environment variables that hold secrets, never the secrets themselves. Mistakes are
reported with the dotted path of the setting and, where the YAML loader knows it, its line:
`clusters[0].tls.fingerprint (line 12): not a SHA-256 fingerprint`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from proxstate import limits
from proxstate.actors import AttributionConfig
from proxstate.api.settings import DEFAULT_CONCURRENCY, DEFAULT_NODE_CONCURRENCY
from proxstate.configerrors import described, settings_mapping
from proxstate.deadline import DEFAULT_SYNC_DEADLINE
from proxstate.errors import ConfigError, ProxstateError
from proxstate.notify.settings import NotifyTarget
from proxstate.resources.catalog import KINDS as CATALOG_KINDS
from proxstate.resources.kinds import BUILTIN_KINDS, CLUSTER, LXC, NODE, QEMU, TASKS
from proxstate.resources.stateformat import CONFIG_FILE, FORMAT_VERSION

CONFIG_LIMIT = limits.CONFIG_LIMIT  # bytes of proxstate.yaml

# The builtin kinds, then the declarative configuration of proxstate.resources.catalog.
KINDS: tuple[str, ...] = BUILTIN_KINDS + CATALOG_KINDS
KIND_ALIASES = {
    "nodes": NODE,
    "vm": QEMU,
    "vms": QEMU,
    "ct": LXC,
    "container": LXC,
    "containers": LXC,
    "task": TASKS,
    "clusters": CLUSTER,
}


def parse_kinds(values: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Kind names (or their plural or `vm`/`ct` aliases, comma-separated or not) to canonical names."""
    kinds: set[str] = set()
    for value in values:
        for raw in value.split(","):
            name = raw.strip().lower()
            if not name:
                continue
            name = KIND_ALIASES.get(name, name)
            if name not in KINDS:
                raise ConfigError(f"unknown kind {raw.strip()!r}; known kinds: {', '.join(KINDS)}")
            kinds.add(name)
    return frozenset(kinds)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AuthConfig(_Strict):
    """Where the credentials come from: names of environment variables, never values."""

    method: Literal["token", "password"] = "token"
    # The names of environment variables, not secrets.
    token_env: str = "PROXSTATE_TOKEN"  # noqa: S105
    token_id: str | None = None
    token_secret_env: str = "PROXSTATE_TOKEN_SECRET"  # noqa: S105
    user: str | None = None
    password_env: str = "PROXSTATE_PASSWORD"  # noqa: S105

    @field_validator("token_env", "token_secret_env", "password_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not value.replace("_", "").isalnum() or value[0].isdigit():
            raise ValueError("must be the name of an environment variable (letters, digits, _)")
        return value


class TLSConfig(_Strict):
    fingerprint: str | None = None
    ca_cert: Path | None = None
    insecure: bool = False

    @field_validator("fingerprint")
    @classmethod
    def _fingerprint(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = value.replace(":", "").strip()
        if len(digits) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise ValueError("not a SHA-256 fingerprint (32 bytes in hex, as AB:CD:...)")
        return value


class TimeoutConfig(_Strict):
    # Finite: `.inf` would turn the timeout off.
    connect: float = Field(10.0, gt=0, allow_inf_nan=False)
    read: float = Field(30.0, gt=0, allow_inf_nan=False)


class ClusterConfig(_Strict):
    name: str | None = None
    url: str | None = None
    auth: AuthConfig = AuthConfig()
    tls: TLSConfig = TLSConfig()
    concurrency: int = Field(DEFAULT_CONCURRENCY, ge=1, le=64)  # requests in flight, in total
    node_concurrency: int = Field(DEFAULT_NODE_CONCURRENCY, ge=1, le=16)  # ... and on one node
    timeout: TimeoutConfig = TimeoutConfig()


class IgnoreRuleConfig(_Strict):
    resource: str
    field: str
    reason: str


class AllowSecretConfig(_Strict):
    """A value the secret detector flags that is not a secret (docs/security.md)."""

    resource: str
    field: str
    reason: str


class RecordConfig(_Strict):
    kinds: list[str] = list(KINDS)
    include: list[str] = ["*"]
    exclude: list[str] = []
    power_state: bool = True
    task_days: int = Field(7, ge=1, le=3650)
    task_logs: bool = False

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, value: list[str]) -> list[str]:
        try:
            return sorted(parse_kinds(value), key=KINDS.index)
        except ConfigError as exc:
            raise ValueError(exc.message) from None


class AuthorConfig(_Strict):
    name: str
    email: str


class CommitConfig(_Strict):
    author: AuthorConfig | None = None


class SyncConfig(_Strict):
    # Seconds a sync may take, lock wait included (docs/configuration.md); finite: `.inf` is no bound.
    deadline: float = Field(DEFAULT_SYNC_DEADLINE, gt=0, le=7 * 86400, allow_inf_nan=False)


class ProxstateConfig(_Strict):
    # Without the key, the format of the first release, which wrote `version: 1` (app/migrate.py).
    version: int = 1
    clusters: list[ClusterConfig] = []
    record: RecordConfig = RecordConfig()
    ignore: list[IgnoreRuleConfig] = []
    mask_keys: list[str] = []
    allow_secrets: list[AllowSecretConfig] = []
    commit: CommitConfig = CommitConfig()
    sync: SyncConfig = SyncConfig()
    notify: list[NotifyTarget] = []  # docs/notifications.md
    attribution: AttributionConfig = AttributionConfig()

    @field_validator("version")
    @classmethod
    def _version(cls, value: int) -> int:
        if value > FORMAT_VERSION:
            raise ValueError(
                f"the state repository is in format version {value}, newer than this proxstate "
                f"knows (1 to {FORMAT_VERSION}): upgrade proxstate; nothing was written"
            )
        if value < 1:
            raise ValueError(f"state format versions start at 1, not {value}")
        return value


def parse_config(text: str, *, source: str = CONFIG_FILE) -> ProxstateConfig:
    """Validate the text of a proxstate.yaml; ConfigError names each mistake by its dotted path."""
    data = settings_mapping(
        text, source=source, error=ConfigError, expected="expected a mapping of settings at the top level"
    )
    # A section left with nothing but comments (`commit:`) means its defaults.
    data = {key: value for key, value in data.items() if value is not None}
    try:
        return ProxstateConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: " + described(exc, text=text, model=ProxstateConfig)) from None


def load_config(root: Path) -> ProxstateConfig:
    """The configuration of the state repository at root; defaults when it has no proxstate.yaml."""
    from proxstate.store.safefs import read_file  # the repository is untrusted: no link, no FIFO

    path = root / CONFIG_FILE
    try:
        content = read_file(root, CONFIG_FILE, limit=CONFIG_LIMIT)
        if content is None:
            return ProxstateConfig()
        text = content.decode("utf-8")
    except ProxstateError as exc:
        raise ConfigError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    return parse_config(text, source=str(path))

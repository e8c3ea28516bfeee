"""What proxstate.yaml says about how documents are recorded, for every use case that records or
compares them: the normalization options, and the environment variables that hold its secrets.

Sync, drift and the `discover-*` views mask exactly alike because they all take their options from
here.
"""

from __future__ import annotations

from collections.abc import Mapping

from proxstate.config import ProxstateConfig
from proxstate.normalize import AllowRule, IgnoreRule, NormalizeOptions

MASK_KEY_ENV = "PROXSTATE_MASK_KEY"


def normalize_options(config: ProxstateConfig, env: Mapping[str, str]) -> NormalizeOptions:
    """proxstate.yaml's recording rules, with the key of the masks' keyed hash from the environment."""
    secret = env.get(MASK_KEY_ENV)
    return NormalizeOptions(
        record_power_state=config.record.power_state,
        mask_keys=frozenset(config.mask_keys),
        mask_secret=secret.encode("utf-8") if secret else None,
        ignore=tuple(IgnoreRule(resource=r.resource, field=r.field, reason=r.reason) for r in config.ignore),
        allow_secrets=tuple(
            AllowRule(resource=r.resource, field=r.field, reason=r.reason) for r in config.allow_secrets
        ),
    )


def secret_variables(config: ProxstateConfig) -> set[str]:
    """The environment variables proxstate.yaml names for secrets (and their `_FILE` forms): git, its
    hooks and the exec hooks of notifications must not see them (the store withholds PROXSTATE_* itself)."""
    names = {
        name
        for cluster in config.clusters
        for name in (cluster.auth.token_env, cluster.auth.token_secret_env, cluster.auth.password_env)
    }
    # The Apprise URLs of notification targets hold tokens as well (docs/notifications.md).
    names |= {target.url_env for target in config.notify if target.url_env}
    return names | {f"{name}_FILE" for name in names}

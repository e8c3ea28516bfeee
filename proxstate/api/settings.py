"""ConnectionSettings: where the PVE API is, how to log in, how to trust it, and how patiently to talk.

Every value is checked when the settings are made, and a bad one raises ConfigError with a message
that names the setting and never repeats a secret.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from proxstate.errors import ConfigError

DEFAULT_PORT = 8006
# Requests in flight at most, in total and on one node (proxstate.api.slots): 3 per node as PVE's
# pveproxy has 3 workers; 16 in total keeps the workers of 5 nodes busy without a flood on larger ones.
DEFAULT_CONCURRENCY = 16
DEFAULT_NODE_CONCURRENCY = 3
API_ROOT = "/api2/json"

# PVE's userid (user@realm) and token id formats (pve-userid, pve-tokenid).
_USERID = r"[^\s:/!=@]+@[A-Za-z][A-Za-z0-9._-]*"
_TOKENID = r"[A-Za-z][A-Za-z0-9._-]*"
_USER_RE = re.compile(_USERID)
_TOKEN_ID_RE = re.compile(rf"(?P<user>{_USERID})!(?P<tokenid>{_TOKENID})")
_TOKEN_RE = re.compile(rf"(?P<id>{_USERID}!{_TOKENID})=(?P<secret>\S+)")
_HOSTNAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_HEX_RE = re.compile(r"[0-9A-Fa-f]{64}")
_FINGERPRINT_RE = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31}")
# The digest as the tools that show it print it: `openssl x509 -noout -fingerprint -sha256`
# (`sha256 Fingerprint=AB:..` in OpenSSL 3, `SHA256 Fingerprint=AB:..` before), the table of
# `pvenode cert info` (`│ fingerprint │ AB:.. │`) and a line of its JSON (`"fingerprint" : "AB:.."`).
_LABELLED_RE = re.compile(
    r"""[\s│|]*"?(?:sha-?256[ _-]?)?fingerprint"?\s*[=:│|]\s*"?(?P<digest>[0-9A-Fa-f:]+)"?[\s│|,]*""",
    re.IGNORECASE,
)


def normalize_url(text: str) -> str:
    """`https://host:port/api2/json` from `host`, `host:port`, `[::1]:8006` or a full https URL."""
    raw = text.strip()
    if not raw:
        raise ValueError("the PVE address is empty")
    if "://" not in raw:
        with contextlib.suppress(ValueError):
            raw = f"[{ipaddress.IPv6Address(raw)}]"  # a bare IPv6 address such as ::1
        raw = "https://" + raw
    parts = urlsplit(raw)
    if "@" in parts.netloc:
        # Not repeated in the message: it may hold a password.
        raise ValueError("the PVE address must not contain a user name or password")
    if parts.scheme.lower() != "https":
        raise ValueError(f"the PVE API is served over HTTPS only, not {parts.scheme}://")
    if parts.query or parts.fragment:
        raise ValueError(f"the PVE address {text.strip()!r} must not have a query or fragment")
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise ValueError(f"the port in the PVE address {text.strip()!r} is not valid") from None
    if ":" in host:
        try:
            host = f"[{ipaddress.IPv6Address(host)}]"
        except ValueError:
            raise ValueError(f"{host!r} is not a valid IPv6 address") from None
    elif not _HOSTNAME_RE.fullmatch(host):
        raise ValueError(f"the PVE address {text.strip()!r} has no valid host name")
    path = parts.path.rstrip("/")
    if not path.endswith(API_ROOT):
        if "/api2/" in path + "/":
            raise ValueError(f"the API path must end with {API_ROOT}, not {path!r}")
        # A reverse proxy may serve PVE under a prefix.
        path += API_ROOT
    return f"https://{host}:{port}{path}"


def canonical_fingerprint(text: str) -> str:
    """A SHA-256 fingerprint in PVE's form, `AB:CD:...` (upper case, 32 colon-separated bytes)."""
    raw = text.strip()
    labelled = _LABELLED_RE.fullmatch(raw)
    if labelled:
        raw = labelled["digest"]
    if _FINGERPRINT_RE.fullmatch(raw):
        raw = raw.replace(":", "")
    if not _HEX_RE.fullmatch(raw):
        raise ValueError(
            "the fingerprint must be a SHA-256 digest in hex as PVE shows it: 32 bytes like AB:CD:..:EF"
            " (what `openssl x509 -noout -fingerprint -sha256` prints is taken too)"
        )
    raw = raw.upper()
    return ":".join(raw[i : i + 2] for i in range(0, len(raw), 2))


def _check_token(token: str) -> None:
    """ValueError unless the token looks like USER@REALM!TOKENID=SECRET; never repeats it."""
    if not token.isascii():
        # PVE's token ids and secrets are ASCII; a header cannot carry anything else.
        raise ValueError("the API token holds a character that is not ASCII (a typing or encoding mistake?)")
    if _TOKEN_RE.fullmatch(token):
        return
    missing = "=SECRET" if "=" not in token else "!TOKENID" if "!" not in token else None
    detail = f" (the {missing} part is missing)" if missing else ""
    raise ValueError(f"the API token must look like USER@REALM!TOKENID=SECRET{detail}")


class ConnectionSettings(BaseModel):
    """How to reach and trust one PVE API endpoint.

    Authentication is an API token, or a user and password (ticket login). Trust is the system CAs
    by default; `ca_cert` (a PEM file) replaces them; `fingerprint` pins the server certificate's
    SHA-256 (with `ca_cert`, both must hold); `insecure` turns verification off and wins over both.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    token: SecretStr | None = None
    user: str | None = None
    password: SecretStr | None = None
    ca_cert: Path | None = None
    fingerprint: str | None = None
    insecure: bool = False
    # Finite: `inf` (or NaN) would turn a timeout off, and a sync would wait forever.
    connect_timeout: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    read_timeout: float = Field(default=30.0, gt=0, allow_inf_nan=False)
    concurrency: int = Field(default=DEFAULT_CONCURRENCY, ge=1, le=256)  # requests in flight, in total
    # ... and on one node (proxstate.api.slots): PVE's pveproxy runs 3 workers per node.
    node_concurrency: int = Field(default=DEFAULT_NODE_CONCURRENCY, ge=1, le=64)
    # total seconds one request may spend retrying
    retry_budget: float = Field(default=60.0, ge=0, allow_inf_nan=False)
    max_attempts: int = Field(default=5, ge=1, le=20)  # tries per request, the first one included

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            # `from None`: pydantic's text repeats input values, secrets included.
            raise ConfigError(_describe(exc)) from None

    @classmethod
    def from_token_parts(
        cls, url: str, *, token_id: str, token_secret: str | SecretStr, **other: Any
    ) -> ConnectionSettings:
        """Settings with the token given as its id (USER@REALM!TOKENID) and its secret apart."""
        return cls(url=url, token_id=token_id, token_secret=token_secret, **other)

    @model_validator(mode="before")
    @classmethod
    def _join_token_parts(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not ({"token_id", "token_secret"} & data.keys()):
            return data
        data = dict(data)
        token_id = data.pop("token_id", None)
        secret = data.pop("token_secret", None)
        if isinstance(secret, SecretStr):
            secret = secret.get_secret_value()
        if data.get("token") is not None:
            raise ValueError("give either token, or token_id with token_secret, not both")
        if not token_id or not secret:
            raise ValueError("token_id and token_secret go together: both are needed")
        if not _TOKEN_ID_RE.fullmatch(str(token_id).strip()):
            raise ValueError(f"the token id {token_id!r} must look like USER@REALM!TOKENID")
        data["token"] = f"{str(token_id).strip()}={str(secret).strip()}"
        return data

    @field_validator("url")
    @classmethod
    def _normalize_url(cls, value: str) -> str:
        return normalize_url(value)

    @field_validator("token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value().strip()
        _check_token(token)
        return SecretStr(token)

    @field_validator("user")
    @classmethod
    def _check_user(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not _USER_RE.fullmatch(value):
            raise ValueError(f"the user {value!r} must look like USER@REALM, e.g. root@pam")
        return value

    @field_validator("fingerprint")
    @classmethod
    def _canonical_fingerprint(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else canonical_fingerprint(value)

    @field_validator("ca_cert")
    @classmethod
    def _check_ca_cert(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        path = value.expanduser()
        if not path.is_file():
            raise ValueError(f"the CA certificate file {str(path)!r} does not exist or is not a file")
        return path

    @model_validator(mode="after")
    def _check_credentials(self) -> ConnectionSettings:
        if self.token is not None and (self.user is not None or self.password is not None):
            raise ValueError("give either an API token, or a user and password, not both")
        if self.token is None:
            if self.user is None and self.password is None:
                raise ValueError("no credentials: give an API token, or a user and password")
            if self.user is None:
                raise ValueError("a password was given without a user")
            if self.password is None or not self.password.get_secret_value():
                raise ValueError(f"no password for user {self.user}")
        return self

    @property
    def address(self) -> str:
        """host:port of the API, for messages."""
        return urlsplit(self.url).netloc

    @property
    def token_id(self) -> str | None:
        """USER@REALM!TOKENID of the token (not secret), or None for a password login."""
        if self.token is None:
            return None
        return self.token.get_secret_value().split("=", 1)[0]

    @property
    def auth_user(self) -> str:
        """Who logs in: the token's USER@REALM!TOKENID, or the user."""
        return self.token_id or self.user or ""


def _describe(error: ValidationError) -> str:
    """`invalid connection settings: field: problem; ...` without the input values."""
    parts = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{field}: {message}" if field else message)
    return "invalid connection settings: " + "; ".join(parts)


__all__ = ["ConnectionSettings", "canonical_fingerprint", "normalize_url"]

"""The exception tree of proxstate.

Every error that proxstate expects (a refused login, an offline node, a bad configuration file,
a locked repository) is a ProxstateError whose message is written for the person at the terminal.
Foreign exceptions (httpx, GitPython, ruamel.yaml, pydantic) are translated into these at the edge
of the package that uses the library, with `raise ... from`, so callers never see them.

Messages and reprs never contain secrets: the exceptions carry paths, node names and PVE's own
wording, never tokens, passwords or tickets.
"""

from __future__ import annotations

from collections.abc import Mapping


class ProxstateError(Exception):
    """Root of every error proxstate raises on purpose; str() is a message for a human."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(ProxstateError):
    """The command line or the environment asks for something that cannot be done."""


class ConfigError(ProxstateError):
    """proxstate.yaml (or the connection settings) is invalid."""


class DepthError(ProxstateError):
    """A value nests deeper than proxstate reads or writes (proxstate.limits)."""


# --------------------------------------------------------------------------- the PVE API


class ApiError(ProxstateError):
    """Any failure talking to the PVE API. `path` is the API path (never a URL with credentials)."""

    def __init__(self, message: str, *, path: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.status = status


class ConnectError(ApiError):
    """The server could not be reached at all (DNS, refused, reset, no route)."""


class ApiTimeout(ApiError):
    """The server did not answer in time (after retries)."""


class DeadlineReached(ApiError):
    """The sync reached its deadline before this request was answered. Not an ApiTimeout: the
    node did not stop answering, the sync ran out of time, so nothing is said about the node."""


class TLSError(ApiError):
    """The TLS handshake failed or the certificate is not trusted."""


class FingerprintMismatch(TLSError):
    """The server's certificate does not have the pinned SHA-256 fingerprint."""


class AuthenticationError(ApiError):
    """Login refused, or the token or ticket is not valid (HTTP 401)."""


class PermissionDenied(ApiError):
    """HTTP 403. `acl_path` and `privilege` are what PVE says is missing, when it says."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        status: int | None = 403,
        acl_path: str | None = None,
        privilege: str | None = None,
    ) -> None:
        super().__init__(message, path=path, status=status)
        self.acl_path = acl_path
        self.privilege = privilege


class NotFound(ApiError):
    """HTTP 404, or PVE's 500 'does not exist' for a guest or storage that is gone."""


class ParameterError(ApiError):
    """HTTP 400 with PVE's per-field `errors`."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        status: int | None = 400,
        errors: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, path=path, status=status)
        self.errors: dict[str, str] = dict(errors or {})


class NodeUnreachable(ApiError):
    """PVE answered 595/596: the node the request was proxied to is offline or unreachable."""

    def __init__(
        self, message: str, *, path: str | None = None, status: int | None = 595, node: str | None = None
    ) -> None:
        super().__init__(message, path=path, status=status)
        self.node = node


class ServerError(ApiError):
    """HTTP 5xx other than 595/596 (after retries for 502/503/504)."""


class ProtocolError(ApiError):
    """The answer is not what the PVE API sends: HTML, invalid JSON, no `data`, a wrong shape."""


# --------------------------------------------------------------------------- the state repository


class StoreError(ProxstateError):
    """The state repository cannot be read or written."""


class LockBusy(StoreError):
    """Another proxstate process holds the repository lock."""


class DirtyTree(StoreError):
    """The recorded tree has uncommitted edits that a sync would overwrite."""


class PushRejected(StoreError):
    """The remote refused the push even after fetch, rebase and retry."""


class ResourceIdError(StoreError):
    """A text is not a resource id (`qemu/101`, `content/<node>/<storage>`, ...). A StoreError, as
    an id is what names a document in the state repository."""


class DocumentError(StoreError):
    """A recorded document does not load (not YAML, not UTF-8); the message names it and the commit."""


class RevisionError(StoreError):
    """A revision, date or resource id names nothing in the repository."""


class ClustersFailed(ProxstateError):
    """Every cluster of a run with several failed; the message names each with its reason."""


class FolderClaimed(ProxstateError):
    """The folder a cluster would be recorded in holds the record of another cluster."""


class PolicyError(ProxstateError):
    """A policy (the built-in rules, the repository's policy.yaml) or a query expression is invalid;
    the message names the file, the rule and what is wrong."""


class NotifyError(ProxstateError):
    """A notification target cannot be used (its URL is missing or invalid), or the record of what
    was notified cannot be kept. Never the URL itself in the message: it may hold a token."""


class SiteError(ProxstateError):
    """The static site cannot be built where it was asked (an output folder that is a link, inside
    the record or the git folder) or from what the record holds."""

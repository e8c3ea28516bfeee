"""Sending through Apprise (the only module that imports it): the URLs of a target, each service's
best format, bounded retries, and a reason for a failure that names no secret.

Apprise and urllib3 log what they send (a Slack webhook's path is its token; a failed connection
quotes the URL's path). While a message is sent, a filter on their loggers writes every part of the
target's URLs that could be a secret as `****`, whatever `--debug` shows or a handler keeps.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from proxstate.errors import NotifyError
from proxstate.notify.settings import NotifyTarget

_MASK = "****"
_LOGGERS = ("apprise", "urllib3")
_URL_LIMIT = 64 * 1024
_SPLIT = re.compile(r"[\s,]+")
_WAIT = 1.0  # seconds before the first retry; doubled for each further one


@dataclass(frozen=True)
class Delivery:
    """What became of one message to one target."""

    target: str  # the target's label (never its URL)
    event: str
    ok: bool
    detail: str = ""  # why it failed, secrets masked


def target_urls(target: NotifyTarget, env: Mapping[str, str], *, repository: Path | None = None) -> list[str]:
    """The Apprise URLs of a target (several may be given, separated by spaces, commas or lines).
    A `url_file` inside the state repository is refused: it would be committed with its token."""
    if target.url_env:
        text = env.get(target.url_env, "")
        where = f"the environment variable {target.url_env}"
    elif target.url_file:
        where = f"the file {target.url_file}"
        path = target.url_file if repository is None else repository / target.url_file
        if repository is not None and path.resolve().is_relative_to(repository.resolve()):
            raise NotifyError(
                f"notify target {target.label}: {where} is inside the state repository, where it "
                "would be committed with its token; keep it outside (docs/notifications.md)"
            )
        try:
            text = _read(path)
        except OSError as error:
            raise NotifyError(
                f"notify target {target.label}: cannot read {where}: {error.strerror}"
            ) from None
    else:
        return []
    # A file may say what its URLs are for: lines that start with # are comments.
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    urls = [url for url in _SPLIT.split("\n".join(lines).strip()) if url]
    if not urls:
        raise NotifyError(f"notify target {target.label}: {where} holds no Apprise URL")
    return urls


def secrets_of(urls: list[str]) -> list[str]:
    """The parts of the URLs that may be secret: the whole URL, its user and password, each part of
    its path and its query's values, and a host without a dot (Telegram's is the bot's token)."""
    found: set[str] = set()
    for url in urls:
        found.update({url, url.split("://", 1)[-1]})
        parts = urlsplit(url)
        found.update(value for value in (parts.username, parts.password) if value)
        found.update(unquote(segment) for segment in parts.path.split("/"))
        found.update(value for _, value in parse_qsl(parts.query))
        host = parts.netloc.rsplit("@", 1)[-1]
        if "." not in host and not host.startswith("["):
            found.add(host.split(":")[0])
    strings = {text for text in found if len(text) >= 4}
    strings |= {unquote(text) for text in strings} | {text.replace("/", "%2F") for text in strings}
    return sorted(strings, key=len, reverse=True)


def send(
    target: NotifyTarget,
    urls: list[str],
    *,
    event: str,
    title: str,
    markdown: str,
    text: str,
    notify_type: str = "info",
) -> Delivery:
    """Send to every URL of the target, each in the format it renders best; retried `retries` times."""
    import apprise

    secrets = secrets_of(urls)
    failures: list[str] = []
    with _masked(secrets), apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:  # type: ignore[no-untyped-call]
        for number, url in enumerate(urls, start=1):
            service = apprise.Apprise.instantiate(url, suppress_exceptions=True)
            name = f"URL {number}" if len(urls) > 1 else "its URL"
            if service is None:
                failures.append(f"{name} is not an Apprise URL Apprise can use")
                continue
            use_markdown = _markdown_for(service, target.format)
            body_format = apprise.NotifyFormat.MARKDOWN if use_markdown else apprise.NotifyFormat.TEXT
            for attempt in range(target.retries + 1):
                if attempt:
                    time.sleep(_WAIT * 2 ** (attempt - 1))
                try:
                    delivered = service.notify(
                        body=markdown if use_markdown else text,
                        title=title,
                        body_format=body_format,
                        notify_type=apprise.NotifyType(notify_type),
                    )
                except Exception as error:  # a plugin's bug must not end a sync that has committed
                    log.write(f"Apprise's {service.service_name} failed with {type(error).__name__}\n")
                    delivered = False
                if delivered:
                    break
            else:
                failures.append(f"{service.service_name} ({name}) did not accept it")
        logged = log.getvalue()
    if not failures:
        return Delivery(target.label, event, True)
    why = _last_line(logged, secrets)
    tries = target.retries + 1
    detail = "; ".join(failures) + f" after {tries} attempt{'s' if tries != 1 else ''}"
    return Delivery(target.label, event, False, detail + (f": {why}" if why else ""))


def _markdown_for(service: object, wanted: str) -> bool:
    """Markdown where the service takes it (or HTML, which Apprise makes of it), text otherwise."""
    if wanted != "auto":
        return wanted == "markdown"
    formats = getattr(service, "notify_format", ())
    formats = formats if isinstance(formats, tuple) else (formats,)
    return any(str(getattr(f, "value", f)) in ("markdown", "html") for f in formats)


def _read(path: Path) -> str:
    with path.open("rb") as handle:
        data = handle.read(_URL_LIMIT)
    return data.decode("utf-8", "replace")


def _last_line(logged: str, secrets: list[str]) -> str:
    lines = [line.strip() for line in logged.splitlines() if line.strip()]
    return _mask(lines[-1], secrets)[:300] if lines else ""


def _mask(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, _MASK)
    return text


class _Masking(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _mask(message, self.secrets)
        if masked != message:
            record.msg, record.args = masked, None
        return True


@contextmanager
def _masked(secrets: list[str]) -> Iterator[None]:
    """Mask the secrets in what Apprise and urllib3 (and their child loggers) log meanwhile."""
    masking = _Masking(secrets)
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    loggers += [
        logger
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger) and name.startswith(tuple(f"{n}." for n in _LOGGERS))
    ]
    for logger in loggers:
        logger.addFilter(masking)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(masking)

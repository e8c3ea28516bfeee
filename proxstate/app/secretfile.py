"""Reading a secret from a file (PROXSTATE_TOKEN_FILE, PROXSTATE_PASSWORD_FILE, ...).

The file is whatever the variable names: a mounted secret, a file saved by an editor on Windows,
or by mistake a directory, a FIFO or /dev/zero. It is read only if it is a regular file of a
sensible size, as UTF-8 text; a UTF-8 byte order mark (Notepad writes one) is skipped. Every
refusal is one line that names the variable and the file and never shows a byte of its content.
"""

from __future__ import annotations

import codecs
import os
import stat

from proxstate.errors import ConfigError

# A token is about 60 characters and a password rarely more than a few hundred.
MAX_SECRET_FILE_BYTES = 64 * 1024
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _refuse(variable: str, path: str, why: str) -> ConfigError:
    return ConfigError(f"cannot read {variable} ({path}): {why}")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_secret_file(path: str, *, variable: str) -> str | None:
    """The secret in the file at `path` (stripped of surrounding white space), None if it is empty.

    `variable` names where the path came from (`PROXSTATE_TOKEN_FILE`), for the messages.
    """
    try:
        # O_NONBLOCK: opening a FIFO to read would otherwise wait for a writer, forever.
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _refuse(variable, path, exc.strerror or "cannot open it") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(variable, path, f"it is {_kind(info.st_mode)}, not a file holding the secret")
        if info.st_size > MAX_SECRET_FILE_BYTES:
            raise _refuse(
                variable, path, f"it is {info.st_size} bytes long; a secret file holds one short line"
            )
        data = os.read(handle, MAX_SECRET_FILE_BYTES + 1)
    except OSError as exc:
        raise _refuse(variable, path, exc.strerror or "cannot read it") from None
    finally:
        os.close(handle)
    if len(data) > MAX_SECRET_FILE_BYTES:  # it grew while it was read
        raise _refuse(variable, path, "it is longer than a secret file can be")
    if data.startswith(_UTF16_BOMS):
        raise _refuse(variable, path, "it is UTF-16 text; save it as UTF-8 (or plain ASCII)")
    try:
        # `from None`: the decoding error would quote the bytes around the bad one.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(variable, path, "it is not UTF-8 text; save it as UTF-8 (or plain ASCII)") from None
    return text.strip() or None


__all__ = ["MAX_SECRET_FILE_BYTES", "read_secret_file"]

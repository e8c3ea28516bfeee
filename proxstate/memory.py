"""Giving freed memory back to the system between the stages of a sync.

glibc's allocator keeps what Python frees for later allocations instead of returning it, so a
stage that built and dropped a lot (discovery's answers, the plan's inventory) would leave the
process that much larger for the stages after it, and for good in a long-lived `proxstate watch`.
`malloc_trim(0)` returns the free pages: measured at 3,000 guests, 7 MiB after discovery.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


def give_back() -> None:
    """Return the allocator's free memory to the system; nothing where there is no glibc."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, looked up once, among the symbols the process has loaded already (no
    `find_library`, which runs ldconfig)."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to trim
        return None
    return trim


__all__ = ["give_back"]

"""The deadline of a sync: when its reads stop, and how long it may wait for the repository lock.

A sync that cannot finish (a cluster that answers ever more slowly, requests that each stay just
within their timeout) must still end, record what it read and let the next run have the lock.
Reading stops a little before the deadline, so that what was read can still be written, committed
and the lock released by the deadline: a tenth of the time is kept for that, at most a minute
(committing 5,000 guests takes about 2 s).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

# Ten minutes: thirty times a sync of 5,000 guests with every kind (docs/performance.md), and
# within the 15 minutes the shipped systemd unit allows a run.
DEFAULT_SYNC_DEADLINE = 600.0
MAX_WRITE_RESERVE = 60.0


@dataclass(frozen=True)
class Deadline:
    """`seconds` from `started` (a time.monotonic() value)."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    @property
    def ends(self) -> float:
        return self.started + self.seconds

    @property
    def reading_ends(self) -> float:
        """When requests stop: what they read by then is written before `ends`."""
        return self.ends - min(MAX_WRITE_RESERVE, self.seconds / 10)

    def lock_wait(self, longest: float) -> float:
        """How long to wait for the lock: at most `longest`, and only while reading time is left."""
        return max(0.0, min(longest, self.reading_ends - time.monotonic()))


__all__ = ["DEFAULT_SYNC_DEADLINE", "Deadline"]

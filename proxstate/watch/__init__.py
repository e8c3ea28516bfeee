"""`proxstate watch`: near real-time recording, one commit per burst of changes (docs/watch.md)."""

from proxstate.watch.loop import WatchEvent, WatchRequest, watch

__all__ = ["WatchEvent", "WatchRequest", "watch"]

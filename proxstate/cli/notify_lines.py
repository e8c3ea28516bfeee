"""What a command says of its notifications: a line for each one delivered, a warning for each one
that was not (named by the target's label, never its URL; the exit code stays the command's)."""

from __future__ import annotations

from collections.abc import Sequence

from proxstate.cli.console import Console
from proxstate.notify.deliver import Delivery
from proxstate.safetext import escape_unsafe


def notify_lines(console: Console, deliveries: Sequence[Delivery], *, to_stdout: bool) -> None:
    """`to_stdout`: the delivered ones on stdout (sync's lines); else on stderr (a report's stdout
    stays the report)."""
    for delivery in deliveries:
        target = escape_unsafe(delivery.target)
        if delivery.ok:
            line = f"notified {target} ({delivery.event})"
            if to_stdout:
                console.out(line)
            else:
                console.err(f"proxstate: {line}")
        else:
            console.warn(f"notification ({delivery.event}) to {target} not delivered: {delivery.detail}")

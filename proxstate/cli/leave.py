"""Leaving the process once a command is done, without the interpreter's teardown.

Python's teardown frees every object one at a time before the process ends: after a sync of 1,000
guests that is some 0.17 s, as long as the sync spends writing its commit, for memory the kernel
takes back at once anyway. `leave` does what of the teardown matters and ends the process: the
exit handlers run (logging's flush, coverage's data, the removal of temporary folders), then
stdout and stderr are flushed, with exit status 120 when that fails, as Python's own exit does.
While a thread that is not a daemon still runs, the exit is Python's ordinary one, which waits
for it.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

FLUSH_FAILED = 120  # what Python exits with when it cannot flush stdout or stderr at exit


def leave(code: int) -> NoReturn:
    """End the process with `code`, as Python's exit would, less the teardown."""
    main = threading.main_thread()
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)  # CPython's; elsewhere: Python's exit
    if run_exit_handlers is None or any(t is not main and not t.daemon for t in threading.enumerate()):
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.closed:
            continue
        try:
            stream.flush()
        except OSError:  # the reading end closed (EPIPE), the disk full
            code = code or FLUSH_FAILED
    os._exit(code)

"""Exec hooks: a command of the administrator's, run for each event it subscribes to.

It reads the event's JSON report on its standard input (message.payload) and finds the event in
its environment: PROXSTATE_EVENT (changes, drift, failure), PROXSTATE_STATUS (new, reminder,
recovered, resolved), PROXSTATE_CLUSTER, PROXSTATE_COMMIT_URL, PROXSTATE_REPOSITORY. It runs
without a shell, in the state repository's folder, with proxstate's own secrets (every PROXSTATE_*
variable of the caller, and the variables proxstate.yaml names for secrets) left out of its
environment. A hook that fails, or runs past its timeout, is reported; it never fails the sync.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from proxstate.notify.deliver import Delivery
from proxstate.notify.settings import NotifyTarget
from proxstate.safetext import escape_unsafe

ALLOW_HOOKS = "PROXSTATE_ALLOW_HOOKS"  # set to 1 by whoever runs proxstate, never by proxstate.yaml
_OUTPUT_SHOWN = 200  # characters of a failed hook's stderr repeated in the report


def run_hook(
    target: NotifyTarget,
    document: dict[str, Any],
    *,
    env: Mapping[str, str],
    withheld: frozenset[str],
    cwd: Path,
) -> Delivery:
    argv = list(target.exec or ())
    event = str(document["event"])
    if env.get(ALLOW_HOOKS) != "1":
        # proxstate.yaml comes from the state repository, which anyone who can push to it shapes:
        # running the commands it names is the choice of whoever runs proxstate, not of the file.
        why = f"exec hooks run only where {ALLOW_HOOKS}=1 is set (docs/notifications.md)"
        return Delivery(target.label, event, False, why)
    environment = {
        name: value
        for name, value in env.items()
        if not name.startswith("PROXSTATE_") and name not in withheld
    }
    environment.update(
        {
            "PROXSTATE_EVENT": event,
            "PROXSTATE_STATUS": str(document.get("status", "")),
            "PROXSTATE_CLUSTER": str(document.get("cluster", "")),
            "PROXSTATE_COMMIT_URL": str(document.get("commit_url") or ""),
            "PROXSTATE_REPOSITORY": str(document.get("repository", "")),
        }
    )
    data = json.dumps(document, ensure_ascii=False, default=str).encode("utf-8")
    try:
        done = subprocess.run(
            argv,
            input=data,
            env=environment,
            cwd=cwd,
            capture_output=True,
            timeout=target.timeout,
            check=False,
            start_new_session=True,  # Ctrl-C in the terminal stops proxstate, which ends the hook
        )
    except subprocess.TimeoutExpired:
        return Delivery(target.label, event, False, f"the hook ran past its timeout of {target.timeout:g} s")
    except OSError as error:
        return Delivery(target.label, event, False, f"the hook could not be started: {error.strerror}")
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        tail = f": {escape_unsafe(said[-1][:_OUTPUT_SHOWN])}" if said else ""
        return Delivery(target.label, event, False, f"the hook exited with status {done.returncode}{tail}")
    return Delivery(target.label, event, True)

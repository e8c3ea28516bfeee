"""The state repository's own file and the version of the record's format.

Kept apart from proxstate/config.py so that the history reports (show-changes, log), which check
the version of the record they read, do not build the configuration's pydantic models (about
0.1 s of a 0.3 s command).
"""

from __future__ import annotations

CONFIG_FILE = "proxstate.yaml"
# The state format this proxstate writes (docs/state-format.md); it reads 1 too, and migrates it.
FORMAT_VERSION = 2

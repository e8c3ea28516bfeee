"""The PVE API client: settings, TLS trust, authentication, retries, errors and typed calls.

Import from the modules (`proxstate.api.client`, `proxstate.api.settings`): this package does not
import httpx on its own, so that commands which never talk to PVE start quickly.
"""

import sys

# httpx's own __init__ imports its command-line tool (httpx._main), and with it rich's console,
# progress, table and syntax modules and pygments, since they are installed (proxstate's CLI uses
# rich): about 70 modules and 40 ms of CPU at every start, for a tool proxstate never runs.
# Marked absent before httpx is first imported, httpx skips it (it expects the ImportError when
# its extras are missing); proxstate's own output imports what of rich it uses, when it uses it.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

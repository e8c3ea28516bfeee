"""Reading a cluster through the PVE API into an Inventory (proxstate.resources.inventory).

What the rest of proxstate uses is here: `discover` (one read of a cluster, stage by stage), its
`DiscoveryOptions` and `Progress` callback, `run` (a coroutine from synchronous code),
`follow_task` (`discover-tasks --follow`), and the privilege model that check-token, the plan and
the endpoint audit (scripts/endpoint_audit.py) share with discovery.

The modules, in the order one read visits them: `stages` (the whole path, in order), `reader`
(the run's one Reader: every call, its failure, the progress count), `privileges` (what the login
may see and read: how a 403 is handled), `cluster` (the cluster-wide answers and the nodes),
`guests`, `catalog_reads` (the declarative catalog, with `catalog_paths`, `answers` and
`cephnode`), `storage`, `tasks`. `workers` runs a stage's many calls with a fixed pool; `needs`
says what PVE asks of a login for every GET; `follow` follows a running task.
"""

from proxstate.discovery.clusterlog import own_entries_note
from proxstate.discovery.follow import TaskOutcome, follow_task
from proxstate.discovery.needs import AUDITOR, NEEDS, Need, major_of, need_of
from proxstate.discovery.privileges import (
    PERMISSIONS_PATH,
    READ_RESTRICTED,
    Login,
    Permissions,
    complete,
    entry_paths,
    hidden_keys_note,
    holds,
    parse_permissions,
    permitted,
    rid_glob,
)
from proxstate.discovery.reader import DiscoveryOptions, Progress
from proxstate.discovery.stages import discover, run

__all__ = [
    "AUDITOR",
    "NEEDS",
    "PERMISSIONS_PATH",
    "READ_RESTRICTED",
    "DiscoveryOptions",
    "Login",
    "Need",
    "Permissions",
    "Progress",
    "TaskOutcome",
    "complete",
    "discover",
    "entry_paths",
    "follow_task",
    "hidden_keys_note",
    "holds",
    "major_of",
    "need_of",
    "own_entries_note",
    "parse_permissions",
    "permitted",
    "rid_glob",
    "run",
]

"""PVE's cluster log (GET /cluster/log): who changed what, where the task list says nothing.

pmxcfs keeps the log of the whole cluster in a ring buffer of about 128 KiB per node, merged across
the nodes (pve-cluster data/src/logger.c, `clog_dump_json`): each entry has `uid` (a counter of the
node that wrote it), `time`, `pri`, `tag`, `pid`, `node`, `user` and `msg`, newest first. Without
`max`, pmxcfs answers the newest 50 (data/src/server.c); a sync asks for `CLUSTER_LOG_MAX`, more
than the buffer holds. pve-manager PVE/API2/Cluster.pm `log` answers every login (`user => 'all'`)
and filters by user itself: without Sys.Syslog on `/` a login sees only the entries it wrote itself.
"""

from __future__ import annotations

from proxstate.discovery.privileges import holds
from proxstate.discovery.reader import Reader
from proxstate.resources.inventory import Inventory, ReadFailure
from proxstate.resources.kinds import CLUSTER_LOG

# Entries asked for: more than pmxcfs's ring buffer holds (entries are 50 bytes and more).
CLUSTER_LOG_MAX = 5000
SYSLOG_PRIVILEGE = "Sys.Syslog"


async def read_cluster_log(reader: Reader, inventory: Inventory) -> None:
    """The cluster log into `inventory.cluster_log`; a failure keeps the recorded days."""
    call = reader.client.cluster_log(CLUSTER_LOG_MAX)
    found = await reader.attempt(f"{CLUSTER_LOG}/*", call, "the cluster log")
    if isinstance(found, ReadFailure):
        return
    inventory.cluster_log = found
    permissions = reader.permissions
    # When PVE does not say what the login holds, nothing is assumed (the log is taken as whole).
    inventory.cluster_log_own_only = permissions is not None and not holds(
        permissions, "/", (SYSLOG_PRIVILEGE,)
    )


def own_entries_note() -> ReadFailure:
    """Named once in a sync's output when PVE showed the login only its own log entries."""
    return ReadFailure(
        resource_id=f"{CLUSTER_LOG}/*",
        reason=(
            f"entries of other users (this login lacks {SYSLOG_PRIVILEGE} on /: PVE shows it only its "
            "own, so attribution of changes by others is limited)"
        ),
        by_design=True,
    )


__all__ = ["CLUSTER_LOG_MAX", "SYSLOG_PRIVILEGE", "own_entries_note", "read_cluster_log"]

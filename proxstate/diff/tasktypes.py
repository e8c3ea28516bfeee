"""Which PVE task types can cause which class of change of a guest.

PVE writes a task (with a UPID, a type, the guest id and the user) for most guest operations, but
not for everything: plain configuration edits are usually synchronous and leave no task (`qmconfig`
exists only for the asynchronous config call; the cluster log names them instead), and tags, pools
and HA settings leave none. Clone tasks (`qmclone`, `vzclone`) are not used: their `id` is the
source guest, so they say nothing reliable about either guest's change. The resize task type is
`resize` for both guest kinds.
"""

from __future__ import annotations

from proxstate.diff.model import ChangeClass
from proxstate.resources.kinds import LXC, QEMU

_QEMU_CONFIG = frozenset({"qmconfig", "qmrollback", "qmmove"})
_LXC_CONFIG = frozenset({"vzrollback", "move_volume"})
_HA = frozenset({"hastart", "hastop", "hashutdown", "hamigrate"})

TASK_TYPES: dict[str, dict[ChangeClass, frozenset[str]]] = {
    QEMU: {
        ChangeClass.ADDED: frozenset({"qmcreate", "qmrestore"}),
        ChangeClass.REMOVED: frozenset({"qmdestroy"}),
        ChangeClass.MIGRATED: frozenset({"qmigrate", "hamigrate"}),
        ChangeClass.POWER: frozenset(
            {"qmstart", "qmstop", "qmshutdown", "qmreboot", "qmreset", "qmsuspend", "qmpause", "qmresume"}
        )
        | _HA,
        ChangeClass.RESIZED: frozenset({"resize"}),
        ChangeClass.HARDWARE: _QEMU_CONFIG,
        ChangeClass.NETWORK: _QEMU_CONFIG,
        ChangeClass.PENDING: _QEMU_CONFIG,
        ChangeClass.CONFIG: _QEMU_CONFIG,
        ChangeClass.SNAPSHOT: frozenset({"qmsnapshot", "qmdelsnapshot"}),
        ChangeClass.TEMPLATE: frozenset({"qmtemplate"}),
        ChangeClass.HA: _HA,
        ChangeClass.LOCK: frozenset({"vzdump", "qmigrate", "qmsnapshot", "qmdelsnapshot", "qmrollback"}),
    },
    LXC: {
        ChangeClass.ADDED: frozenset({"vzcreate", "vzrestore"}),
        ChangeClass.REMOVED: frozenset({"vzdestroy"}),
        ChangeClass.MIGRATED: frozenset({"vzmigrate", "hamigrate"}),
        ChangeClass.POWER: frozenset({"vzstart", "vzstop", "vzshutdown", "vzreboot", "vzsuspend", "vzresume"})
        | _HA,
        ChangeClass.RESIZED: frozenset({"resize"}),
        ChangeClass.HARDWARE: _LXC_CONFIG,
        ChangeClass.NETWORK: _LXC_CONFIG,
        ChangeClass.PENDING: _LXC_CONFIG,
        ChangeClass.CONFIG: _LXC_CONFIG,
        ChangeClass.SNAPSHOT: frozenset({"vzsnapshot", "vzdelsnapshot"}),
        ChangeClass.TEMPLATE: frozenset({"vztemplate"}),
        ChangeClass.HA: _HA,
        ChangeClass.LOCK: frozenset(
            {"vzdump", "vzmigrate", "vzsnapshot", "vzdelsnapshot", "vzrollback", "vzmount"}
        ),
    },
}


__all__ = ["TASK_TYPES"]

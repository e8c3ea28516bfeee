"""Models of tasks: UPIDs, task list entries, task status and task log lines.

A UPID (unique process id) names a task and carries where and when it ran:
`UPID:node:PID:PSTART:STARTTIME:type:id:user:` with PID, PSTART and STARTTIME in hex.
Task entries are completed from their UPID, so `node`, `type`, `user`, ... are always there
(GET /cluster/tasks leaves some out); `payload()` still gives only what PVE sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Self

from pydantic import model_validator

from proxstate.errors import ProtocolError
from proxstate.models.base import PveModel
from proxstate.models.types import PveInt

# PVE::Tools::upid_decode; PSTART may grow to 9 digits on hosts with a long uptime.
_UPID = re.compile(
    r"UPID:(?P<node>[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?):(?P<pid>[0-9A-Fa-f]{8}):"
    r"(?P<pstart>[0-9A-Fa-f]{8,9}):(?P<starttime>[0-9A-Fa-f]{8}):(?P<type>[^:\s]+):"
    r"(?P<id>[^:\s]*):(?P<user>[^:\s]+):"
)
_UPID_FIELDS = ("node", "pid", "pstart", "starttime", "type", "id", "user")


@dataclass(frozen=True, kw_only=True)
class Upid:
    """The parts of a UPID."""

    node: str
    pid: int
    pstart: int
    starttime: int  # Unix time the task started
    type: str  # e.g. qmstart, vzdump, qmigrate
    id: str  # usually the vmid; may be empty
    user: str  # user@realm, or user@realm!tokenid


def decode_upid(upid: str) -> Upid:
    """The parts of a UPID; ProtocolError if it is not one."""
    found = _UPID.fullmatch(upid) if isinstance(upid, str) else None
    if found is None:
        shown = repr(upid)[:120]
        raise ProtocolError(f"malformed task id (UPID) from PVE: {shown}")
    return Upid(
        node=found["node"],
        pid=int(found["pid"], 16),
        pstart=int(found["pstart"], 16),
        starttime=int(found["starttime"], 16),
        type=found["type"],
        id=found["id"],
        user=found["user"],
    )


class _UpidModel(PveModel):
    """A payload that names a task by its UPID; missing task fields come from the UPID."""

    upid: str
    node: str = ""
    pid: PveInt = 0
    pstart: PveInt = 0
    starttime: PveInt = 0
    type: str = ""
    id: str = ""
    user: str = ""

    @model_validator(mode="after")
    def _complete_from_upid(self) -> Self:
        try:
            decoded = decode_upid(self.upid)
        except ProtocolError as exc:
            raise ValueError(exc.message) from None
        for name in _UPID_FIELDS:
            if name not in self.model_fields_set:
                # Bypass pydantic's __setattr__ so payload() keeps only the fields PVE sent.
                object.__setattr__(self, name, getattr(decoded, name))
        return self

    @property
    def decoded(self) -> Upid:
        """The parts of the UPID itself."""
        return decode_upid(self.upid)


class TaskInfo(_UpidModel):
    """One entry of GET /nodes/{node}/tasks or /cluster/tasks.

    `status` is the exit status of a finished task ("OK", or the error), absent while it runs.
    """

    endtime: PveInt | None = None
    status: str | None = None


class TaskStatus(_UpidModel):
    """GET /nodes/{node}/tasks/{upid}/status: `status` is running or stopped; `exitstatus` when stopped."""

    status: str | None = None
    exitstatus: str | None = None


class TaskLogLine(PveModel):
    """One line of GET /nodes/{node}/tasks/{upid}/log: its number `n` and its text `t`."""

    n: PveInt
    t: str


__all__ = ["TaskInfo", "TaskLogLine", "TaskStatus", "Upid", "decode_upid"]

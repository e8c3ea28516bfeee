"""What a cluster log message says was changed: the shapes PVE's own handlers write.

- qemu-server PVE/API2/Qemu.pm, `update_vm_api` (PUT and POST .../qemu/{vmid}/config): `update VM
  {vmid}: -key value ...`, every parameter but `digest`, sorted by name, with `-cipassword <hidden>`;
  `-delete net1,serial0` and `-revert` name what they drop or take back;
- qemu-server `resize_vm` and pve-container PVE/API2/LXC.pm `resize_vm`: `update VM {vmid}: resize
  --disk scsi0 --size +4G`, `update CT {vmid}: resize --disk rootfs --size +4G`;
- pve-container's config update (PUT .../lxc/{vmid}/config) logs nothing at all;
- every task start and end (PVE::RESTEnvironment `fork_worker`): `starting task UPID:...` and
  `end task UPID:... OK`, under the task's user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UPDATE = re.compile(r"update (VM|CT) ([0-9]{1,18}): (.*)", re.DOTALL)
# A parameter starts at `-name ` at the start or after a space; PVE joins them with single spaces.
_PARAM = re.compile(r"(?:^| )--?([A-Za-z][A-Za-z0-9_.-]*)(?= |$)")
_TASK = re.compile(r"(starting|end) task (UPID:[^ ]+)")


@dataclass(frozen=True)
class LoggedUpdate:
    """A guest's configuration update as one cluster log message names it."""

    kind: str  # qemu or lxc
    vmid: str
    params: tuple[tuple[str, str], ...]  # (name, value) in the message's order
    resize: bool = False

    def keys(self) -> frozenset[str]:
        """The config keys the update sets, deletes or reverts (`--disk` for a resize)."""
        if self.resize:
            return frozenset(value for name, value in self.params if name == "disk")
        keys = {name for name, _ in self.params if name not in ("delete", "revert", "force", "skiplock")}
        for name, value in self.params:
            if name in ("delete", "revert"):
                keys.update(part.strip() for part in re.split(r"[,; ]", value) if part.strip())
        return frozenset(keys)


def split_params(text: str) -> list[tuple[str, str]]:
    """`-memory 16384 -name web 1` as [("memory", "16384"), ("name", "web 1")]."""
    marks = list(_PARAM.finditer(text))
    params = []
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        params.append((mark.group(1), text[mark.end() : end].removeprefix(" ")))
    return params


def parse_update(message: str) -> LoggedUpdate | None:
    """The update a message logs; None for any other message."""
    match = _UPDATE.fullmatch(message)
    if match is None:
        return None
    kind = "qemu" if match.group(1) == "VM" else "lxc"
    rest = match.group(3)
    resize = rest.startswith("resize ")
    params = split_params(rest.removeprefix("resize ") if resize else rest)
    return LoggedUpdate(kind=kind, vmid=match.group(2), params=tuple(params), resize=resize)


def join_update(head: str, params: list[tuple[str, str]]) -> str:
    """The message again after its values were changed (masked): `head` is `update VM 104:`."""
    return " ".join([head, *(f"-{name} {value}" if value else f"-{name}" for name, value in params)])


def task_upid(message: str) -> str | None:
    """The UPID of a `starting task` or `end task` message; None for any other."""
    match = _TASK.match(message)
    return match.group(2) if match else None


__all__ = ["LoggedUpdate", "join_update", "parse_update", "split_params", "task_upid"]

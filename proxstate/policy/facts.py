"""The facts of a guest (`qemu/*`, `lxc/*`): its NICs, pools, backup jobs, firewall, HA, snapshots.

Built once per cluster (GuestIndex.build) so that each guest's facts cost a few dictionary
look-ups: a check of 5,000 guests stays well under a second.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from proxstate.policy.context import Settings

DAY = 86400.0
NIC = re.compile(r"net\d+")
# The word in a pool's comment that makes it a protected pool (docs/policy.md).
PROTECTED_MARK = re.compile(r"(?<![\w-])protected(?![\w-])", re.IGNORECASE)


def as_list(value: Any) -> list[str]:
    """PVE's lists as recorded: a list already, or `a,b`, `a;b`, `a b`, or one number."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(item) for item in value]
    if isinstance(value, dict):
        return [str(key) for key in value]
    return [part for part in re.split(r"[,; ]+", str(value)) if part]


def config_of(document: dict[str, Any]) -> dict[str, Any]:
    config = document.get("config")
    return config if isinstance(config, dict) else {}


def truth(value: Any) -> bool:
    return value is True or value in (1, "1", "yes", "on", "true")


def nics_of(config: dict[str, Any]) -> list[dict[str, Any]]:
    nics = []
    for key, value in config.items():
        if NIC.fullmatch(key) and isinstance(value, dict):
            mac = value.get("macaddr") or value.get("hwaddr")
            nics.append({**value, "name": key, "mac": mac, "firewall": truth(value.get("firewall"))})
    return nics


@dataclass
class GuestIndex:
    cluster: str
    settings: Settings
    pools_of: dict[str, set[str]]  # vmid -> pools it is a member of
    protected: set[str]  # the protected pools' names
    jobs: list[tuple[str, dict[str, Any]]]  # enabled backup jobs: (id, config)
    firewall: dict[str, dict[str, Any]]  # "qemu/101" -> the guest firewall's options
    ha: dict[str, dict[str, Any]]  # "qemu/101" -> its HA resource's config

    @classmethod
    def build(
        cls, cluster: str, record: dict[str, dict[str, dict[str, Any]]], *, settings: Settings
    ) -> GuestIndex:
        pools_of: dict[str, set[str]] = {}
        protected = set(settings.protected_pools)
        for rid, pool in record["pools"].items():
            name = rid.removeprefix("pool/")
            config = config_of(pool)
            if PROTECTED_MARK.search(str(config.get("comment") or "")):
                protected.add(name)
            for member in config.get("members") or []:
                if isinstance(member, dict) and member.get("vmid") is not None:
                    pools_of.setdefault(str(member["vmid"]), set()).add(name)
        jobs = [
            (rid.removeprefix("backup-job/"), config_of(job))
            for rid, job in record["backup_jobs"].items()
            if truth(config_of(job).get("enabled", True))
        ]
        firewall = {
            rid.removeprefix("guest-firewall/").removesuffix("/options"): config_of(doc)
            for rid, doc in record["guest_firewalls"].items()
            if rid.endswith("/options")
        }
        ha = {}
        for rid, resource in record["ha_resources"].items():
            sid = rid.removeprefix("ha/resource/")
            kind, _, vmid = sid.partition(":")
            if vmid:
                ha[f"{'lxc' if kind == 'ct' else 'qemu'}/{vmid}"] = config_of(resource)
        return cls(cluster, settings, pools_of, protected, jobs, firewall, ha)

    def backup_jobs(self, vmid: str, node: Any, pools: Iterable[str]) -> list[str]:
        """The enabled backup jobs that select the guest, as PVE's vzdump job does: every guest
        (`all`) but those excluded, the listed vmids, or the members of a pool; on `node` only."""
        chosen = []
        in_pools = set(pools)
        for job_id, config in self.jobs:
            if config.get("node") and str(config.get("node")) != str(node):
                continue
            if truth(config.get("all")):
                selected = vmid not in as_list(config.get("exclude"))
            else:
                selected = vmid in as_list(config.get("vmid")) or bool(
                    config.get("pool") and str(config["pool"]) in in_pools
                )
            if selected:
                chosen.append(job_id)
        return chosen

    def guest_facts(self, rid: str, document: dict[str, Any]) -> dict[str, Any]:
        config = config_of(document)
        vmid = str(document.get("vmid", rid.partition("/")[2]))
        pools = set(self.pools_of.get(vmid, ()))
        if document.get("pool"):
            pools.add(str(document["pool"]))
        now = self.settings.now
        snapshots = [
            {"name": name, "snaptime": snap.get("snaptime"), "age_days": _age(snap.get("snaptime"), now)}
            for name, snap in (document.get("snapshots") or {}).items()
            if isinstance(snap, dict) and name != "current"
        ]
        pending = bool(document.get("pending"))
        since = (self.settings.pending_since or {}).get((self.cluster, rid)) if pending else None
        return {
            "name": config.get("name") or config.get("hostname"),
            "template": truth(config.get("template")),
            "tags": as_list(config.get("tags")),
            "nics": nics_of(config),
            "pools": sorted(pools),
            "protected_pool": bool(pools & self.protected),
            "backup_jobs": self.backup_jobs(vmid, document.get("node"), pools),
            "firewall": self.firewall.get(rid, {}),
            "ha": self.ha.get(rid),
            "snapshots": snapshots,
            "pending": pending,
            "pending_days": _age(since, now) if since is not None else None,
        }


def _age(when: Any, now: float) -> float | None:
    if isinstance(when, bool) or not isinstance(when, int | float):
        return None
    return round((now - float(when)) / DAY, 2)

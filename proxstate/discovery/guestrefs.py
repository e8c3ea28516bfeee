"""One request that says whether a guest has firewall aliases and IP sets of its own.

Most guests have no firewall configuration, yet reading it took four requests per guest: options,
rules, aliases and the list of IP sets. PVE's `GET .../firewall/refs` (pve-firewall,
API2/Firewall/VM.pm, `refs`) lists every alias and IP set a rule of the guest may name, each with
its `scope`: `dc` (the cluster's), `sdn`, and `guest` for those of the guest's own `<vmid>.fw`,
collected from the same parsed file the aliases and IP set lists read (Firewall/Helpers.pm,
`collect_refs`: name, and the comment the IP set list gives too). So one `refs` answers both
questions: without an alias of scope `guest` the guest's aliases are an empty list, and the IP sets
of scope `guest` are the guest's IP set list. A guest reads in three requests instead of four, and a
guest with aliases in four, as before.

PVE 7 lists the refs without `scope` (and merges a guest's alias with a cluster's of the same name):
there an answer with any item cannot tell, and the aliases and the IP set list are read as before.
So is everything when `refs` itself fails: those reads then fail, or not, as they always did.
"""

from __future__ import annotations

from typing import Any

GUEST_FIREWALL = "/nodes/{node}/{type}/{vmid}/firewall"
REFS = GUEST_FIREWALL + "/refs"
ALIASES = GUEST_FIREWALL + "/aliases"
IPSETS = GUEST_FIREWALL + "/ipset"
GUEST_SCOPE = "guest"


def own_refs(answer: Any, kind: str) -> list[dict[str, Any]] | None:
    """The guest's own refs of `kind` (`alias`, `ipset`) in a `refs` answer; None when the answer
    cannot tell (an item without `scope`, or an answer of another shape)."""
    if not isinstance(answer, list):
        return None
    own = []
    for item in answer:
        if not isinstance(item, dict) or not isinstance(item.get("scope"), str):
            return None
        if item["scope"] == GUEST_SCOPE and item.get("type") == kind:
            own.append(item)
    return own


def ipset_list(refs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The guest's IP set list as `GET .../firewall/ipset` gives its names and comments."""
    out = []
    for item in refs:
        entry = {"name": item.get("name")}
        if item.get("comment") is not None:
            entry["comment"] = item["comment"]
        out.append(entry)
    return out


__all__ = ["ALIASES", "IPSETS", "REFS", "ipset_list", "own_refs"]

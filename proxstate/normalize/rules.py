"""What normalization keeps, drops and masks, per kind: the rules as data.

Key types and property-string formats are not here: they come from the official PVE API schema
(data/pve-schema.json). These are the decisions on top of it, each with its reason.
"""

from __future__ import annotations

from typing import Final


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Config keys whose values are secrets, decided from the schema descriptions:
# qemu `cipassword` ("cloud-init: Password to assign the user"); storage `password` ("Password
# for accessing the share/datastore", also the PBS token secret), `keyring` ("Client keyring
# contents"), `encryption-key` ("Encryption key"); lxc `env` ("The container runtime
# environment"): application containers take their credentials there.
# Not secrets: `sshkeys` and `master-pubkey` (public keys), `fingerprint`, `ciuser`.
SECRET_KEYS: Final[dict[str, frozenset[str]]] = {
    "qemu": frozenset({"cipassword"}),
    "lxc": frozenset({"env"}),
    "storage": frozenset({"password", "keyring", "encryption-key"}),
}
# A container's raw LXC lines (`config.lxc`, as `[{key: value}, ...]`) whose values are secrets:
# `lxc.environment` sets the same runtime environment as `env` (`DB_PASSWORD=...`), and the
# `.runtime` and `.hooks` forms of newer LXC likewise.
SECRET_RAW_LXC_KEYS: Final = frozenset(
    {"lxc.environment", "lxc.environment.runtime", "lxc.environment.hooks"}
)

# The secret detector (normalize/detector.py) runs over every recorded string. These are its rules
# on top of detect-secrets' token formats and `KEY=VALUE` keywords: name, a text every match holds
# (strings without it are not searched), pattern, and the group that is the secret (0: the match).
# - URL credentials: `http_proxy: http://user:password@proxy:3128/` (datacenter.cfg), repository
#   and webhook URLs. Only the password is masked: the user and host still show a change of proxy.
#   Wider than detect-secrets' own rule, which misses passwords holding `$`, `!`, `&` and the like.
# - PVE and PBS API tokens as they are pasted into notes and scripts: `user@realm!tokenid=UUID`
#   (and `PVEAPIToken=...`, `PBSAPIToken=...:`): the UUID is the secret.
DETECTOR_PATTERNS: Final[tuple[tuple[str, str, str, int], ...]] = (
    ("URL credentials", "://", r"://[^/\s:@]+:([^/\s@]+)@", 1),
    ("Proxmox API token", "!", r"![\w.-]+[=:]([0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})", 1),
)
# detect-secrets' detectors that are not used: entropy alone flags every UUID, MAC, digest and disk
# serial PVE records; public IP addresses are configuration, not secrets; Artifactory's patterns
# (`AP` + a hex digit + 8 letters or digits, as a word) match ordinary capitals (`APACHESERVER`) in
# descriptions, and its current tokens are JWTs, which the JWT rule finds.
DETECTOR_SKIPPED: Final = frozenset(
    {"Base64 High Entropy String", "Hex High Entropy String", "Public IP (ipv4)", "Artifactory Credentials"}
)

# Config keys that are not recorded inside `config`:
# `digest` is a checksum of the config file that changes with every edit (volatile);
# `lock` is recorded once, as the document's top-level `lock`;
# a storage's `storage` and `type` are its identity, recorded at the top of the document.
DROPPED_CONFIG_KEYS: Final[dict[str, frozenset[str]]] = {
    "qemu": frozenset({"digest", "lock"}),
    "lxc": frozenset({"digest", "lock"}),
    "storage": frozenset({"digest", "storage", "type"}),
}

# List-valued config keys whose order means nothing: recorded sorted and deduplicated.
SET_KEYS: Final[dict[str, frozenset[str]]] = {
    "qemu": frozenset({"tags"}),
    "lxc": frozenset({"tags"}),
    "storage": frozenset({"content", "nodes"}),
}

# How a list-valued config key is written back (PVE reads `,`, `;` and spaces alike).
LIST_SEPARATORS: Final[dict[str, str]] = {"tags": ";", "nameserver": " ", "searchdomain": " "}
DEFAULT_LIST_SEPARATOR: Final = ","

# Gauges and counters: they change all the time and say nothing an administrator configured.
# Documents are built from chosen fields; these lists name what is dropped from the payloads that
# are recorded as a whole (storage per-node entries, volumes, tasks, HA state) and document the rest.
VOLATILE_KEYS: Final[dict[str, frozenset[str]]] = {
    "guest": _names(
        "cpu cpus mem maxmem memhost disk maxdisk swap maxswap uptime netin netout diskread diskwrite"
        " pid balloon ballooninfo blockstat nics freemem proxmox-support agent running-machine"
        " running-qemu pressurecpusome pressurecpufull pressureiosome pressureiofull"
        " pressurememorysome pressurememoryfull"
    ),
    "node": _names(
        "cpu mem maxmem disk maxdisk uptime loadavg idle wait ksm memory.used memory.free"
        " memory.available swap.used swap.free rootfs.used rootfs.free rootfs.avail cpuinfo.mhz"
        " cpuinfo.flags"
    ),
    "storage": frozenset({"total", "used", "avail", "used_fraction"}),
    "content": frozenset({"used"}),
    "task": frozenset({"pid", "pstart", "saved"}),
    "ha": frozenset({"request_state"}),
}

# Task fields recorded, in this order (the node and day are in the document's identity).
TASK_FIELDS: Final = ("type", "id", "user", "starttime", "endtime", "status")

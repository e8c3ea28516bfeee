"""Where each resource's document lives in the state repository, and back.

Every path component that comes from the API (cluster, node, storage names) is escaped so that
whatever the API says, the path stays under `clusters/<cluster>/`: bytes that are unsafe in a
file name on Linux, macOS or Windows, a leading `-` or `.`, a trailing `.`, and `%` itself are
percent-encoded (`%2E`, upper-case hex of the UTF-8 bytes); the empty name is `%`. A component
longer than 200 bytes is split into folders, each but the last ending in `%+`. Ordinary names
(`pve1`, `local-lvm`, `ceph_pool.1`) stay as they are. The escaping is injective, and
`resource_of_path` accepts only the canonical spelling, so it is the exact inverse of
`document_path`.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from urllib.parse import unquote

from proxstate.catalog import KINDS as CATALOG_KINDS
from proxstate.errors import StoreError

__all__ = [
    "CLUSTERS_DIR",
    "cluster_dir",
    "document_file",
    "document_path",
    "resource_glob_matches",
    "resource_of_path",
]

CLUSTERS_DIR = "clusters"
SUFFIX = ".yaml"
MAX_COMPONENT_BYTES = 200
_CONTINUED = "%+"  # ends every folder but the last of a component split for length

_ORDINARY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
# Controls (C0, DEL, C1), `%`, path separators, characters Windows refuses in file names, the
# space, lone surrogates (not encodable) and invisible line and byte-order marks.
_UNSAFE = re.compile('[\x00-\x20\x7f-\x9f%/\\\\:*?"<>|\ud800-\udfff\u2028\u2029\ufeff]')
_VMID = re.compile(r"[0-9]{1,18}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Folder and file names of the kinds that sit directly under clusters/<cluster>/.
_SINGLE_KINDS = {"node": "nodes", "qemu": "qemu", "lxc": "lxc", "storage": "storage"}
_KIND_OF_FOLDER = {folder: kind for kind, folder in _SINGLE_KINDS.items()}
# The kinds of proxstate.catalog: `kind.yaml`, or kind/<part>/.../<last>.yaml.
_CATALOG = frozenset(CATALOG_KINDS)


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))


def _escape_chunk(name: str) -> str:
    if _ORDINARY.fullmatch(name) and not name.endswith("."):
        return name
    escaped = _UNSAFE.sub(lambda match: _percent(match.group()), name)
    if escaped[:1] in ("-", "."):
        escaped = _percent(escaped[0]) + escaped[1:]
    if escaped.endswith("."):
        escaped = escaped[:-1] + "%2E"
    return escaped


def escape_component(name: str) -> list[str]:
    """The folder names (usually one) that stand for one name from the API."""
    if name == "":
        return ["%"]
    escaped = _escape_chunk(name)
    if len(escaped.encode("utf-8")) <= MAX_COMPONENT_BYTES:
        return [escaped]
    # Split the name (not its escaped form, so no escape is cut in two). A character escaped on
    # its own is at least as long as anywhere in a piece, so the sum bounds the piece's length.
    budget = MAX_COMPONENT_BYTES - len(_CONTINUED)
    pieces: list[str] = []
    start, size = 0, 0
    for index, char in enumerate(name):
        cost = len(_escape_chunk(char).encode("utf-8"))
        if size + cost > budget:
            pieces.append(_escape_chunk(name[start:index]) + _CONTINUED)
            start, size = index, 0
        size += cost
    pieces.append(_escape_chunk(name[start:]))
    return pieces


def _unescape(folders: list[str]) -> str:
    if folders == ["%"]:
        return ""
    return "".join(unquote(folder.removesuffix(_CONTINUED), errors="surrogatepass") for folder in folders)


def cluster_dir(cluster: str) -> PurePosixPath:
    """clusters/<cluster>: the folder that holds everything recorded about one cluster."""
    return PurePosixPath(_cluster_root(cluster))


@functools.lru_cache(maxsize=64)
def _cluster_root(cluster: str) -> str:
    return "/".join([CLUSTERS_DIR, *escape_component(cluster)])


def _file(folders: list[str]) -> list[str]:
    return [*folders[:-1], folders[-1] + SUFFIX]


def document_path(cluster: str, resource_id: str) -> PurePosixPath:
    """The repository path of a resource's document; StoreError for an id it cannot file."""
    return PurePosixPath(document_file(cluster, resource_id))


def document_file(cluster: str, resource_id: str) -> str:
    """document_path as a string: a sync files every document, and building it as one string
    costs a third of joining PurePosixPaths."""
    return "/".join([_cluster_root(cluster), *_document_parts(resource_id)])


def _document_parts(resource_id: str) -> list[str]:
    if resource_id == "cluster" or resource_id in _CATALOG:
        return [resource_id + SUFFIX]
    kind, sep, rest = resource_id.partition("/")
    if not sep:
        raise StoreError(f"not a resource id: {resource_id!r} (expected kind/name, e.g. qemu/101)")
    if kind in ("qemu", "lxc") and not _VMID.fullmatch(rest):
        raise StoreError(f"not a resource id: {resource_id!r} (a {kind} vmid is a number)")
    if kind in _SINGLE_KINDS:
        return [_SINGLE_KINDS[kind], *_file(escape_component(rest))]
    if kind in ("content", "tasks"):
        # Node names cannot hold `/`; the storage id or date is what follows the last one.
        node, sep, last = rest.rpartition("/")
        if not sep:
            raise StoreError(f"not a resource id: {resource_id!r} (expected {kind}/<node>/<name>)")
        if kind == "tasks" and not _DATE.fullmatch(last):
            raise StoreError(f"not a resource id: {resource_id!r} (expected tasks/<node>/YYYY-MM-DD)")
        return [kind, *escape_component(node), *_file(escape_component(last))]
    if kind in _CATALOG:
        # Declarative configuration: kind/part/.../last, each part escaped on its own.
        parts = rest.split("/")
        return [
            kind,
            *[f for part in parts[:-1] for f in escape_component(part)],
            *_file(escape_component(parts[-1])),
        ]
    raise StoreError(f"not a resource id: {resource_id!r} (unknown kind {kind!r})")


def _components(parts: tuple[str, ...]) -> list[list[str]]:
    """Group folder names back into components: a name ending in `%+` continues in the next."""
    groups: list[list[str]] = []
    current: list[str] = []
    for part in parts:
        current.append(part)
        if not part.endswith(_CONTINUED):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def resource_of_path(path: str | PurePosixPath) -> tuple[str, str] | None:
    """(cluster, resource id) of a document path; None for any other file."""
    text = str(path)
    parts: Sequence[str] = text.split("/")
    if "" in parts or "." in parts:  # not as git lists paths: let pathlib normalize it
        parts = PurePosixPath(text).parts
    if len(parts) < 3 or parts[0] != CLUSTERS_DIR or not parts[-1].endswith(SUFFIX):
        return None
    groups = _components((*parts[1:-1], parts[-1].removesuffix(SUFFIX)))
    rest = groups[1:]
    resource_id: str | None = None
    try:
        cluster = _unescape(groups[0])
        if rest == [["cluster"]] or (len(rest) == 1 and len(rest[0]) == 1 and rest[0][0] in _CATALOG):
            resource_id = rest[0][0]
        elif len(rest) >= 2 and len(rest[0]) == 1 and rest[0][0] in _CATALOG:
            resource_id = "/".join([rest[0][0], *(_unescape(group) for group in rest[1:])])
        elif len(rest) == 2 and len(rest[0]) == 1 and rest[0][0] in _KIND_OF_FOLDER:
            resource_id = f"{_KIND_OF_FOLDER[rest[0][0]]}/{_unescape(rest[1])}"
        elif len(rest) == 3 and rest[0] in (["content"], ["tasks"]):
            resource_id = f"{rest[0][0]}/{_unescape(rest[1])}/{_unescape(rest[2])}"
    except UnicodeDecodeError:  # escapes of bytes that are not UTF-8: not written by proxstate
        return None
    if resource_id is None:
        return None
    # Only the canonical spelling is a document: this makes the two functions exact inverses.
    try:
        canonical = [*_cluster_root(cluster).split("/"), *_document_parts(resource_id)]
    except StoreError:
        return None
    return (cluster, resource_id) if canonical == list(parts) else None


def resource_glob_matches(pattern: str, resource_id: str) -> bool:
    """Whether a resource id matches a shell-style pattern (`qemu/*`, `content/*/local`)."""
    return fnmatch.fnmatchcase(resource_id, pattern)

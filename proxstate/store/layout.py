"""Where each resource's document lives in the state repository, and back.

Every path component that comes from the API (cluster, node, storage names) is escaped so that
whatever the API says, the path stays under `clusters/<cluster>/`: bytes that are unsafe in a
file name on Linux, macOS or Windows, a leading `-` or `.`, a trailing `.`, and `%` itself are
percent-encoded (`%2E`, upper-case hex of the UTF-8 bytes); the empty name is `%`. Ordinary names
(`pve1`, `local-lvm`, `ceph_pool.1`) stay as they are. The escaping is injective, and
`resource_of_path` accepts only the canonical spelling, so it is the exact inverse of
`document_path`.

A name whose escaped form is longer than 200 bytes cannot always be a file name (255 bytes at most,
4096 for a whole path): it is filed as its first few characters, `%~` and 32 hex digits of the
SHA-256 of the whole name, and the document's first line (`# proxstate-path: ...`, a YAML comment)
holds the path as if there were no limit. `resource_of_path` reads that line to invert such a path.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from urllib.parse import unquote

from proxstate.errors import ResourceIdError
from proxstate.resources.catalog import KINDS as CATALOG_KINDS
from proxstate.resources.ids import ResourceId
from proxstate.resources.kinds import CLUSTER, CLUSTER_LOG, CONTENT, LXC, NODE, QEMU, STORAGE, TASKS

__all__ = [
    "CLUSTERS_DIR",
    "HASHED",
    "cluster_dir",
    "document_file",
    "document_header",
    "document_path",
    "kind_folder",
    "resource_glob_matches",
    "resource_of_path",
]

CLUSTERS_DIR = "clusters"
SUFFIX = ".yaml"
MAX_COMPONENT_BYTES = 200  # with `.yaml` and a temporary file's dot and suffix, under 255
_PREFIX_BYTES = 64  # the readable start of a name too long to be a file name
HASHED = "%~"  # then a SHA-256 of the whole name, in hex
_HASH_DIGITS = 32
_HEADER = "# proxstate-path: "

_ORDINARY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
# Controls (C0, DEL, C1), `%`, path separators, characters Windows refuses in file names, the
# space, lone surrogates (not encodable) and invisible line and byte-order marks.
_UNSAFE = re.compile('[\x00-\x20\x7f-\x9f%/\\\\:*?"<>|\ud800-\udfff\u2028\u2029\ufeff]')
# Folder and file names of the kinds that sit directly under clusters/<cluster>/.
_SINGLE_KINDS = {NODE: "nodes", QEMU: QEMU, LXC: LXC, STORAGE: STORAGE, CLUSTER_LOG: CLUSTER_LOG}
_KIND_OF_FOLDER = {folder: kind for kind, folder in _SINGLE_KINDS.items()}
# The kinds of proxstate.resources.catalog: `kind.yaml`, or kind/<part>/.../<last>.yaml.
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


def _escape_full(name: str) -> str:
    return "%" if name == "" else _escape_chunk(name)


def escape_component(name: str) -> str:
    """The folder or file name (without `.yaml`) that stands for one name from the API."""
    escaped = _escape_full(name)
    if len(escaped.encode("utf-8")) <= MAX_COMPONENT_BYTES:
        return escaped
    # Too long for a file name: a readable start, then a hash of the whole name. The escaping
    # never writes `%~`, so such a name cannot be taken for an escaped one.
    prefix: list[str] = []
    size = 0
    for char in name:
        piece = _escape_chunk(char)
        size += len(piece.encode("utf-8"))
        if size > _PREFIX_BYTES:
            break
        prefix.append(piece)
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_DIGITS]
    return "".join(prefix) + HASHED + digest


def _unescape(folder: str) -> str:
    return "" if folder == "%" else unquote(folder, errors="surrogatepass")


def cluster_dir(cluster: str) -> PurePosixPath:
    """clusters/<cluster>: the folder that holds everything recorded about one cluster."""
    return PurePosixPath(_cluster_root(cluster))


@functools.lru_cache(maxsize=64)
def _cluster_root(cluster: str, bounded: bool = True) -> str:
    return f"{CLUSTERS_DIR}/{escape_component(cluster) if bounded else _escape_full(cluster)}"


def kind_folder(kind: str) -> str | None:
    """The folder under clusters/<cluster>/ that holds every document of a kind; None for a kind
    filed as one file there (`cluster`, a catalog kind of one document) or an unknown one."""
    if kind in _SINGLE_KINDS:
        return _SINGLE_KINDS[kind]
    if kind in (CONTENT, TASKS) or kind in _CATALOG:
        return kind
    return None


def document_path(cluster: str, resource_id: str) -> PurePosixPath:
    """The repository path of a resource's document; StoreError for an id it cannot file."""
    return PurePosixPath(document_file(cluster, resource_id))


def document_file(cluster: str, resource_id: str) -> str:
    """document_path as a string: a sync files every document, and building it as one string
    costs a third of joining PurePosixPaths."""
    return "/".join([_cluster_root(cluster), *_document_parts(ResourceId.parse(resource_id))])


def document_header(cluster: str, resource_id: str, path: str | None = None) -> bytes:
    """The first line of a document filed under a hashed name: its path as if names had no length
    limit, so that the file says which resource it is. Empty for every other document.

    `path`: its document_file, when the caller has it already (a sync files every document)."""
    if HASHED not in (path or document_file(cluster, resource_id)):  # escaping writes `%25` for `%`
        return b""
    full = "/".join([_cluster_root(cluster, False), *_document_parts(ResourceId.parse(resource_id), False)])
    return f"{_HEADER}{full}\n".encode("utf-8", "surrogatepass")


def _document_parts(rid: ResourceId, bounded: bool = True) -> list[str]:
    escape = escape_component if bounded else _escape_full
    if not rid.parts:
        return [rid.kind + SUFFIX]
    if rid.kind in _SINGLE_KINDS:
        return [_SINGLE_KINDS[rid.kind], escape(rid.parts[0]) + SUFFIX]
    # content/<node>/<storage>, tasks/<node>/<day> and the declarative kinds' kind/part/.../last:
    # each part escaped on its own.
    *folders, last = rid.parts
    return [rid.kind, *(escape(part) for part in folders), escape(last) + SUFFIX]


def resource_of_path(path: str | PurePosixPath, content: bytes | None = None) -> tuple[str, str] | None:
    """(cluster, resource id) of a document path; None for any other file.

    A path with a hashed name says which resource it is only with the file's `content` (its first
    line, see document_header); without it, such a path gives None."""
    text = str(path)
    parts: Sequence[str] = text.split("/")
    if "" in parts or "." in parts:  # not as git lists paths: let pathlib normalize it
        parts = PurePosixPath(text).parts
    if not any(HASHED in part for part in parts):
        return _locate(list(parts), bounded=True)
    if content is None or not content.startswith(_HEADER.encode()):
        return None
    line = content.split(b"\n", 1)[0][len(_HEADER) :]
    try:
        located = _locate(line.decode("utf-8", "surrogatepass").split("/"), bounded=False)
    except UnicodeDecodeError:
        return None
    if located is None or document_file(*located) != "/".join(parts):
        return None
    return located


def _locate(parts: list[str], *, bounded: bool) -> tuple[str, str] | None:
    if len(parts) < 3 or parts[0] != CLUSTERS_DIR or not parts[-1].endswith(SUFFIX):
        return None
    folder, *names = [*parts[2:-1], parts[-1].removesuffix(SUFFIX)]
    if not names:
        kind = folder if folder == CLUSTER or folder in _CATALOG else None
    elif folder in _CATALOG or folder in (CONTENT, TASKS):
        kind = folder
    else:
        kind = _KIND_OF_FOLDER.get(folder) if len(names) == 1 else None
    if kind is None:
        return None
    try:
        cluster = _unescape(parts[1])
        rid = ResourceId(kind, tuple(_unescape(name) for name in names))
    except (UnicodeDecodeError, ResourceIdError):  # escapes of bytes that are not UTF-8, or no id
        return None
    # Only the canonical spelling is a document: this makes the two functions exact inverses.
    canonical = [*_cluster_root(cluster, bounded).split("/"), *_document_parts(rid, bounded)]
    return (cluster, str(rid)) if canonical == parts else None


def resource_glob_matches(pattern: str, resource_id: str) -> bool:
    """Whether a resource id matches a shell-style pattern (`qemu/*`, `content/*/local`)."""
    return fnmatch.fnmatchcase(resource_id, pattern)

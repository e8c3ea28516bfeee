"""The catalog stage: reading the declarative configuration of proxstate.resources.catalog.

Each entry's path is filled (proxstate.discovery.catalog_paths) and read. Parameters come from what
discovery knows (nodes, guests, snapshot names) or from the entry's source lists, each read once.
What fails becomes a ReadFailure whose resource id is the entry's id with `*` for what could not be
known (`pool/*`), so the plan keeps those documents. An optional feature that is absent (no Ceph,
no SDN, an endpoint this PVE version lacks) is not a failure: it simply has no documents. Entries
the login may not read by design (proxstate.discovery.privileges) are not read at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from proxstate.discovery.answers import check_entry_answer, check_shape, check_source_answer
from proxstate.discovery.catalog_paths import LISTED, Binding, base_bindings, fields_of, fill, is_absent
from proxstate.discovery.cephnode import find_ceph_node
from proxstate.discovery.guestrefs import ALIASES, IPSETS, REFS, ipset_list, own_refs
from proxstate.discovery.reader import Reader
from proxstate.discovery.workers import together
from proxstate.errors import (
    ApiError,
    AuthenticationError,
    NodeUnreachable,
    NotFound,
    ParameterError,
    ProtocolError,
)
from proxstate.resources.catalog import ENTRIES, Entry
from proxstate.resources.inventory import Inventory, RawDeclared, RawGuest, ReadFailure

T = TypeVar("T")


async def read_catalog(
    reader: Reader,
    inventory: Inventory,
    *,
    kinds: frozenset[str],
    nodes: list[str],
    guests: list[RawGuest],
    unreachable: Sequence[str] = (),
) -> None:
    """Every document of the catalog entries whose kind is in `kinds`, into the inventory; the
    entries the login may not read (`reader.not_permitted`) are not read."""
    catalog = DeclaredReader(reader, nodes=nodes, unreachable=unreachable)
    wanted = [entry for entry in ENTRIES if entry.kind in kinds and entry.path not in reader.not_permitted]
    found = await together(
        *(catalog.entry(entry, base_bindings(entry, nodes=nodes, guests=guests)) for entry in wanted)
    )
    inventory.declared.extend(doc for docs in found for doc in docs)


# Endpoints whose answer more than one entry records: read once.
_SHARED = frozenset(entry.read_from[0] for entry in ENTRIES if entry.read_from is not None)


def _field(answer: Any, entry: Entry) -> Any:
    """The entry's part of another endpoint's answer: a mapping by key becomes the list of items
    its own endpoint returns (`tokens: {id: {...}}` -> `[{tokenid: id, ...}]`); none is an empty list."""
    assert entry.read_from is not None
    value = answer.get(entry.read_from[1]) if isinstance(answer, dict) else answer
    if value is None:
        return []
    if isinstance(value, dict) and entry.key:
        return [{entry.key: name, **item} if isinstance(item, dict) else item for name, item in value.items()]
    return value


class DeclaredReader:
    """Reads every entry of the kinds asked for, sharing source lists between entries."""

    def __init__(self, reader: Reader, *, nodes: Sequence[str] = (), unreachable: Sequence[str] = ()) -> None:
        self._get = reader.get
        self._on_failure = reader.failures.append
        self._reader = reader
        self._sources: dict[str, asyncio.Task[Any]] = {}
        self._older: set[str] = set()  # entries whose newer form this server does not have
        self._nodes = nodes
        self._unreachable = unreachable
        self._ceph: asyncio.Future[str | None] | None = None

    def _fetch(self, path: str) -> Awaitable[Any]:
        # One request per distinct source path, whoever asks first.
        if path not in self._sources:
            self._sources[path] = asyncio.ensure_future(self._get(path))
        return self._sources[path]

    def _fail(self, entry: Entry, binding: Binding, error: ApiError) -> None:
        if isinstance(error, AuthenticationError):
            raise error  # credentials that stop working end the discovery
        if entry.optional and is_absent(error):
            return
        self._on_failure(
            ReadFailure(
                resource_id=fill(entry.rid, binding, escape=False),
                reason=error.message,
                # A timeout is named on its own; a node that answers 595/596 is reported as the node.
                node_unreachable=isinstance(error, NodeUnreachable),
            )
        )

    async def _expand(self, entry: Entry, bindings: list[Binding]) -> list[Binding]:
        for param, (source, field) in entry.sources.items():

            async def read(binding: Binding, source: str = source, field: str = field) -> Any:
                path = fill(source, binding, escape=True)
                try:
                    own = await self._own_refs(binding, "ipset") if source == IPSETS else None
                    items = ipset_list(own) if own is not None else await self._fetch(path)
                    # A source list that is not one would otherwise read as "no items any more".
                    check_source_answer(items, path=path, field=field)
                    return items
                except ApiError as error:
                    return error

            # The source lists are read side by side (one per guest for guest ipsets).
            answers = await self._each(bindings, read)
            expanded: list[Binding] = []
            for binding, items in zip(bindings, answers, strict=True):
                if isinstance(items, ApiError):
                    self._fail(entry, binding, items)
                    continue
                for item in items:  # checked: objects, each naming its item
                    listed = {
                        LISTED + name: str(item[name])
                        for name in entry.listed
                        if isinstance(item.get(name), str | int) and item[name] != ""
                    }
                    expanded.append({**binding, param: str(item[field]), **listed})
            bindings = expanded
        return bindings

    async def _each(self, items: list[Binding], call: Callable[[Binding], Awaitable[T]]) -> list[T]:
        # A binding names the node its path is served by, if any (catalog_paths.base_bindings).
        return await self._reader.each(items, call, node=lambda binding: binding.get("node"))

    async def _own_refs(self, binding: Binding, kind: str) -> list[dict[str, Any]] | None:
        """The guest's own aliases or IP sets as its `refs` lists them (one request per guest);
        None when they cannot be told from it: then they are read as before."""
        try:
            answer = await self._fetch(fill(REFS, binding, escape=True))
        except AuthenticationError:
            raise
        except ApiError:
            return None
        return own_refs(answer, kind)

    async def _read(self, entry: Entry, binding: Binding) -> Any:
        """The answer of the entry's path; through its newer form where the server has it."""
        if entry.newer is not None and entry.path not in self._older:
            path = fill(entry.newer, binding, escape=True)
            try:
                data = await self._get(path)
            except ParameterError as error:
                if not set(error.errors) & set(fields_of(entry.newer)):
                    raise
                self._older.add(entry.path)  # an older PVE: its parameters are unknown there
            else:
                if not (isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict)):
                    raise ProtocolError(f"unexpected answer from PVE at GET {path}: not one item", path=path)
                return data[0]
        return await self._get(fill(entry.path, binding, escape=True))

    async def _with_beside(self, entry: Entry, binding: Binding) -> tuple[Any, dict[str, Any]]:
        """The answer's data, and the entry's fields PVE set beside it."""
        if not entry.beside:
            return await self._read(entry, binding), {}
        answer = await self._get(fill(entry.path, binding, escape=True), envelope=True)
        return answer["data"], {name: answer[name] for name in entry.beside if answer.get(name) is not None}

    async def _one(self, entry: Entry, binding: Binding) -> list[RawDeclared]:
        beside: dict[str, Any] = {}
        path = fill(entry.path, binding, escape=True)
        try:
            if entry.read_from is not None:
                whole_path = fill(entry.read_from[0], binding, escape=True)
                whole = await self._fetch(whole_path)
                # Not an object: the field cannot be told apart from "none" (a user without tokens).
                check_shape(whole, "object", path=whole_path)
                data = _field(whole, entry)
            elif entry.path in _SHARED:
                data = await self._fetch(path)
            elif entry.path == ALIASES and await self._own_refs(binding, "alias") == []:
                data = []  # the guest has no alias of its own (proxstate.discovery.guestrefs)
            else:
                data, beside = await self._with_beside(entry, binding)
            if not check_entry_answer(entry, data, path=path):
                return []
        except ApiError as error:
            if isinstance(error, NotFound) and entry.sources:
                return []  # the item went away between its list and its own GET
            self._fail(entry, binding, error)
            return []
        if entry.mode != "items":
            return [
                RawDeclared(
                    resource_id=fill(entry.rid, binding, escape=False),
                    entry=entry.path,
                    data=data,
                    beside=beside,
                    listed={k.removeprefix(LISTED): v for k, v in binding.items() if k.startswith(LISTED)},
                )
            ]
        out = []
        for item in data:
            rid = fill(entry.rid, {**binding, "key": str(item[entry.key or ""])}, escape=False)
            out.append(RawDeclared(resource_id=rid, entry=entry.path, data=item))
        return out

    async def _ceph_node(self, entry: Entry) -> list[Binding]:
        """The binding of a cluster-wide Ceph entry: the node found to serve Ceph (found once).
        When none can be found, one failure for all of the kind (`ceph/*`) keeps its documents."""
        first = self._ceph is None
        if self._ceph is None:
            self._ceph = asyncio.ensure_future(find_ceph_node(self._get, self._nodes))
        try:
            node = await self._ceph
        except ApiError as error:
            if first:
                self._fail(replace(entry, rid=f"{entry.kind}/*"), {}, error)
            return []
        if node is not None:
            return [{"node": node}]
        if self._unreachable and first:
            # Ceph may run on the nodes that did not answer: its documents keep their last state.
            gone = ", ".join(self._unreachable)
            reason = f"no reachable node has Ceph installed; it may run on {gone}, unreachable"
            self._on_failure(ReadFailure(resource_id=f"{entry.kind}/*", reason=reason))
        return []

    async def entry(self, entry: Entry, bindings: list[Binding]) -> list[RawDeclared]:
        if entry.scope == "any-node":
            bindings = await self._ceph_node(entry)
        ready = await self._expand(entry, bindings)
        found = await self._each(ready, lambda binding: self._one(entry, binding))
        return [doc for docs in found for doc in docs]


def kept_failures(
    kinds: frozenset[str], *, nodes: Iterable[str], guests: Iterable[tuple[str, int, str]]
) -> list[ReadFailure]:
    """Failures that keep the configuration of unreachable nodes and of guests that were not read.

    `guests` are (kind, vmid, reason) of each guest whose own read failed or whose node is gone.
    """
    out = []
    for entry in ENTRIES:
        if entry.kind not in kinds:
            continue
        if entry.scope == "node":
            out += [
                ReadFailure(
                    resource_id=fill(entry.rid, {"node": n}, escape=False),
                    reason=f"node {n} is unreachable",
                    node_unreachable=True,
                )
                for n in nodes
            ]
        elif entry.scope == "guest":
            out += [
                ReadFailure(
                    resource_id=fill(entry.rid, {"type": kind, "vmid": str(vmid)}, escape=False),
                    reason=reason,
                    node_unreachable=True,
                )
                for kind, vmid, reason in guests
                if kind in entry.guest_types
            ]
    return out

"""yamlio.Versions: the versions of one document read in turn give exactly what `load` gives."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxstate.errors import DepthError, StoreError
from proxstate.limits import MAX_DOCUMENT_DEPTH
from proxstate.yamlio import Versions, dump, load

# Keys and values of every shape the emitter quotes, escapes or writes as a block.
_AWKWARD = ["yes", "0x1F", "1e3", "", " lead", "a: b", "# c", "- x", "? x", "|", "tab\there", "a\n\nb\n"]
_KEY_LIKE = st.sampled_from(_AWKWARD) | st.text(max_size=8)
_TEXT = _KEY_LIKE | st.text(alphabet=" \n\tab:#-|>\"'\\", max_size=12)
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT
_JSON_LIKE = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEY_LIKE, children, max_size=4),
    max_leaves=20,
)

GUEST: dict[str, Any] = {
    "kind": "qemu",
    "vmid": 101,
    "node": "pve1",
    "config": {
        "cores": 4,
        "memory": 2048,
        "description": "web server\n\nowner: ops\n",
        "net0": {"model": "virtio", "bridge": "vmbr0"},
        "tags": ["prod", "web"],
    },
    "snapshots": [{"name": "before", "vmstate": False}],
}


def _outcome(load_text: Any, text: str) -> Any:
    try:
        return ("value", load_text(text))
    except DepthError:
        return ("too deep", None)
    except StoreError:
        return ("error", None)


def test_versions_share_what_did_not_change() -> None:
    versions = Versions()
    first = versions.load(dump(GUEST))
    changed = {**GUEST, "config": {**GUEST["config"], "memory": 4096}}
    second = versions.load(dump(changed))
    assert first == GUEST and second == changed
    assert second["config"]["net0"] is first["config"]["net0"]
    assert second["snapshots"] is first["snapshots"]
    assert second["config"] is not first["config"]
    again = versions.load(dump(GUEST))
    assert again == GUEST and again["config"] is first["config"]


def test_a_nan_is_never_shared() -> None:
    """NaN is unequal to itself: two versions holding it compare as they always did."""
    versions = Versions()
    document = {"a": {"b": math.nan, "c": 1}, "d": [math.nan]}
    first, second = versions.load(dump(document)), versions.load(dump(document))
    assert math.isnan(second["a"]["b"]) and math.isnan(second["d"][0])
    assert second["a"] is not first["a"] and second["d"] is not first["d"]


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # a duplicate key: the YAML library refuses it
        "a:\n  b: 1\n  b: 2\n",
        "a:\n  b: 1\nc: 2\na:\n  b: 1\n",
        "- 1\n",
        "? a\n: 1\n",
        "a:\n- 1\n",
        "a:\n  - 1\n",
        "a:\n   b: 1\n",
        "a:\n  b: 1\n c: 2\n",
        "a: 1",
        "{}\n",
        "a:\n\n  b: 1\n",
        "a: |\n  x\n\n  y\n",
        "a:\n  b: |\n    x\n\n    y\nc: 1\n",
        '"a b":\n  c: 1\n',
        "a # c:\n  b: 1\n",
    ],
)
def test_other_texts_read_as_load_reads_them(text: str) -> None:
    versions = Versions()
    assert _outcome(versions.load, text) == _outcome(load, text)
    assert _outcome(versions.load, text) == _outcome(load, text)  # from what it keeps


def test_too_deep_is_refused_as_load_refuses_it() -> None:
    deep: Any = 1
    for _ in range(MAX_DOCUMENT_DEPTH):
        deep = {"k": deep}
    text = "a:\n" + "\n".join("  " + line for line in dump(deep).splitlines()) + "\n"
    assert _outcome(Versions().load, text) == _outcome(load, text) == ("too deep", None)
    shallow = "a:\n  b:\n    c: 1\n"
    assert Versions().load(shallow) == load(shallow)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.dictionaries(_KEY_LIKE, _JSON_LIKE, min_size=1, max_size=4), min_size=1, max_size=4))
def test_a_series_of_documents_reads_as_load_reads_each(documents: list[dict[str, Any]]) -> None:
    versions = Versions()
    for document in [*documents, *documents]:
        assert versions.load(dump(document)) == document


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(_KEY_LIKE, _JSON_LIKE, min_size=1, max_size=3),
    st.integers(min_value=0),
    st.sampled_from(["", " ", "\n", "-", ":", '"', "#", "|", "  ", "x", "\\", "a:\n", "  b: 1\n"]),
    st.integers(min_value=0, max_value=2),
)
def test_an_altered_version_reads_as_load_reads_it(
    document: dict[str, Any], where: int, insert: str, remove: int
) -> None:
    text = dump({"config": document, **document})
    at = where % (len(text) + 1)
    altered = text[:at] + insert + text[at + remove :]
    versions = Versions()
    versions.load(text)
    assert _outcome(versions.load, altered) == _outcome(load, altered)

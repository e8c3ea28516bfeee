"""proxstate.yamlio: the fixed YAML style and the exact round trip of JSON-like values."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from proxstate import yamlio
from proxstate.errors import StoreError
from proxstate.yamlio import dump, library, load, own

AMBIGUOUS = [
    "yes", "no", "Yes", "NO", "on", "off", "On", "y", "n", "Y", "N", "true", "False", "TRUE",
    "null", "Null", "~", "", "0x1F", "0o17", "0b101", "1e3", "1E3", "1.", ".5", "01", "007",
    "1_000", "+1", "-1", ".inf", "-.inf", ".NaN", "2024-01-01", "2024-1-1 12:00:00",
    "2024-01-01T12:30:00Z", "12:30:00", "1:30", "190:20:30.15", "<<", "=", " lead", "trail ",
    "- x", "-", "--- x", "---", "...", "a: b", "a:", "# c", "a #c", "?", "? x", ":x", "[a]",
    "{a: 1}", "&anchor", "*alias", "!tag", "|", ">", "'q'", '"q"', "%YAML", "@x", "`x",
    "tab\there", "nul\0byte", "bell\a", "esc\x1b", "del\x7f", "c1\x85", "ls\u2028", "bom\ufeff",
    "\r", "cr\r\nlf",
]  # fmt: skip


def test_style_of_a_typical_document() -> None:
    document = {
        "kind": "qemu",
        "vmid": 101,
        "node": "pve1",
        "config": {
            "cores": 4,
            "onboot": True,
            "balloon": None,
            "net0": {"model": "virtio", "macaddr": "BC:24:11:00:00:01", "bridge": "vmbr0"},
            "description": "web server\nowner: ops\n",
            "tags": ["prod", "web"],
            "empty": [],
            "nothing": {},
        },
        "snapshots": [{"name": "before-upgrade", "parent": None}],
    }
    assert dump(document) == (
        "kind: qemu\n"
        "vmid: 101\n"
        "node: pve1\n"
        "config:\n"
        "  cores: 4\n"
        "  onboot: true\n"
        "  balloon: null\n"
        "  net0:\n"
        "    model: virtio\n"
        "    macaddr: BC:24:11:00:00:01\n"
        "    bridge: vmbr0\n"
        "  description: |\n"
        "    web server\n"
        "    owner: ops\n"
        "  tags:\n"
        "    - prod\n"
        "    - web\n"
        "  empty: []\n"
        "  nothing: {}\n"
        "snapshots:\n"
        "  - name: before-upgrade\n"
        "    parent: null\n"
    )


def test_keys_keep_their_order() -> None:
    assert dump({"z": 1, "a": 2, "m": 3}) == "z: 1\na: 2\nm: 3\n"


def test_nested_sequences_and_top_level_scalars() -> None:
    assert dump([[1, [2]], {"a": [3]}]) == "- - 1\n  - - 2\n- a:\n    - 3\n"
    assert dump("text") == "text\n"
    assert dump(None) == "null\n"
    assert dump([]) == "[]\n"
    assert dump({}) == "{}\n"


@pytest.mark.parametrize(
    ("text", "header"),
    [("a\nb", "|-"), ("a\nb\n", "|"), ("a\nb\n\n", "|+"), ("\n\na", "|-"), ("a\n\tb", "|-")],
)
def test_multi_line_strings_are_literal_blocks(text: str, header: str) -> None:
    written = dump({"k": text})
    assert written.startswith(f"k: {header}\n")
    assert load(written) == {"k": text}


@pytest.mark.parametrize("text", ["a \nb", " a\nb", "\n  a", "a\r\nb", "a\n\0", "\n", "\n\n", "a\n \nb"])
def test_strings_a_literal_block_cannot_hold_are_double_quoted(text: str) -> None:
    written = dump({"k": text})
    assert written.startswith('k: "')
    assert written.count("\n") == 1
    assert load(written) == {"k": text}


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_ambiguous_strings_are_quoted(text: str) -> None:
    written = dump({"k": text, text: "v"})
    assert '"' in written.splitlines()[0]
    assert load(written) == {"k": text, text: "v"}
    # A YAML 1.1 reader (yes/no booleans, sexagesimals) reads the same strings.
    assert _load_yaml_1_1(written) == {"k": text, text: "v"}


@pytest.mark.parametrize(
    "text", ["pve1", "local-lvm", "ceph_pool.1", "10.0.0.1", "fe80::1", "BC:24:11:AB:CD:EF", "32G",
             "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1", "a#b", "key=value", "Ünïcødé ✓",
             "back\\slash", 'quote"s'],
)  # fmt: skip
def test_ordinary_strings_stay_plain(text: str) -> None:
    assert dump({"k": text}) == f"k: {text}\n"


def test_control_characters_are_escaped() -> None:
    written = dump("a\0b\x07\x1b\x7f\x85\u2028\ufeff\U0001f600")
    assert written == '"a\\0b\\a\\e\\x7F\\N\\L\\uFEFF\U0001f600"\n'
    assert load(written) == "a\0b\x07\x1b\x7f\x85\u2028\ufeff\U0001f600"


def test_floats() -> None:
    assert dump([1.0, 1e16, 1.5e-7, -0.0, math.inf, -math.inf]) == (
        "- 1.0\n- 1.0e+16\n- 1.5e-07\n- -0.0\n- .inf\n- -.inf\n"
    )
    assert load(dump([1e16, 1.5e-7, math.inf, -math.inf])) == [1e16, 1.5e-7, math.inf, -math.inf]
    nan = load(dump(math.nan))
    assert isinstance(nan, float)
    assert math.isnan(nan)


def test_booleans_and_big_ints() -> None:
    assert load(dump([True, False, 0, 1, 2**80, -(2**70)])) == [True, False, 0, 1, 2**80, -(2**70)]


def test_long_keys_use_explicit_entries() -> None:
    key = "k" * 2000
    for document in ({key: {"a": 1}}, [{key: [1], "b": 2}], {key: "x\ny"}):
        assert load(dump(document)) == document


def test_values_that_are_not_json_like_are_refused() -> None:
    with pytest.raises(StoreError, match="int key"):
        dump({1: "a"})
    with pytest.raises(StoreError, match="bytes value"):
        dump({"a": b"x"})


def test_load_keeps_yes_and_dates_as_strings() -> None:
    assert load("a: yes\nb: no\nc: on\nd: 2024-01-01\ne: 12:30:00\nf: =\n") == {
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": "2024-01-01",
        "e": "12:30:00",
        "f": "=",
    }


@pytest.mark.parametrize(
    "text", ["a: [1, 2", "a: b: c", "a: 1\na: 2\n", "\0", "!!python/object:os.system x", "- a\nb: 1"]
)
def test_invalid_yaml_raises_store_error(text: str) -> None:
    with pytest.raises(StoreError, match="invalid YAML"):
        load(text)


# --------------------------------------------------------------------------- properties

_KEY_LIKE = st.sampled_from(AMBIGUOUS) | st.text() | st.from_regex(r"[-+]?[0-9_.:eE]{1,6}", fullmatch=True)
_TEXT = st.text() | st.sampled_from(AMBIGUOUS) | st.text(alphabet=" \n\tab:#-|>\"'\\", max_size=12)
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT
_JSON_LIKE = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEY_LIKE, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=250, deadline=None)
@given(_JSON_LIKE)
def test_round_trip(value: Any) -> None:
    written = dump(value)
    assert written.endswith("\n")
    assert load(written) == value


@settings(max_examples=250, deadline=None)
@given(_TEXT)
def test_strings_read_back_as_strings_in_yaml_1_1(text: str) -> None:
    document = {text: text, "list": [text]}
    assert _load_yaml_1_1(dump(document)) == document


def _load_yaml_1_1(text: str) -> Any:
    yaml = YAML(typ="safe", pure=True)
    yaml.version = (1, 1)
    return yaml.load(text)


# --------------------------------------------------------------------------- the fast reader


def _library_load(text: str) -> Any:
    """What the YAML library alone reads (the reference for the fast reader)."""
    try:
        return ("value", library._loader().load(text))
    except Exception:
        return ("error", None)


def test_documents_in_own_style_skip_the_yaml_library(monkeypatch: pytest.MonkeyPatch) -> None:
    document = {
        "kind": "qemu",
        "config": {"net0": {"bridge": "vmbr0"}, "description": "a\nb\n"},
        "t": [1, 2.5],
    }
    text = dump(document)

    def refuse() -> None:
        raise AssertionError("the YAML library was used")

    monkeypatch.setattr(library, "_loader", refuse)
    assert load(text) == document


@pytest.mark.parametrize(
    "text",
    [
        "a: 1  # comment\n",
        "a:\n- 1\n- 2\n",
        "a: {b: 1}\n",
        "a:   1\n",
        "a: 'single'\n",
        "a: >\n  folded\n",
        "a: |2\n   x\n",
        "a: 0x1F\n",
        "a: 1e3\n",
        'a: "\\q"\n',
        "a: 1\n\n",
        "a: 1",
        "- 1\n",
        "? a\n: 1\n",
    ],
)
def test_other_styles_are_read_by_the_yaml_library(text: str) -> None:
    assert _outcome(text) == _library_load(text)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_KEY_LIKE, _JSON_LIKE, min_size=1, max_size=4))
def test_fast_reader_reads_every_dumped_document(document: dict[str, Any]) -> None:
    assert own._read_own(dump(document)) == document


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(_KEY_LIKE, _JSON_LIKE, min_size=1, max_size=3),
    st.integers(min_value=0),
    st.sampled_from(["", " ", "\n", "-", ":", '"', "#", "|", "  ", "x", "\\"]),
    st.integers(min_value=0, max_value=2),
)
def test_fast_reader_agrees_with_the_library_on_altered_text(
    document: dict[str, Any], where: int, insert: str, remove: int
) -> None:
    text = dump(document)
    at = where % (len(text) + 1)
    altered = text[:at] + insert + text[at + remove :]
    assert _outcome(altered) == _library_load(altered)


def _outcome(text: str) -> Any:
    try:
        return ("value", load(text))
    except StoreError:
        return ("error", None)


def test_line_of() -> None:
    text = "clusters:\n  - name: lab\n    url: pve1\n  - name: other\nrecord:\n  kinds: [qemu]\n"
    assert yamlio.line_of(text, ("clusters", 1, "name")) == 4
    assert yamlio.line_of(text, ("record", "kinds")) == 6
    assert yamlio.line_of(text, ("record", "missing")) == 5
    assert yamlio.line_of(text, ("nothing",)) is None
    assert yamlio.line_of("a: [", ("a",)) is None

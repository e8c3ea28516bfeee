"""proxstate.resources.documents: the one codec of recorded documents, strict or tolerant."""

from __future__ import annotations

from typing import Any

import pytest

from proxstate.errors import DocumentError, StoreError
from proxstate.resources.documents import Mode, decode_document, encode_document

_DOCUMENT: dict[str, Any] = {
    "kind": "qemu",
    "vmid": 101,
    "node": "pve1",
    "config": {"name": "web", "net0": {"virtio": "BC:24:11:00:00:01", "bridge": "vmbr0"}, "onboot": True},
    "tags": ["a", "b"],
    "description": "two\nlines",
    "odd": ["yes", "0x1F", "01", "~", ""],
}


@pytest.mark.parametrize("mode", ["strict", "tolerant"])
def test_a_document_reads_back_as_written(mode: Mode) -> None:
    assert decode_document(encode_document(_DOCUMENT), mode=mode) == _DOCUMENT


def test_the_header_comes_first_and_is_no_part_of_the_document() -> None:
    header = b"# proxstate-path: clusters/lab/nodes/" + b"n" * 300 + b".yaml\n"
    content = encode_document({"kind": "node", "name": "x"}, header=header)
    assert content.startswith(header) and content.endswith(b"\n")
    assert decode_document(content, mode="strict") == {"kind": "node", "name": "x"}


@pytest.mark.parametrize(
    "content",
    [b"kind: [unclosed\n", b"\xff\xfe not utf-8\n", b"a: 1\na: 2\n", b"key: *nowhere\n"],
    ids=["yaml", "bytes", "duplicate-key", "alias"],
)
def test_strict_names_the_document_it_cannot_read(content: bytes) -> None:
    with pytest.raises(DocumentError) as raised:
        decode_document(content, mode="strict", name="clusters/lab/qemu/101.yaml at 1a2b3c4d5e6f")
    assert str(raised.value).startswith(
        "clusters/lab/qemu/101.yaml at 1a2b3c4d5e6f is not a valid document: "
    )
    assert isinstance(raised.value, StoreError)


@pytest.mark.parametrize("content", [b"kind: [unclosed\n", b"\xff\xfe not utf-8\n"])
def test_tolerant_reads_what_it_cannot_read_as_empty(content: bytes) -> None:
    assert decode_document(content, mode="tolerant") == {}


@pytest.mark.parametrize("mode", ["strict", "tolerant"])
@pytest.mark.parametrize("content", [b"- a\n- b\n", b"just text\n", b""])
def test_what_is_not_a_mapping_reads_as_empty(mode: Mode, content: bytes) -> None:
    assert decode_document(content, mode=mode) == {}

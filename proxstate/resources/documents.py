"""Recorded documents: their type, and the one codec between a document and its bytes.

A document is what one resource is recorded as: a mapping that starts with its identity fields
(`kind`, `vmid` or `name`, `node`). Its bytes are YAML (proxstate.yamlio), preceded, for a document
filed under a hashed name, by the line that names it (proxstate.store.layout.document_header).

Reading a recorded document says what happens when its bytes do not load; each caller chooses:

- `strict`: a DocumentError naming the document (its path, and the commit), for the reports that
  read the record (show-changes, log, list, scan), which must say which document could not be read
  rather than report it as empty;
- `tolerant`: an empty mapping, for a sync (and drift, and the check of a cluster folder's owner),
  where what the cluster says now replaces a recorded file that does not load, as it replaces any
  other recorded state.

Either way a document that is not a mapping (a YAML list or scalar, hand-made) reads as empty.
"""

from __future__ import annotations

from typing import Any, Literal

from proxstate import yamlio
from proxstate.errors import DocumentError, ProxstateError

__all__ = ["Document", "Mode", "decode_document", "encode_document"]

Document = dict[str, Any]
Mode = Literal["strict", "tolerant"]


def decode_document(
    content: bytes, *, mode: Mode, name: str = "the document", versions: yamlio.Versions | None = None
) -> Document:
    """The document in `content`. What happens when it does not load is `mode`'s (see above);
    `name` is how a message names it (`clusters/lab/qemu/101.yaml at 1a2b3c4d5e6f`). `versions`
    reads the versions of one document in turn (yamlio.Versions: the values share their parts)."""
    try:
        text = content.decode("utf-8")
        loaded = versions.load(text) if versions is not None else yamlio.load(text)
    except (ProxstateError, UnicodeDecodeError) as exc:
        if mode == "tolerant":
            return {}
        raise DocumentError(f"{name} is not a valid document: {exc}") from None
    return loaded if isinstance(loaded, dict) else {}


def encode_document(document: Document, *, header: bytes = b"") -> bytes:
    """The bytes recorded for `document`: `header` (the line naming a document filed under a hashed
    name, or nothing), then its YAML. DepthError when it nests too deep to be read back."""
    return header + yamlio.dump(document).encode("utf-8")

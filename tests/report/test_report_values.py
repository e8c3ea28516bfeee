"""The one-line value forms shared by the renderers."""

from __future__ import annotations

from proxstate.diff import Attribution, CommitRef
from proxstate.report.values import attribution_line, commit_label, display, shorten
from proxstate.safetext import escape_unsafe


def test_display_scalars_and_containers() -> None:
    assert display(2048) == "2048"
    assert display(1.5) == "1.5"
    assert display(True) == "true"
    assert display(None) == "null"
    assert display("vmbr0") == "vmbr0"
    assert display(["prod", "web"]) == "[prod, web]"
    assert display({"current": 2048, "ok": False}) == "{current: 2048, ok: false}"


def test_display_quotes_strings_that_would_be_misread() -> None:
    assert display("") == '""'
    assert display(" padded ") == '" padded "'
    assert display("true") == '"true"'
    assert display("2048") == '"2048"'
    assert display('say "hi" ') == '"say \\"hi\\" "'


def test_escape_unsafe_makes_every_invisible_character_visible() -> None:
    assert escape_unsafe("a\nb\tc\r") == "a\\nb\\tc\\r"
    assert escape_unsafe("\x1b[31mred") == "\\x1b[31mred"
    assert escape_unsafe("\x00\x7f") == "\\x00\\x7f"
    assert escape_unsafe("rtl\u202eevil\u200b\u2028") == "rtl\\u202eevil\\u200b\\u2028"
    assert escape_unsafe("caf\u00e9 \U0001f680") == "caf\u00e9 \U0001f680"
    assert escape_unsafe("plain") == "plain"


def test_shorten() -> None:
    assert shorten("abc", 3) == "abc"
    assert shorten("abcdef", 4) == "abc\u2026"
    assert len(shorten("x" * 500, 60)) == 60


def test_labels() -> None:
    commit = CommitRef("f" * 40, "fffffff", "2026-11-25T10:00:00Z", "sync\n\x1b[2Jclear")
    assert commit_label(commit, live="live") == "fffffff (2026-11-25T10:00:00Z, sync\\n\\x1b[2Jclear)"
    assert commit_label(None, live="the live cluster") == "the live cluster"
    attribution = Attribution("alice@pve", "qmigrate", "2026-11-25T10:02:59Z", "UPID:x")
    assert (
        attribution_line(attribution) == "likely by alice@pve (qmigrate, 2026-11-25 10:02 UTC; best effort)"
    )
    offset = Attribution("bob@pam", "qmstart", "2026-11-25T12:02:00+02:00", "UPID:y")
    assert "2026-11-25 10:02 UTC" in attribution_line(offset)

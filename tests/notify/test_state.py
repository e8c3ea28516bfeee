"""The record of what was notified: written whole, read without following a link, and started
afresh when it cannot be read (the worst that follows is a message sent again)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from proxstate.errors import NotifyError
from proxstate.notify import state


def test_written_and_read_back(tmp_path: Path) -> None:
    path = state.state_path(tmp_path)
    state.save(path, {"env:X": {"drift:lab": {"fingerprint": "ab", "sent": "2026-11-30T09:00:00Z"}}})
    assert state.load(path) == {"env:X": {"drift:lab": {"fingerprint": "ab", "sent": "2026-11-30T09:00:00Z"}}}
    assert oct(path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    "content", [b"{not json", b"[]", b'{"version": 99, "targets": {}}', b'{"version": 1}']
)
def test_a_file_that_cannot_be_read_is_started_afresh(tmp_path: Path, content: bytes) -> None:
    path = state.state_path(tmp_path)
    path.parent.mkdir()
    path.write_bytes(content)
    assert state.load(path) == {}


def test_links_are_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text('{"version": 1, "targets": {"env:X": {}}}')
    path = state.state_path(tmp_path / "git")
    path.parent.mkdir(parents=True)
    os.symlink(victim, path)
    assert state.load(path) == {}
    os.unlink(path)
    os.symlink(victim, path.parent / (state.FILE + ".tmp"))
    state.save(path, {})  # the temporary file's link is removed, not written through
    assert victim.read_text() == '{"version": 1, "targets": {"env:X": {}}}'
    linked = tmp_path / "elsewhere"
    linked.mkdir()
    folder = tmp_path / "git2" / state.FOLDER
    folder.parent.mkdir()
    os.symlink(linked, folder)
    with pytest.raises(NotifyError, match="is not a folder: the notification state is not kept"):
        state.save(folder / state.FILE, {})
    assert list(linked.iterdir()) == []

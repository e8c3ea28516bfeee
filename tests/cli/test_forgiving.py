"""Forgiving where git is: what an administrator types, as git or the PVE tools print it, works."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import fingerprint_of
from tests.helpers.repo import git


def test_debug_is_taken_after_the_command_too(synced: Path, cli: Any) -> None:
    result = cli("show-changes", "-C", str(synced), "--since", "not a date at all", "--debug")
    assert "No such option" not in result.err
    assert cli("list-nodes", "-C", str(synced), "--debug").code == 0
    # After `--` it is an argument, as every option is.
    assert "No such option" not in cli("log", "-C", str(synced), "--", "--debug").err


def _served_fingerprint(url: str) -> str:
    """What getting-started's openssl pipeline prints for the server at `url`."""
    host_port = url.removeprefix("https://").split("/")[0]
    served = subprocess.run(
        ["openssl", "s_client", "-connect", host_port],
        input=b"",
        capture_output=True,
        check=True,
        timeout=10,
    )
    printed = subprocess.run(
        ["openssl", "x509", "-noout", "-fingerprint", "-sha256"],
        input=served.stdout,
        capture_output=True,
        check=True,
        timeout=10,
    )
    return printed.stdout.decode().strip()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl program")
def test_the_fingerprint_as_openssl_prints_it(
    pve_env: dict[str, str], cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROXSTATE_CA_CERT")
    printed = _served_fingerprint(pve_env["PROXSTATE_URL"])
    assert printed.lower().startswith("sha256 fingerprint=")
    monkeypatch.setenv("PROXSTATE_FINGERPRINT", printed)
    assert cli("discover-nodes").code == 0


def test_the_fingerprint_as_openssl_and_pvenode_print_it(
    pve_env: dict[str, str], cli: Any, monkeypatch: pytest.MonkeyPatch, fakepve_cafile: str
) -> None:
    monkeypatch.delenv("PROXSTATE_CA_CERT")
    digest = fingerprint_of(fakepve_cafile)
    for printed in (
        f"SHA256 Fingerprint={digest}",  # OpenSSL 1.1
        f"sha256 Fingerprint={digest.lower()}",
        f'"fingerprint" : "{digest}"',  # a line of `pvenode cert info --output-format json`
        f'      "fingerprint" : "{digest}",',
        f"│ fingerprint   │ {digest} │",  # `pvenode cert info`'s table
    ):
        assert cli("discover-nodes", "--fingerprint", printed).code == 0, printed
    wrong = cli("discover-nodes", "--fingerprint", f"md5 Fingerprint={digest[:47]}")
    assert wrong.code != 0 and "openssl x509 -noout -fingerprint -sha256" in wrong.err


def test_every_command_works_from_a_folder_of_the_repository(
    synced: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(synced / "clusters" / "lab" / "qemu")
    listed = cli("list-vms", "--format", "json")
    assert listed.code == 0, listed.err
    assert "web01" in listed.out
    assert cli("log", "qemu/101").code == 0
    assert cli("show-changes").code == 0
    synced_again = cli("sync")
    assert synced_again.code == 0, synced_again.err
    assert "lab: no changes" in synced_again.out
    assert not (synced / "clusters" / "lab" / "qemu" / "clusters").exists()
    monkeypatch.chdir(synced.parent)
    assert "web01" in cli("list-vms", "-C", str(synced / "clusters"), "--format", "json").out


def test_init_inside_a_repository_refuses_without_force(synced: Path, cli: Any) -> None:
    inner = synced / "clusters" / "lab"
    refused = cli("init", str(inner))
    assert refused.code == 64
    assert f"inside the git repository {synced}" in refused.err and "--force" in refused.err
    assert not (inner / ".git").exists() and not (inner / "proxstate.yaml").exists()
    assert cli("init", str(synced / "new" / "folder")).code == 64
    assert not (synced / "new").exists()
    nested = cli("init", "--force", str(inner / "nested"))
    assert nested.code == 0, nested.err
    assert (inner / "nested" / ".git").is_dir()


def test_init_in_a_repository_it_did_not_set_up_refuses_without_force(tmp_path: Path, cli: Any) -> None:
    project = tmp_path / "ansible"
    project.mkdir()
    git(project, "init", "-q")
    (project / "site.yml").write_text("- hosts: all\n")
    git(project, "add", "site.yml")
    git(project, "commit", "-qm", "playbook")
    refused = cli("init", str(project))
    assert refused.code == 64
    assert "already a git repository that proxstate init did not set up" in refused.err
    assert not (project / "proxstate.yaml").exists()
    assert cli("init", "--force", str(project)).code == 0
    assert (project / "proxstate.yaml").is_file()
    # An empty repository (the clone of an empty remote) is set up without asking.
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    made = cli("init", str(empty))
    assert made.code == 0, made.err
    assert git(empty, "log", "--format=%s").strip() == "proxstate init"


def test_a_link_in_the_repository_is_not_followed_to_another(
    synced: Path, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pve_env: dict[str, str]
) -> None:
    other = tmp_path / "other"
    (other / "deep").mkdir(parents=True)
    git(other, "init", "-q")
    link = synced / "clusters" / "elsewhere"
    link.symlink_to(other / "deep")
    refused = cli("sync", "-C", str(link))
    assert refused.code == 1
    assert f"reached through the link {link} in the repository {synced}" in refused.err
    assert sorted(entry.name for entry in other.iterdir()) == [".git", "deep"]
    assert list((other / "deep").iterdir()) == []
    # A link outside any repository to a folder of one is the system's: followed, as git does.
    shortcut = tmp_path / "shortcut"
    shortcut.symlink_to(synced / "clusters")
    monkeypatch.chdir(shortcut)
    monkeypatch.setenv("PWD", str(shortcut))
    assert "web01" in cli("list-vms", "--format", "json").out

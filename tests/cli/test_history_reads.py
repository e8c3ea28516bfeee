"""Reports read what their window needs, not the whole record, so that a long history stays quick
(docs/performance.md, "A year of history"): a change report reads the task and cluster log files
of the days around its window only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from proxstate import yamlio
from proxstate.demo.clusterlog import log_as_pve
from proxstate.store import StateRepo
from tests.helpers.clusterlog import ALICE, add_tokens, api_as
from tests.helpers.process import python_output
from tests.helpers.repo import git


def test_a_change_report_reads_only_the_days_around_its_window(
    small_cluster: Any, fakepve_cafile: str, synced: Path, cli: Any
) -> None:
    add_tokens(small_cluster)
    log_as_pve(small_cluster)
    # A day recorded long ago that cannot be read: a report of today never opens it.
    old = synced / "clusters/lab/tasks/pve1/2020-01-01.yaml"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_text("tasks: [unclosed\n", encoding="utf-8")
    git(synced, "add", "-A")
    git(synced, "commit", "-q", "-m", "a day of 2020")
    api_as(small_cluster, fakepve_cafile, ALICE, "PUT", "/nodes/pve2/qemu/102/config", memory="8192")
    assert cli("sync", "-C", str(synced)).code == 0
    result = cli("show-changes", "-C", str(synced), "--format", "json")
    assert result.code == 0, result.err
    (change,) = [r for r in json.loads(result.out)["resources"] if r["resource_id"] == "qemu/102"]
    assert change["attribution"][0]["actor"] == ALICE  # today's cluster log is read
    # The whole history still reaches the old day: a report from the first commit reads it.
    first = git(synced, "rev-list", "--max-parents=0", "HEAD").strip()
    whole = cli("show-changes", "-C", str(synced), f"{first}..HEAD")
    assert whole.code != 0 and "2020-01-01.yaml" in whole.err


def test_log_and_blame_start_without_the_libraries_they_do_not_use(tmp_path: Path) -> None:
    """A reading command's start is a good part of its time on a long history: `log` and `blame`
    of a record without an `attribution` section import neither the PVE client (httpx), pydantic,
    the general YAML reader (the record is in proxstate's own style) nor the terminal library."""
    repo = StateRepo.init(tmp_path / "state")
    vm = "clusters/lab/qemu/101.yaml"
    repo.commit_files({vm: b"kind: qemu\nvmid: 101\nconfig:\n  memory: 1024\n"}, message="one", author=None)
    repo.commit_files({vm: b"kind: qemu\nvmid: 101\nconfig:\n  memory: 2048\n"}, message="two", author=None)
    for command in ("log", "blame"):
        code = (
            "import sys\nfrom proxstate.cli.main import main\n"
            f"try:\n    main([{command!r}, 'qemu/101', '-C', {str(repo.root)!r}])\n"
            "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
            "print(sorted(m for m in ('httpx', 'pydantic', 'ruamel.yaml', 'rich') if m in sys.modules))"
        )
        out = python_output(code)
        assert "config.memory" in out
        assert out.splitlines()[-1] == "[]", command


def _guest(memory: int, tags: list[str], *, bridge: str = "vmbr0") -> bytes:
    return yamlio.dump(
        {
            "kind": "qemu",
            "vmid": 101,
            "node": "pve1",
            "status": "running",
            "config": {
                "memory": memory,
                "description": "web server\n\nowner: ops\n",
                "net0": {"model": "virtio", "bridge": bridge},
                "tags": tags,
            },
        }
    ).encode()


def test_log_and_blame_of_versions_that_share_most_of_their_text(state_repo: Path, cli: Any) -> None:
    """`log` and `blame` decode each version only in the entries it changed (yamlio.Versions):
    whatever changed (a list whose elements only moved, a value set back as it was, a nested
    mapping), each entry of `log` is what `show-changes` says of that commit alone."""
    repo = StateRepo.open(state_repo)
    vm = "clusters/lab/qemu/101.yaml"
    versions = [
        _guest(1024, ["a", "b"]),
        _guest(1024, ["b", "a"]),  # only the order of the list's elements
        _guest(2048, ["b", "a"]),
        _guest(1024, ["b", "a"]),  # set back: the text of the second version again
        _guest(1024, ["b", "a"], bridge="vmbr1"),
    ]
    shas = [repo.commit_files({vm: text}, message=f"v{n}", author=None) for n, text in enumerate(versions)]
    result = cli("log", "qemu/101", "-C", str(state_repo), "--format", "json")
    assert result.code == 0, result.err
    entries = json.loads(result.out)["entries"]
    assert [e["target"]["sha"] for e in entries] == list(reversed(shas))
    for entry, sha in zip(entries[:-1], reversed(shas[1:]), strict=True):
        alone = cli("show-changes", "-C", str(state_repo), f"{sha}~1..{sha}", "--format", "json")
        assert alone.code == 0, alone.err
        # (log attributes no change: it names the commit that made each.)
        said = [{**r, "attribution": []} for r in json.loads(alone.out)["resources"]]
        assert entry["resources"] == said
    changed = [[f["path"] for f in e["resources"][0]["changes"]] for e in entries[:-1]]
    assert changed == [["config.net0.bridge"], ["config.memory"], ["config.memory"], ["config.tags"]]
    blame = cli("blame", "qemu/101", "-C", str(state_repo), "--format", "json")
    assert blame.code == 0, blame.err
    fields = {f["path"]: f["commit"]["sha"] for f in json.loads(blame.out)["fields"]}
    assert fields["config.net0.bridge"] == shas[4]
    assert fields["config.memory"] == shas[3]
    assert fields["config.tags"] == shas[1]
    assert fields["config.net0.model"] == fields["config.description"] == shas[0]

"""Reports read what their window needs, not the whole record, so that a long history stays quick
(docs/performance.md, "A year of history"): a change report reads the task and cluster log files
of the days around its window only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from proxstate.demo.clusterlog import log_as_pve
from tests.helpers.clusterlog import ALICE, add_tokens, api_as
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

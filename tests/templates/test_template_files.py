"""The CI, systemd and cron files of the state-repository template: present, loadable, consistent."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from proxstate.app.init import init_repository, template_files
from proxstate.store import Identity
from proxstate.yamlio import load

# The workflows that read a cluster, and those that run after the snapshots (policy check, site).
READING = ("snapshot.yml", "drift-review.yml", "drift-check.yml")
WORKFLOWS = (*READING, "policy-check.yml", "site.yml")
AUTOMATION = (
    *(f".github/workflows/{name}" for name in WORKFLOWS),
    ".gitlab-ci.yml",
    "systemd/proxstate-sync.service",
    "systemd/proxstate-sync.timer",
    "systemd/proxstate-watch.service",
    "cron/proxstate.cron",
)


def template_yaml(path: str) -> Any:
    return load(template_files()[path].decode("utf-8"))


def test_the_template_has_the_automation_files() -> None:
    files = template_files()
    for path in AUTOMATION:
        assert path in files
    assert sorted(p for p in files if p.startswith(".github/")) == sorted(
        f".github/workflows/{n}" for n in WORKFLOWS
    )


def test_init_commits_the_automation_files(tmp_path: Path) -> None:
    result = init_repository(tmp_path / "state", author=Identity(name="Tester", email="tester@example.com"))
    assert result.commit is not None
    listed = subprocess.run(
        ["git", "-C", str(result.root), "ls-tree", "-r", "--name-only", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for path in AUTOMATION:
        assert path in listed
        assert (result.root / path).read_bytes() == template_files()[path]


@pytest.mark.parametrize("path", sorted(p for p in template_files() if p.endswith((".yml", ".yaml"))))
def test_yaml_files_load(path: str) -> None:
    assert isinstance(template_yaml(path), dict)


@pytest.mark.parametrize("name", READING)
def test_workflows_share_the_cluster_matrix_and_the_connection(name: str) -> None:
    """The three workflows read a cluster the same way: one matrix, the same secrets and variables."""
    data = template_yaml(f".github/workflows/{name}")
    reference = template_yaml(".github/workflows/snapshot.yml")
    (job,) = data["jobs"].values()
    (reference_job,) = reference["jobs"].values()
    assert job["strategy"]["matrix"] == reference_job["strategy"]["matrix"] == {"cluster": ["homelab"]}
    assert job["strategy"]["fail-fast"] is False
    connection = {key: value for key, value in job["env"].items() if key.startswith("PROXSTATE_")}
    assert connection == {
        key: value for key, value in reference_job["env"].items() if key.startswith("PROXSTATE_")
    }
    names = {
        "PROXSTATE_CLUSTER",
        "PROXSTATE_URL",
        "PROXSTATE_FINGERPRINT",
        "PROXSTATE_TOKEN",
        "PROXSTATE_MASK_KEY",
    }
    assert set(connection) == names
    assert "matrix.cluster" in job["concurrency"]["group"]
    assert data["defaults"]["run"]["shell"] == "bash"


def test_workflow_triggers_and_permissions() -> None:
    snapshot = template_yaml(".github/workflows/snapshot.yml")
    review = template_yaml(".github/workflows/drift-review.yml")
    check = template_yaml(".github/workflows/drift-check.yml")
    assert set(snapshot["on"]) == set(review["on"]) == {"schedule", "workflow_dispatch"}
    assert snapshot["permissions"] == {"contents": "write"}
    assert review["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert check["on"] == {"pull_request": {"paths": ["clusters/**"]}}
    assert check["permissions"] == {"contents": "read", "pull-requests": "write"}
    # Either snapshots or review PRs run on the schedule, chosen by one repository variable.
    assert "vars.PROXSTATE_MODE != 'review'" in snapshot["jobs"]["snapshot"]["if"]
    assert "vars.PROXSTATE_MODE == 'review'" in review["jobs"]["review"]["if"]
    (checkout,) = [
        step for step in snapshot["jobs"]["snapshot"]["steps"] if "actions/checkout" in step.get("uses", "")
    ]
    assert checkout["with"]["fetch-depth"] == 0


def test_the_policy_check_reads_the_record_only() -> None:
    policy = template_yaml(".github/workflows/policy-check.yml")
    assert policy["on"] == {
        "workflow_run": {"workflows": ["proxstate snapshot"], "types": ["completed"]},
        "pull_request": {"paths": ["clusters/**", "policy.yaml"]},
    }
    assert template_yaml(".github/workflows/snapshot.yml")["name"] == "proxstate snapshot"
    assert policy["permissions"] == {"contents": "read", "pull-requests": "write"}
    (job,) = policy["jobs"].values()
    assert not [key for key in job["env"] if key.startswith("PROXSTATE_")]  # no cluster, no secret

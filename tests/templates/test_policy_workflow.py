"""The policy-check workflow of the template, its shell steps run for real on a recorded snapshot:
new violations fail it, old ones do not, and a pull request gets the report as one comment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.helpers.actions import JobRun, workflow
from tests.helpers.checkout import Checkout, Gh

Run = Callable[..., JobRun]


def event(checkout: Checkout, name: str, **payload: Any) -> dict[str, Any]:
    contexts = checkout.contexts()
    contexts["github"] = {**contexts["github"], "event_name": name, "event": payload}
    return contexts


def test_a_snapshot_fails_the_check_on_new_violations_only(checkout: Checkout, run: Run) -> None:
    before = checkout.git("rev-parse", "HEAD")  # the template only: nothing recorded yet
    assert run(workflow("snapshot.yml"), checkout.contexts()).code == 0
    checkout.git("pull", "--quiet", "--ff-only")
    policy = workflow("policy-check.yml")

    new = run(policy, event(checkout, "workflow_run", workflow_run={"head_sha": before}))
    assert new.step("Check the record").outputs == {"status": "2"}
    assert new.code == 1
    assert "::error title=New policy violations::" in new.out
    assert "#### New violations" in new.summary
    assert "`homelab qemu/101`" in new.summary

    head = checkout.git("rev-parse", "HEAD")
    old = run(policy, event(checkout, "workflow_run", workflow_run={"head_sha": head}))
    assert old.code == 0, old.out
    assert "No new policy violation" in old.out
    assert "already at" in old.summary


def test_a_pull_request_gets_the_report_as_a_comment(checkout: Checkout, run: Run, gh: Gh) -> None:
    base = checkout.git("rev-parse", "HEAD")
    assert run(workflow("snapshot.yml"), checkout.contexts()).code == 0
    checkout.git("pull", "--quiet", "--ff-only")
    head = checkout.git("rev-parse", "HEAD")
    pull_request = {"number": 7, "base": {"sha": base}, "head": {"sha": head}}
    job = run(
        workflow("policy-check.yml"), event(checkout, "pull_request", pull_request=pull_request), with_gh=True
    )
    assert job.code == 1
    comment = gh.calls[-1]
    assert comment["args"][:3] == ["pr", "comment", "7"]
    assert comment["files"]["body"].startswith("<!-- proxstate policy check -->\n### proxstate check: ")
    assert "#### New violations" in comment["files"]["body"]

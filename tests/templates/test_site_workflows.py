"""The site workflows of the template (GitHub's site.yml, GitLab's `pages` job): off unless the
repository turns them on with PROXSTATE_SITE=1; then, after a snapshot, they build the static site
of the record (and, with PROXSTATE_SITE_DRIFT=<cluster>, the drift page of that cluster) for Pages
to publish. Their shell steps run for real here against a fake cluster; the publishing actions do
not."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from proxstate.app.init import template_files
from proxstate.yamlio import load
from tests.helpers.actions import BASH, JobRun, condition, find_tool, workflow
from tests.helpers.checkout import TOKEN, Checkout

Run = Callable[..., JobRun]


def site_contexts(checkout: Checkout, *, per_cluster: bool = False, **variables: str) -> dict[str, Any]:
    contexts = checkout.contexts(per_cluster=per_cluster)
    contexts["github"] = {**contexts["github"], "event_name": "workflow_run"}
    contexts["vars"] = {**contexts["vars"], **variables}
    return contexts


def test_the_github_site_is_off_until_the_repository_turns_it_on() -> None:
    data = workflow("site.yml")
    (job,) = data["jobs"].values()
    for variables, runs in (({}, False), ({"PROXSTATE_SITE": "0"}, False), ({"PROXSTATE_SITE": "1"}, True)):
        assert condition(job["if"], {"vars": variables}, failed=False) is runs, variables
    # After the workflows that commit to the default branch, by their names.
    followed = data["on"]["workflow_run"]["workflows"]
    assert followed == [workflow(name)["name"] for name in ("snapshot.yml", "drift-review.yml")]
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert job["environment"]["name"] == "github-pages"
    uses = [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]
    assert uses[-2:] == ["actions/upload-pages-artifact", "actions/deploy-pages"]
    upload = next(step for step in job["steps"] if "upload-pages-artifact" in step.get("uses", ""))
    assert upload["with"] == {"path": "public"}
    # Only the drift step gets the cluster's secrets; the site is built from the record alone.
    holders = [step.get("name") for step in job["steps"] if "secrets." in str(step.get("env", ""))]
    assert holders == ["Read the drift of the live cluster"]
    assert "secrets." not in str(job.get("env", "")) + str(data.get("env", ""))


def test_the_github_site_builds_the_record_after_a_snapshot(checkout: Checkout, run: Run) -> None:
    assert run(workflow("snapshot.yml"), checkout.contexts()).code == 0
    checkout.pve.vm(101).config["memory"] = "3072"  # the live cluster drifts from the record

    plain = run(workflow("site.yml"), site_contexts(checkout, PROXSTATE_SITE="1"))
    assert plain.code == 0, plain.out
    assert [step.name for step in plain.steps] == ["Build the site"]
    site = checkout.work / "public"
    assert (site / "clusters" / "homelab" / "qemu" / "101.html").is_file()
    assert "site: " in plain.summary and " pages (" in plain.summary
    assert "3072" not in (site / "drift.html").read_text()

    drift = run(
        workflow("site.yml"),
        site_contexts(checkout, per_cluster=True, PROXSTATE_SITE="1", PROXSTATE_SITE_DRIFT="homelab"),
    )
    assert drift.code == 0, drift.out
    assert [step.name for step in drift.steps] == ["Read the drift of the live cluster", "Build the site"]
    assert drift.steps[0].outputs == {"report": str(checkout.temp / "drift.json")}
    page = (site / "drift.html").read_text()
    assert "qemu/101" in page and "3072" in page
    assert checkout.git("status", "--porcelain") == ""  # public/ is ignored: the record stays clean


def test_the_github_site_is_published_without_drift_when_the_cluster_cannot_be_read(
    checkout: Checkout, run: Run
) -> None:
    contexts = site_contexts(checkout, PROXSTATE_SITE="1", PROXSTATE_SITE_DRIFT="homelab")
    contexts["secrets"] = {**contexts["secrets"], "PROXSTATE_TOKEN": f"{TOKEN}-wrong"}
    job = run(workflow("site.yml"), contexts)
    assert job.code == 0, job.out
    assert "::warning title=No drift page::proxstate drift failed (exit status 1)" in job.out
    assert (checkout.work / "public" / "index.html").is_file()  # the record as it is: nothing yet


def gitlab() -> dict[str, Any]:
    data = load(template_files()[".gitlab-ci.yml"].decode("utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_gitlab_pages_job_is_off_until_the_project_turns_it_on() -> None:
    pages = gitlab()["pages"]
    (rule,) = pages["rules"]
    assert rule["if"].startswith('$PROXSTATE_SITE == "1" && ')
    assert "$PROXSTATE_JOB =~ /^(snapshot|review)$/" in rule["if"]
    assert pages["stage"] == "deploy"  # after the snapshot and review jobs (stage test)
    assert pages["artifacts"] == {"paths": ["public"]}  # what GitLab Pages publishes
    assert "extends" not in pages and "parallel" not in pages  # one site for every cluster


def pages_script(tmp_path: Path) -> Path:
    pages = gitlab()["pages"]
    script = tmp_path / "pages.sh"
    script.write_text("#!/bin/bash\nset -eo pipefail\n" + "\n".join(pages["script"]) + "\n")
    return script


def test_the_gitlab_pages_script_passes_shellcheck(tmp_path: Path) -> None:
    script = pages_script(tmp_path)
    shellcheck = find_tool("shellcheck")
    assert shellcheck is not None, "shellcheck is not installed: pip install -e '.[test]'"
    lint = subprocess.run(
        [shellcheck, "-e", "SC2154", str(script)], capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0, lint.stdout


def test_the_gitlab_pages_script_builds_the_pushed_snapshot(
    checkout: Checkout, run: Run, tmp_path: Path
) -> None:
    assert run(workflow("snapshot.yml"), checkout.contexts()).code == 0
    # The job's checkout is the commit the pipeline started at, before the snapshot job pushed.
    checkout.git("reset", "--quiet", "--hard", "HEAD~1")
    checkout.pve.vm(101).config["memory"] = "3072"
    env = {
        **checkout.env,
        "CI_COMMIT_BRANCH": "main",
        "PROXSTATE_URL": checkout.pve.url,
        "PROXSTATE_TOKEN": TOKEN,
        "PROXSTATE_SITE_DRIFT": "homelab",
    }
    done = subprocess.run(
        [*BASH, str(pages_script(tmp_path))],
        cwd=checkout.work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    site = checkout.work / "public"
    assert (site / "clusters" / "homelab" / "qemu" / "101.html").is_file()
    assert "3072" in (site / "drift.html").read_text()

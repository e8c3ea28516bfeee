"""The shell steps of the GitHub workflows of the template, run for real against a fake cluster.

Each test is a state repository made by `proxstate init` with a bare `origin`, as a job's checkout
finds it; `gh` is a stand-in that logs its calls where a step needs it.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.helpers.actions import JobRun, workflow
from tests.helpers.checkout import TOKEN_ID, Checkout, Gh

Run = Callable[..., JobRun]


def commits(checkout: Checkout, ref: str = "main") -> list[str]:
    return checkout.git("rev-list", ref, repo=checkout.origin).split()


def files_at(checkout: Checkout, ref: str) -> list[str]:
    return checkout.git("ls-tree", "-r", "--name-only", ref, repo=checkout.origin).split()


def test_snapshot_commits_and_pushes_to_the_default_branch(checkout: Checkout, run: Run) -> None:
    snapshot = workflow("snapshot.yml")
    job = run(snapshot, checkout.contexts(per_cluster=True))
    assert job.code == 0, job.out
    assert [step.name for step in job.steps] == ["Configure git identity", "Sync and push"]
    assert len(commits(checkout)) == 2
    assert "clusters/homelab/qemu/101.yaml" in files_at(checkout, "main")
    author = checkout.git("log", "-1", "--format=%an <%ae>", "main", repo=checkout.origin)
    assert author == "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
    assert "### proxstate sync: homelab" in job.summary
    assert "qemu/101" in job.summary  # the change report of the new snapshot

    again = run(snapshot, checkout.contexts(per_cluster=True))
    assert again.code == 0, again.out
    assert len(commits(checkout)) == 2  # nothing changed: no commit


def test_snapshot_partial_warns_and_still_pushes(checkout: Checkout, run: Run) -> None:
    checkout.pve.fail(
        "GET", "/nodes/pve1/qemu/101/pending", 403, "Permission check failed (/vms/101, VM.Audit)"
    )
    job = run(workflow("snapshot.yml"), checkout.contexts())
    assert job.code == 0, job.out
    assert "::warning title=Partial snapshot of homelab::" in job.out
    assert len(commits(checkout)) == 2


def test_snapshot_error_fails_the_job(checkout: Checkout, run: Run) -> None:
    job = run(workflow("snapshot.yml"), checkout.contexts(token=f"{TOKEN_ID}=wrong"))
    assert job.code == 1, job.out
    assert "::error title=proxstate sync failed for homelab::exit status 1" in job.out
    assert len(commits(checkout)) == 1


def test_drift_check_passes_without_drift_and_fails_on_drift(checkout: Checkout, run: Run, gh: Gh) -> None:
    assert run(workflow("snapshot.yml"), checkout.contexts()).code == 0
    checkout.git("pull", "--quiet", "--ff-only")
    head = checkout.git("rev-parse", "HEAD")
    drift_check = workflow("drift-check.yml")

    clean = run(drift_check, checkout.contexts(pr_sha=head), with_gh=True)
    assert clean.code == 0, clean.out
    assert clean.step("Compare the live cluster with the pull request").outputs == {"status": "0"}
    comment = gh.calls[-1]
    assert comment["args"][:3] == ["pr", "comment", "7"]
    assert comment["files"]["body"].startswith("<!-- proxstate drift check: homelab -->\n")
    assert "the live cluster matches this pull request" in comment["files"]["body"]

    checkout.pve.vm(101).config["memory"] = "3072"
    gh.answer([(["api", "--paginate"], "4242\n")])  # the comment of the first run
    drifted = run(drift_check, checkout.contexts(pr_sha=head), with_gh=True)
    assert drifted.code != 0
    assert drifted.step("Compare the live cluster with the pull request").outputs == {"status": "2"}
    assert "::error title=Drift on homelab::" in drifted.steps[-1].out
    edit = gh.calls[-1]
    assert edit["args"][:4] == ["api", "--method", "PATCH", "repos/example/pve-state/issues/comments/4242"]
    assert "qemu/101" in edit["files"]["body"]
    assert "differs from this pull request" in edit["files"]["body"]


def test_drift_check_without_gh_runs_the_check_and_the_verdict(checkout: Checkout, run: Run) -> None:
    template_only = commits(checkout)[0]  # nothing recorded yet: every resource is drift
    job = run(workflow("drift-check.yml"), checkout.contexts(pr_sha=template_only))
    assert [step.name for step in job.steps] == ["Compare the live cluster with the pull request", "Verdict"]
    assert job.step("Compare the live cluster with the pull request").outputs == {"status": "2"}
    assert job.code == 1
    assert "qemu/101" in (checkout.temp / "drift-homelab.md").read_text()


def test_drift_review_keeps_one_pull_request(checkout: Checkout, run: Run, gh: Gh) -> None:
    review = workflow("drift-review.yml")
    branch = "refs/heads/proxstate/review/homelab"
    main = commits(checkout)

    first = run(review, checkout.contexts(), with_gh=True)
    assert first.code == 0, first.out
    assert commits(checkout) == main  # the default branch is left alone
    pushed = checkout.git("rev-parse", branch, repo=checkout.origin)
    create = gh.calls[-1]
    assert create["args"][:2] == ["pr", "create"]
    assert create["args"][create["args"].index("--head") + 1] == "proxstate/review/homelab"
    assert create["args"][create["args"].index("--base") + 1] == "main"
    assert "Merging this pull request accepts it as the new baseline" in create["files"]["body"]
    assert "qemu/101" in create["files"]["body"]

    gh.answer([(["pr", "list", "open"], "5\n")])
    second = run(review, checkout.contexts(), with_gh=True)
    assert second.code == 0, second.out
    assert checkout.git("rev-parse", branch, repo=checkout.origin) == pushed  # same state: no push
    assert gh.calls[-1]["args"][:3] == ["pr", "edit", "5"]

    # Merging the pull request makes the recorded state the baseline: nothing left to review.
    checkout.git("push", "--quiet", ".", f"{branch}:refs/heads/main", repo=checkout.origin)
    gh.answer([])
    checkout.git("fetch", "--quiet", "origin")
    merged = run(review, checkout.contexts(), with_gh=True)
    assert merged.code == 0, merged.out
    assert merged.step("Record the live state on the review branch").outputs == {"changed": "false"}
    assert gh.calls == []
    assert "nothing to review" in merged.summary

    checkout.pve.vm(101).config["memory"] = "4096"
    changed = run(review, checkout.contexts(), with_gh=True)
    assert changed.code == 0, changed.out
    new_tip = checkout.git("rev-parse", branch, repo=checkout.origin)
    assert new_tip != pushed
    assert checkout.git("rev-parse", f"{new_tip}~1", repo=checkout.origin) == commits(checkout)[0]
    assert gh.calls[-1]["args"][:2] == ["pr", "create"]
    assert "memory" in gh.calls[-1]["files"]["body"]

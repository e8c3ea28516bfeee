"""The words of a notification: bounded in size, and the commit's web page from the push remote."""

from __future__ import annotations

import pytest

from proxstate.diff import ChangeClass, ChangeSet, FieldChange, ResourceChange
from proxstate.notify.events import Message
from proxstate.notify.message import body_of
from proxstate.notify.settings import NotifyTarget
from proxstate.notify.weburl import commit_url

SHA = "94f644c79a760130e661aeba5446db67934dd648"


def _changes(count: int, *, width: int = 10) -> ChangeSet:
    resources = tuple(
        ResourceChange(
            cluster="lab",
            resource_id=f"qemu/{100 + n}",
            action="modified",
            name=f"vm{n}",
            fields=(
                FieldChange("config.description", "changed", "a" * width, "b" * width, ChangeClass.CONFIG),
            ),
            classes=(ChangeClass.CONFIG,),
        )
        for n in range(count)
    )
    return ChangeSet(base=None, target=None, resources=resources)


@pytest.mark.parametrize("markdown", [True, False])
def test_the_first_changes_then_and_n_more(markdown: bool) -> None:
    target = NotifyTarget(url_env="X", max_changes=3)
    message = Message(target=target, event="changes", cluster="lab", title="t", changeset=_changes(15))
    body = body_of(message, markdown=markdown)
    assert "vm2" in body and "qemu/103 vm3" in body.split("... and 12 more resources: ")[1]
    assert body.count("config.description") == 3


def test_a_long_body_is_cut_at_a_line_and_keeps_the_link() -> None:
    target = NotifyTarget(url_env="X", max_changes=200, max_length=2000)
    url = f"https://github.com/ops/pve/commit/{SHA}"
    message = Message(
        target=target, event="changes", cluster="lab", title="t", changeset=_changes(40, width=80), url=url
    )
    for markdown in (True, False):
        body = body_of(message, markdown=markdown)
        assert len(body) <= 2000
        assert "more lines (the whole report: proxstate show-changes, or drift)" in body
        assert body.endswith(f"[{url}]({url})" if markdown else url)


@pytest.mark.parametrize(
    ("remote", "page"),
    [
        ("git@github.com:ops/pve-state.git", f"https://github.com/ops/pve-state/commit/{SHA}"),
        (
            "https://oauth2:glpat-x@gitlab.example.com/infra/pve.git",
            f"https://gitlab.example.com/infra/pve/-/commit/{SHA}",
        ),
        ("ssh://git@gitea.example.org:2222/ops/pve.git", f"https://gitea.example.org/ops/pve/commit/{SHA}"),
        ("https://git.example.org:3000/ops/pve", f"https://git.example.org:3000/ops/pve/commit/{SHA}"),
        ("git@bitbucket.org:ops/pve.git", f"https://bitbucket.org/ops/pve/commits/{SHA}"),
        ("/srv/git/pve-state.git", None),
        ("file:///srv/git/pve-state.git", None),
        (None, None),
    ],
)
def test_the_commit_page_from_the_push_remote(remote: str | None, page: str | None) -> None:
    assert commit_url(remote, SHA) == page


def test_a_template_overrides_the_guess() -> None:
    assert commit_url("/srv/git/x.git", SHA, template="https://cgit.example.org/pve/commit/?id={sha}") == (
        f"https://cgit.example.org/pve/commit/?id={SHA}"
    )

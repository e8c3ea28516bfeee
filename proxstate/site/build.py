"""`proxstate site`: the static site of a state repository, built into a folder.

Pages come from the page modules (PAGE_MODULES: each has `pages(data) -> Iterable[Page]`), are
rendered with their templates and written only when their bytes changed since the last build
(site/output.py keeps their SHA-256); a page the site no longer has is removed.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from proxstate.app.revisions import head_of
from proxstate.errors import SiteError
from proxstate.notify.weburl import commit_url
from proxstate.site import history
from proxstate.site.current import current_resources
from proxstate.site.model import SiteData
from proxstate.site.output import Folder, digest
from proxstate.site.page import Page, root_of
from proxstate.site.render import render
from proxstate.site.search import index_file
from proxstate.store import StateRepo
from proxstate.store.layout import CLUSTERS_DIR, cluster_dir

# The modules that make pages, in the order they are built; a module that is not there yet (the
# timeline and the reports are built beside the engine) is skipped.
PAGE_MODULES = (
    "proxstate.site.front",
    "proxstate.site.resources",
    "proxstate.site.snapshots",
    "proxstate.site.timeline",
    "proxstate.site.reports",
)
STATIC = ("site.css", "site.js", "favicon.svg")


@dataclass(frozen=True, kw_only=True)
class SiteBuild:
    """What a build did: pages (every file of the site) and how many were written, left as they
    were, removed; the folder; the snapshots shown and how many reports were computed (not cached)."""

    out: Path
    pages: int
    written: int
    unchanged: int
    removed: int
    snapshots: int
    computed: int


def check_out(repo: StateRepo, out: Path) -> Path:
    """The output folder, refused when it is a link, the repository itself, or inside the record
    (`clusters/`) or the git folder: the site must never write into what it reads."""
    out = out if out.is_absolute() else Path.cwd() / out
    if out.is_symlink():
        raise SiteError(f"refusing to write the site into {out}: it is a symbolic link; give a folder")
    resolved = out.resolve()
    for forbidden, what in (
        (repo.root / CLUSTERS_DIR, "the record (clusters/)"),
        (repo.git_dir, "the git folder"),
        (repo.common_dir, "the git folder"),
    ):
        if resolved == forbidden.resolve() or resolved.is_relative_to(forbidden.resolve()):
            raise SiteError(
                f"refusing to write the site into {out}: it is inside {what}; give another folder"
            )
    if resolved == repo.root.resolve() or repo.root.resolve().is_relative_to(resolved):
        raise SiteError(
            f"refusing to write the site into {out}: it holds the state repository; "
            "give a folder such as public/"
        )
    return out


def collect(data: SiteData) -> Iterator[tuple[str, bytes]]:
    """Every file of the site: path below its root -> content."""
    for name in PAGE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        for page in module.pages(data):
            yield page.path, _rendered(page, data)
    yield index_file(data)
    for asset in STATIC:
        yield f"static/{asset}", resources.files("proxstate.site").joinpath("static", asset).read_bytes()


def _rendered(page: Page, data: SiteData) -> bytes:
    context = {"head": data.head[:12], **page.context, "root": root_of(page.path)}
    return render(page.template, **context).encode("utf-8")


def build_site(
    *,
    repo: StateRepo,
    out: Path,
    since: str | None = None,
    drift_report: Path | None = None,
    cluster: str | None = None,
    commit_url_template: str | None = None,
) -> SiteBuild:
    """Build the site of the record at HEAD into `out` (only pages whose bytes changed are written)."""
    out = check_out(repo, out)
    head = head_of(repo)
    walked = history.walk(repo, since=since, cluster=cluster)
    prefix = f"{cluster_dir(cluster)}/" if cluster else f"{CLUSTERS_DIR}/"
    clusters, found = current_resources(repo, head, prefix, known=walked.decoded)
    if cluster is not None:
        clusters = [cluster]
    remote = repo.push_url("origin")
    data = SiteData(
        head=head,
        clusters=clusters,
        resources=found,
        snapshots=walked.snapshots,
        commit_url=lambda sha: commit_url(remote, sha, template=commit_url_template),
        since=since,
        drift_report=drift_report,
        repo_root=repo.root,
    )
    data.index_history()
    with Folder(out) as folder:
        before = folder.read_manifest()
        after: dict[str, str] = {}
        written = 0
        for path, content in collect(data):
            if path in after:
                raise SiteError(f"two pages of the site would be written to {path}")
            after[path] = digest(content)
            if before.get(path) != after[path] or not folder.exists(path):
                folder.write(path, content)
                written += 1
        gone = [path for path in before if path not in after]
        for path in gone:
            folder.remove(path)
        folder.write_manifest(after)
    return SiteBuild(
        out=out,
        pages=len(after),
        written=written,
        unchanged=len(after) - written,
        removed=len(gone),
        snapshots=len(walked.snapshots),
        computed=walked.computed,
    )

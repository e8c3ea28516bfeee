"""`proxstate site`: the static site of a state repository, built into a folder.

Pages come from the page modules (PAGE_MODULES: each has `pages(data) -> Iterable[Page]`), are
rendered with their templates and written only when their bytes changed since the last build
(site/output.py keeps their SHA-256); a page the site no longer has is removed.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from proxstate import __version__
from proxstate.app.revisions import head_of
from proxstate.errors import SiteError
from proxstate.notify.weburl import commit_url
from proxstate.site import history
from proxstate.site.current import current_resources
from proxstate.site.model import SiteData
from proxstate.site.output import Folder, Manifest, digest
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
    unreadable: tuple[str, ...] = ()  # snapshots whose report could not be made, and why


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


def _pages(data: SiteData) -> Iterator[Page]:
    for name in PAGE_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        yield from module.pages(data)


def collect(
    data: SiteData, *, fresh: Callable[[str, str], bool] = lambda path, inputs: False
) -> Iterator[File]:
    """Every file of the site. A page whose inputs (its template and context, `fingerprint`) are
    those of the page already written (`fresh(path, inputs)`) is not rendered: its content is None."""
    for page in _pages(data):
        inputs = fingerprint(page)
        if inputs is not None and fresh(page.path, inputs):
            yield File(page.path, None, inputs)
        else:
            yield File(page.path, _rendered(page), inputs)
    path, content = index_file(data)
    yield File(path, content, None)
    for asset in STATIC:
        content = resources.files("proxstate.site").joinpath("static", asset).read_bytes()
        yield File(f"static/{asset}", content, None)


@dataclass(frozen=True)
class File:
    path: str
    content: bytes | None  # None: the same as the one written before (its inputs are)
    inputs: str | None  # the fingerprint of what it was rendered from


def fingerprint(page: Page) -> str | None:
    """A digest of what the page is rendered from: with the same templates, the same digest renders
    the same bytes, so a rebuild need not render it again. Made from `repr`, which depends on values
    only (pickle's output also depends on which objects are shared: a report read from the cache
    would differ from the same report computed); None for a context holding an object whose repr is
    its address."""
    text = repr((page.path, page.template, page.context))
    if " at 0x" in text:
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@cache
def templates_digest() -> str:
    """proxstate's version and the templates and static files it renders with: a manifest written
    with others does not vouch for a page's bytes."""
    digest = hashlib.sha256(__version__.encode())
    folder = resources.files("proxstate.site")
    for name in ("templates", "static"):
        for item in sorted(folder.joinpath(name).iterdir(), key=lambda item: item.name):
            if item.is_file():
                digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()


def _rendered(page: Page) -> bytes:
    context = {**page.context, "root": root_of(page.path)}
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
        before = folder.read_manifest(templates_digest())

        def fresh(path: str, inputs: str) -> bool:
            return before.inputs.get(path) == inputs and path in before.pages and folder.exists(path)

        after = Manifest(templates_digest())
        written = 0
        for file in collect(data, fresh=fresh):
            if file.path in after.pages:
                raise SiteError(f"two pages of the site would be written to {file.path}")
            if file.inputs is not None:
                after.inputs[file.path] = file.inputs
            if file.content is None:
                after.pages[file.path] = before.pages[file.path]
                continue
            after.pages[file.path] = digest(file.content)
            if before.pages.get(file.path) != after.pages[file.path] or not folder.exists(file.path):
                folder.write(file.path, file.content)
                written += 1
        gone = [path for path in before.pages if path not in after.pages]
        for path in gone:
            folder.remove(path)
        folder.write_manifest(after)
    return SiteBuild(
        out=out,
        pages=len(after.pages),
        written=written,
        unchanged=len(after.pages) - written,
        removed=len(gone),
        snapshots=len(walked.snapshots),
        computed=walked.computed,
        unreadable=tuple(f"{s.short}: {s.error}" for s in walked.snapshots if s.error),
    )

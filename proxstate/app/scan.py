"""`proxstate scan`: secrets that an older version recorded, anywhere in the history of the record.

Masking protects what is written from now on; commits made before (snapshot configs unmasked,
descriptions before the secret detector) still hold what they held. This walks the commits of a
range, reads each version of each recorded file once (the blobs a commit added or changed), and
reports every secret the current rules would have masked, with the commit that introduced it, and
every commit message the detector flags. It reads only; rewriting history is the user's decision
(docs/security.md says how).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from proxstate.config import ProxstateConfig
from proxstate.errors import ProxstateError
from proxstate.normalize import AllowRule, NormalizeOptions
from proxstate.normalize.audit import secrets_in, secrets_in_text
from proxstate.resources.documents import decode_document
from proxstate.store import CommitInfo, StateRepo
from proxstate.store.layout import CLUSTERS_DIR, resource_of_path

MESSAGE = "(commit message)"


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One secret in one commit: where it is and what it looks like; never the value."""

    commit: str
    short: str
    date: str
    path: str  # the file, or MESSAGE
    resource_id: str | None
    field: str  # the dotted path in the document ("" for a message or an unreadable file)
    rule: str

    @property
    def in_message(self) -> bool:
        return self.path == MESSAGE


@dataclass(kw_only=True)
class ScanResult:
    commits: int = 0  # commits scanned
    files: int = 0  # distinct file versions read
    findings: list[Finding] = field(default_factory=list)

    @property
    def commits_with_secrets(self) -> list[str]:
        return list(dict.fromkeys(finding.commit for finding in self.findings))


def scan_options(config: ProxstateConfig) -> NormalizeOptions:
    """What a scan takes from proxstate.yaml: the extra secret keys and the allowed values."""
    return NormalizeOptions(
        mask_keys=frozenset(config.mask_keys),
        allow_secrets=tuple(
            AllowRule(resource=r.resource, field=r.field, reason=r.reason) for r in config.allow_secrets
        ),
    )


def _finding(info: CommitInfo, path: str, resource_id: str | None, where: str, rule: str) -> Finding:
    return Finding(
        commit=info.sha,
        short=info.short,
        date=info.committed,
        path=path,
        resource_id=resource_id,
        field=where,
        rule=rule,
    )


def scan(root: Path, *, rev_range: str | None = None, options: NormalizeOptions) -> ScanResult:
    """Every secret in the commits of `rev_range` (default: all of HEAD's history), oldest first."""
    repo = StateRepo.open(root)
    result = ScanResult()
    if rev_range is None and repo.head() is None:
        return result
    seen: set[bytes] = set()
    for info in reversed(repo.commits(rev_range=rev_range)):
        result.commits += 1
        for rule in secrets_in_text(f"{info.subject}\n\n{info.body}"):
            result.findings.append(_finding(info, MESSAGE, None, "", rule))
        parent = info.parents[0] if info.parents else None
        for change in repo.changed_paths(parent, info.sha, prefix=f"{CLUSTERS_DIR}/"):
            if change.new is None:
                continue
            digest = hashlib.sha256(change.new).digest()
            if digest in seen:
                continue
            seen.add(digest)
            result.files += 1
            located = resource_of_path(change.path, change.new)
            resource_id = located[1] if located else None
            try:
                document = decode_document(change.new, mode="strict", name=change.path)
            except ProxstateError:
                rules = secrets_in_text(change.new.decode("utf-8", "replace"))
                result.findings += [_finding(info, change.path, resource_id, "", rule) for rule in rules]
                continue
            for found in secrets_in(resource_id or change.path, document, options=options):
                result.findings.append(_finding(info, change.path, resource_id, found.field, found.rule))
    return result

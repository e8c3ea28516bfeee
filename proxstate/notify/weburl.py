"""The web page of a commit, from the address of the remote the record is pushed to.

GitHub and Gitea (and Forgejo, Gogs, GitHub Enterprise) show a commit at `<repo>/commit/<sha>`,
GitLab at `<repo>/-/commit/<sha>`, Bitbucket at `<repo>/commits/<sha>`. The address may be SSH
(`git@host:group/repo.git`, `ssh://git@host:2222/group/repo.git`) or HTTPS with a user and token in
it: the page is always `https://host/group/repo`, without them. A remote on disk, or one whose
host is unknown and not GitLab-like, gives the Gitea/GitHub form; a template with `{sha}`
(PROXSTATE_COMMIT_URL, docs/notifications.md) overrides the guess.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_SCP = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")  # git@github.com:ops/pve.git


def commit_url(remote: str | None, sha: str, *, template: str | None = None) -> str | None:
    """The commit's page, or None when the remote is not on a web host (a folder, a bundle)."""
    if template:
        return template.replace("{sha}", sha)
    if not remote:
        return None
    host, path = _host_and_path(remote.strip())
    if host is None or not path:
        return None
    path = path.strip("/").removesuffix(".git")
    if not re.fullmatch(r"[\w.~-]+(/[\w.~-]+)+", path):
        return None
    base = f"https://{host}/{path}"
    if "gitlab" in host:
        return f"{base}/-/commit/{sha}"
    if host == "bitbucket.org":
        return f"{base}/commits/{sha}"
    return f"{base}/commit/{sha}"


def _host_and_path(remote: str) -> tuple[str | None, str]:
    if "://" in remote:
        parts = urlsplit(remote)
        if parts.scheme not in ("http", "https", "ssh", "git", "git+ssh", "ssh+git"):
            return None, ""
        if parts.hostname is None:
            return None, ""
        web = parts.scheme in ("http", "https") and parts.port is not None
        return (f"{parts.hostname}:{parts.port}" if web else parts.hostname), parts.path
    found = _SCP.match(remote)
    if found is None:
        return None, ""
    return found.group("host"), found.group("path")

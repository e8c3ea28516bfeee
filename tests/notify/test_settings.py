"""The `notify:` section of proxstate.yaml: the issue's minimal form, and the mistakes an
administrator can make, each refused with a sentence that says what to do."""

from __future__ import annotations

import pytest

from proxstate.config import parse_config
from proxstate.errors import ConfigError


def test_the_minimal_form() -> None:
    config = parse_config("notify:\n  - url_env: PROXSTATE_NOTIFY_URL\n    on: [changes, drift, failure]\n")
    [target] = config.notify
    assert target.url_env == "PROXSTATE_NOTIFY_URL"
    assert target.on == ("changes", "drift", "failure")
    assert target.label == "$PROXSTATE_NOTIFY_URL"


def test_filters_and_durations() -> None:
    config = parse_config(
        "notify:\n"
        "  - name: security\n    url_file: ~/notify-url\n    on: changes\n"
        "    kinds: vm, ct\n    classes: [Network, hardware]\n    clusters: [prod-*]\n    remind: 1d\n"
        "  - exec: /usr/local/bin/on-change --json\n    on: [drift]\n    timeout: 5\n"
    )
    first, hook = config.notify
    assert (
        first.on == ("changes",)
        and first.kinds == ("lxc", "qemu")
        and first.classes == ("network", "hardware")
    )
    assert first.remind == 86400 and "~" not in str(first.url_file) and first.label == "security"
    assert hook.exec == ("/usr/local/bin/on-change", "--json") and hook.timeout == 5


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "  - url: json://h/?token=abc\n",
            "notify[0] (line 2): url: an Apprise URL is not written in proxstate.yaml",
        ),
        ("  - url_env: 'ntfy://tk_x@host/t'\n", "must be the name of an environment variable"),
        ("  - url_env: A\n    exec: x\n", "exactly one of url_env, url_file or exec"),
        ("  - on: [changes]\n", "exactly one of url_env, url_file or exec"),
        (
            "  - url_env: A\n    on: [commits]\n",
            "notify[0].on[0] (line 3): expected 'changes', 'drift' or 'failure'",
        ),
        (
            "  - url_env: A\n    classes: [firewall]\n",
            "unknown change class 'firewall'; known classes: added",
        ),
        ("  - url_env: A\n    kinds: [vms, disks]\n", "unknown kind 'disks'"),
        ("  - url_env: A\n    remind: soon\n", "expected a duration such as 90s, 30m, 12h or 7d"),
        (
            "  - url_env: A\n    retries: 50\n",
            "notify[0].retries (line 3): expected a number of at most 5, got 50",
        ),
    ],
)
def test_mistakes_are_refused_with_what_to_do(text: str, said: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("notify:\n" + text)
    assert said in caught.value.message

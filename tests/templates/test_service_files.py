"""The systemd units, the cron line and the GitLab pipeline of the template.

The cron line runs for real against a fake cluster; the units go through `systemd-analyze verify`
where systemd is installed; GitLab's scripts through `bash -n` (and shellcheck where installed).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from proxstate.app.init import template_files
from proxstate.yamlio import load
from tests.helpers.actions import find_tool
from tests.helpers.checkout import TOKEN, Checkout

CRON_FIELD = re.compile(r"(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*")


def unit(path: str) -> dict[str, list[tuple[str, str]]]:
    """A unit file as its sections' (key, value) lines, in order (keys may repeat)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for raw in template_files()[path].decode("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
        else:
            key, value = line.split("=", 1)
            current.append((key, value))
    return sections


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [value for name, value in section if name == key]


def test_service_reads_the_token_as_a_credential_and_is_hardened() -> None:
    service = unit("systemd/proxstate-sync.service")["Service"]
    assert values(service, "Type") == ["oneshot"]
    assert values(service, "LoadCredential") == ["token:/etc/proxstate/token"]
    assert "PROXSTATE_TOKEN_FILE=%d/token" in values(service, "Environment")
    assert values(service, "ExecStart")[0].endswith("proxstate sync --push")
    working = values(service, "WorkingDirectory")[0]
    (writable,) = values(service, "ReadWritePaths")
    assert working.startswith(writable + "/")
    hardening = {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "RestrictSUIDSGID": "yes",
        "CapabilityBoundingSet": "",
    }
    for key, value in hardening.items():
        assert values(service, key) == [value], key


def test_watch_service_runs_until_stopped_with_the_same_credential_and_hardening() -> None:
    watch, sync = (
        unit("systemd/proxstate-watch.service")["Service"],
        unit("systemd/proxstate-sync.service")["Service"],
    )
    assert values(watch, "Type") == ["simple"]
    assert values(watch, "ExecStart")[0].endswith("proxstate watch --interval 30 --sweep 60 --push")
    assert values(watch, "Restart") == ["on-failure"]
    for key in ("LoadCredential", "Environment", "WorkingDirectory", "ReadWritePaths", "SystemCallFilter"):
        assert values(watch, key) == values(sync, key), key
    assert [key for key, _ in watch if key.startswith(("Protect", "Restrict", "Private"))] == [
        key for key, _ in sync if key.startswith(("Protect", "Restrict", "Private"))
    ]


def test_timer_is_hourly_persistent_and_spread() -> None:
    timer = unit("systemd/proxstate-sync.timer")
    assert values(timer["Timer"], "OnCalendar") == ["hourly"]
    assert values(timer["Timer"], "Persistent") == ["true"]
    assert values(timer["Timer"], "RandomizedDelaySec")
    assert values(timer["Install"], "WantedBy") == ["timers.target"]


def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for name in ("proxstate-sync.service", "proxstate-sync.timer", "proxstate-watch.service"):
        text = template_files()[f"systemd/{name}"].decode("utf-8")
        # verify wants ExecStart to exist here; everything else is checked as written.
        text = text.replace("/usr/local/bin/proxstate", shutil.which("true") or "/bin/true")
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        [analyze, "verify", "proxstate-sync.service", "proxstate-sync.timer", "proxstate-watch.service"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""  # an unknown or misspelt setting is only a warning


def cron_entries() -> list[list[str]]:
    """The /etc/cron.d lines: five time fields, the user, the command."""
    entries = []
    for line in template_files()["cron/proxstate.cron"].decode("utf-8").splitlines():
        if not line.strip() or line.startswith("#") or re.match(r"[A-Z_]+=", line):
            continue
        entries.append(line.split(None, 6))
    return entries


def test_cron_line_is_well_formed() -> None:
    (entry,) = cron_entries()
    assert len(entry) == 7
    for spec in entry[:5]:
        assert CRON_FIELD.fullmatch(spec), spec
    assert entry[5] == "proxstate"
    assert "%" not in entry[6]  # cron turns % into a newline
    assert entry[6].startswith("flock -n ")
    assert "proxstate sync --push" in entry[6]


def test_cron_command_syncs_and_pushes(checkout: Checkout, tmp_path: Path) -> None:
    if shutil.which("flock") is None:
        pytest.skip("flock is not installed")
    (entry,) = cron_entries()
    env_file = tmp_path / "proxstate.env"
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    env_file.write_text(
        f"PROXSTATE_URL={checkout.pve.url}\nPROXSTATE_TOKEN_FILE={token_file}\nPROXSTATE_MASK_KEY=k\n"
    )
    log = tmp_path / "syslog"
    command = (
        entry[6]
        .replace("/var/lib/proxstate/state", str(checkout.work))
        .replace("/var/lib/proxstate/.sync.lock", str(tmp_path / "sync.lock"))
        .replace("/etc/proxstate/proxstate.env", str(env_file))
        .replace("logger -t proxstate", f"cat >> {log}")
    )
    assert "/var/lib/proxstate" not in command and "/etc/proxstate" not in command
    subprocess.run(
        ["git", "-C", str(checkout.work), "config", "user.name", "cron"], check=True, env=checkout.env
    )
    subprocess.run(
        ["git", "-C", str(checkout.work), "config", "user.email", "c@x"], check=True, env=checkout.env
    )
    subprocess.run(["sh", "-c", command], check=True, env=checkout.env, timeout=60)
    assert "proxstate sync: exit status 0" in log.read_text()
    assert checkout.git("rev-list", "--count", "main", repo=checkout.origin) == "2"


def gitlab() -> dict[str, Any]:
    data = load(template_files()[".gitlab-ci.yml"].decode("utf-8"))
    assert isinstance(data, dict)
    return data


def test_gitlab_pipeline_has_the_three_flows() -> None:
    data = gitlab()
    base = data[".proxstate"]
    assert base["image"] == "python:3.12"
    assert base["allow_failure"] == {"exit_codes": [3]}
    assert base["parallel"]["matrix"] == [{"PROXSTATE_CLUSTER": ["homelab"]}]
    assert [rule["if"] for rule in data["workflow"]["rules"]] == [
        '$CI_PIPELINE_SOURCE == "schedule"',
        '$CI_PIPELINE_SOURCE == "web"',
        '$CI_PIPELINE_SOURCE == "merge_request_event"',
    ]
    assert '$PROXSTATE_JOB == "snapshot"' in data["snapshot"]["rules"][0]["if"]
    assert '$PROXSTATE_JOB == "review"' in data["review"]["rules"][0]["if"]
    check_rule = data["drift-check"]["rules"][0]
    assert check_rule == {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"', "changes": ["clusters/**/*"]}
    for name in ("snapshot", "review", "drift-check"):
        assert data[name]["extends"] == ".proxstate"
    assert "proxstate sync --cluster" in " ".join(data["snapshot"]["script"])
    assert "--push" in " ".join(data["snapshot"]["script"])


@pytest.mark.parametrize("job", ["snapshot", "review", "drift-check"])
def test_gitlab_scripts_are_valid_bash(job: str, tmp_path: Path) -> None:
    data = gitlab()
    lines = [*data[".proxstate"]["before_script"], *data[job]["script"]]
    script = tmp_path / f"{job}.sh"
    script.write_text("#!/bin/bash\nset -eo pipefail\n" + "\n".join(lines) + "\n")
    syntax = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert syntax.returncode == 0, syntax.stderr
    shellcheck = find_tool("shellcheck")
    if shellcheck is None:
        return
    # The variables come from GitLab (CI_*, the matrix, CI/CD variables): SC2154 does not apply.
    lint = subprocess.run(
        [shellcheck, "-e", "SC2154", str(script)], capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0, lint.stdout

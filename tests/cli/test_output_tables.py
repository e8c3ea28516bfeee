"""Tables that fit: plain columns in pipes, cut with an ellipsis on a terminal; CSV; colour asked for."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import strip_ansi
from tests.helpers.process import ROOT


def on_terminal(*args: str, columns: int) -> str:
    """`proxstate ARGS` with stdout on a pseudo-terminal `columns` wide; what it showed."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm"}
    process = subprocess.Popen(
        [sys.executable, "-m", "proxstate", *args], cwd=ROOT, env=env, stdout=child, stderr=subprocess.PIPE
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait(timeout=30) == 0, process.stderr.read() if process.stderr else ""
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_a_listing_piped_is_plain_columns_one_line_a_row(synced: Path) -> None:
    # What the user typed, at a width that used to break `running` inside the word.
    command = f"{shlex.quote(sys.executable)} -m proxstate list-vms -C {shlex.quote(str(synced))}"
    env = {**os.environ, "COLUMNS": "40"}
    counted = subprocess.run(
        f"{command} | grep -c running",
        check=False,
        shell=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert counted.stdout.strip() == "1", counted.stderr  # web01; db01 and the template are stopped
    listed = subprocess.run(
        command, check=False, shell=True, cwd=ROOT, env=env, capture_output=True, text=True
    )
    lines = listed.stdout.splitlines()
    assert lines[0].split() == [
        "CLUSTER",
        "VMID",
        "NAME",
        "NODE",
        "STATUS",
        "TEMPLATE",
        "CORES",
        "MEMORY",
        "TAGS",
    ]
    assert [line.split()[:5] for line in lines[1:]] == [
        ["lab", "101", "web01", "pve1", "running"],
        ["lab", "102", "db01", "pve2", "stopped"],
        ["lab", "9000", "tmpl", "pve1", "stopped"],
    ]
    assert lines[1].split()[5:] == ["no", "2", "2048", "prod,web"]  # a list without spaces
    assert lines[2].split()[5:] == ["no", "4", "4096", "-"]  # an empty cell is `-`: awk keeps its columns


def test_a_listing_on_a_terminal_cuts_cells_with_an_ellipsis_never_inside_a_row(synced: Path) -> None:
    wide = strip_ansi(on_terminal("list-vms", "-C", str(synced), columns=80)).splitlines()
    rows = [line for line in wide if line.startswith("│ lab")]
    assert len(rows) == 3 and all(len(line) <= 80 for line in wide)
    assert "│ running │" in rows[0] and "│ prod, web │" in rows[0]  # headers give way first: `templ…`
    narrow = strip_ansi(on_terminal("list-vms", "-C", str(synced), columns=60)).splitlines()
    rows = [line for line in narrow if line.startswith("│ lab")]
    assert len(rows) == 3 and all(len(line) <= 60 for line in narrow)
    assert "│ web… │" in rows[0] and "│ run… │" in rows[0]  # cut with an ellipsis, each row one line


def test_csv_on_listings(synced: Path, pve_env: dict[str, str], cli: Any) -> None:
    listed = cli("list-vms", "-C", str(synced), "--format", "csv")
    assert listed.code == 0, listed.err
    rows = list(csv.DictReader(io.StringIO(listed.out)))
    assert [(r["vmid"], r["name"], r["status"], r["template"]) for r in rows] == [
        ("101", "web01", "running", "false"),
        ("102", "db01", "stopped", "false"),
        ("9000", "tmpl", "stopped", "true"),
    ]
    assert rows[0]["tags"] == "prod;web"

    live = cli("discover-vms", "--format", "csv")
    assert live.code == 0, live.err
    rows = list(csv.DictReader(io.StringIO(live.out)))
    as_json = json.loads(cli("discover-vms", "--format", "json").out)
    assert [r["memory"] for r in rows] == [str(r["memory"]) for r in as_json]  # bytes, as JSON gives them

    for command in ("list-nodes", "list-containers", "list-storage", "list-tasks"):
        result = cli(command, "-C", str(synced), "--format", "csv")
        assert result.code == 0 and result.out.splitlines()[0].startswith("cluster,"), (command, result)
    headers = {
        "discover-nodes": "name,status,ip,pveversion,cpus,memory,note",
        "discover-containers": "vmid,name,node,status,template,cpus,memory,disk,tags,lock",
        "discover-storage": "storage,type,content,shared,state",
        "discover-tasks": "started,node,type,id,user,status,elapsed_s,upid",
    }
    for command, header in headers.items():
        result = cli(command, "--format", "csv")
        assert result.code == 0 and result.out.splitlines()[0] == header, (command, result)

    several = cli("discover-all", "--format", "csv")
    assert several.code == 64
    assert (
        several.err
        == "proxstate: --format csv holds one table: use discover-nodes, discover-vms, ... one at a time\n"
    )


@pytest.mark.parametrize(
    ("command", "colour"),
    [(["list-vms"], "\x1b[1m"), (["show-changes"], "\x1b[32m"), (["log", "qemu/101"], "\x1b[33m")],
)
def test_force_color_colours_a_report_that_is_not_on_a_terminal(
    synced: Path, cli: Any, monkeypatch: pytest.MonkeyPatch, command: list[str], colour: str
) -> None:
    plain = cli(*command, "-C", str(synced))
    assert plain.code == 0 and "\x1b[" not in plain.out
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = cli(*command, "-C", str(synced))
    assert coloured.code == 0 and colour in coloured.out
    monkeypatch.setenv("NO_COLOR", "1")  # NO_COLOR wins
    assert "\x1b[" not in cli(*command, "-C", str(synced)).out

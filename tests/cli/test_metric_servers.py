"""Metric servers as pve-manager's API2/Cluster/MetricServer.pm answers them.

`server_index` (GET /cluster/metrics/server) lists each server as `{id, disable, type, server,
port}` only; `read` (GET /cluster/metrics/server/{id}) returns the server's whole section of
status.cfg as pve-common's SectionConfig parses it: `type` and every setting, no `id`. An InfluxDB
token is kept under /etc/pve/priv (`extract_sensitive_params`), not in status.cfg; OpenTelemetry's
`otel-headers` (base64 JSON of HTTP headers) is.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.helpers.answers import answer_as_pve, pve_error
from tests.helpers.repo import document

HEADERS = base64.b64encode(json.dumps({"Authorization": "Bearer otel-s3cret-bearer"}).encode()).decode()
STATUS_CFG: dict[str, dict[str, Any]] = {
    "influx": {
        "type": "influxdb",
        "server": "influx.example.com",
        "port": 8086,
        "influxdbproto": "https",
        "bucket": "pve",
        "organization": "ops",
        "max-body-size": "25000000",
        "timeout": "2",
        "verify-certificate": "0",
    },
    "graphite": {
        "type": "graphite",
        "server": "10.0.0.9",
        "port": 2003,
        "path": "proxmox.lab",
        "proto": "udp",
        "mtu": "1400",
        "disable": 1,
    },
    "otel": {
        "type": "opentelemetry",
        "server": "otel.example.com",
        "port": 4318,
        "otel-protocol": "https",
        "otel-headers": HEADERS,
    },
}


def answer_metric_servers_as_pve(pve: Any) -> None:
    def index(request: Any, body: dict[str, Any]) -> dict[str, Any]:
        listed = [
            {
                "id": name,
                "disable": conf.get("disable", 0),
                "type": conf["type"],
                "server": conf["server"],
                "port": conf["port"],
            }
            for name, conf in sorted(STATUS_CFG.items())
        ]
        return {"data": listed}

    def read(request: Any, body: dict[str, Any]) -> dict[str, Any] | web.Response:
        name = request.path.rsplit("/", 1)[1]
        if name not in STATUS_CFG:
            return pve_error(500, f"status server entry '{name}' does not exist")
        return {"data": STATUS_CFG[name]}

    answer_as_pve(pve, "/cluster/metrics/server", index)
    answer_as_pve(pve, "/cluster/metrics/server/*", read)


def test_metric_servers_are_recorded_with_all_their_settings(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    answer_metric_servers_as_pve(small_cluster)
    result = cli("sync", "-C", str(state_repo), "--only", "metric-server")
    assert result.code == 0, result.out + result.err
    influx = document(state_repo, "metric-server/influx.yaml")
    assert influx["id"] == "influx"
    assert influx["config"] == {
        "bucket": "pve",
        "influxdbproto": "https",
        "max-body-size": 25000000,
        "organization": "ops",
        "port": 8086,
        "server": "influx.example.com",
        "timeout": 2,
        "type": "influxdb",
        "verify-certificate": False,
    }
    graphite = document(state_repo, "metric-server/graphite.yaml")["config"]
    assert (graphite["path"], graphite["proto"], graphite["mtu"], graphite["disable"]) == (
        "proxmox.lab",
        "udp",
        1400,
        True,
    )
    headers = document(state_repo, "metric-server/otel.yaml")["config"]["otel-headers"]
    assert headers != HEADERS
    history = subprocess.run(
        ["git", "-C", str(state_repo), "log", "-p", "--all"], capture_output=True, text=True, check=True
    ).stdout
    assert HEADERS not in history and "otel-s3cret" not in history
    again = cli("sync", "-C", str(state_repo), "--only", "metric-server")
    assert again.code == 0 and "no changes" in again.out, again.out + again.err

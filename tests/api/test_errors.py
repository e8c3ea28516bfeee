"""PVE's error answers become proxstate errors with PVE's text, the method and the path."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fakepve import FakePve

from proxstate.api.client import PveClient
from proxstate.api.settings import ConnectionSettings
from proxstate.errors import (
    NodeUnreachable,
    NotFound,
    ParameterError,
    PermissionDenied,
    ProtocolError,
    ServerError,
)

pytestmark = pytest.mark.anyio
Make = Callable[..., ConnectionSettings]
PAGE = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body>\n</html>\n"


async def test_offline_node_is_unreachable(fakepve: FakePve, fakepve_settings: ConnectionSettings) -> None:
    fakepve.add_node("pve2")
    fakepve.set_node_offline("pve2")
    async with PveClient(fakepve_settings) as client:
        with pytest.raises(NodeUnreachable) as caught:
            await client.get("/nodes/pve2/qemu")
    assert str(caught.value) == "GET /nodes/pve2/qemu: node pve2 is unreachable (595 No route to host)"
    assert caught.value.node == "pve2" and caught.value.status == 595
    assert client.request_count == 2  # the login and one request: 595 is not retried


async def test_token_without_privilege_is_denied(fakepve: FakePve, make_pve_settings: Make) -> None:
    fakepve.add_vm(101, "web01")
    fakepve.apitokens["audit@pve!ro"] = "s3"
    fakepve.grant("audit@pve", "/vms/999", "VM.Audit")
    settings = make_pve_settings(user=None, password=None, token="audit@pve!ro=s3")
    async with PveClient(settings) as client:
        with pytest.raises(PermissionDenied) as caught:
            await client.get("/nodes/pve1/qemu/101/config")
    denied = caught.value
    assert (denied.acl_path, denied.privilege, denied.status) == ("/vms/101", "VM.Audit", 403)
    assert str(denied) == (
        "GET /nodes/pve1/qemu/101/config: permission denied"
        " (403 Permission check failed (/vms/101, VM.Audit))"
    )
    assert client.request_count == 1


async def test_missing_guest_is_not_found(fakepve: FakePve, fakepve_settings: ConnectionSettings) -> None:
    async with PveClient(fakepve_settings) as client:
        with pytest.raises(NotFound) as caught:
            await client.get("/nodes/pve1/qemu/999/config")
    assert "Configuration file 'nodes/pve1/qemu-server/999.conf' does not exist" in str(caught.value)
    assert caught.value.status == 500


async def test_404_is_not_found(fakepve: FakePve, fakepve_settings: ConnectionSettings) -> None:
    fakepve.fail("GET", "/version", 404, "Not Found")
    async with PveClient(fakepve_settings) as client:
        with pytest.raises(NotFound, match=r"^GET /version: not found \(404 Not Found\)$"):
            await client.version()


async def test_bad_parameters_list_the_fields(fakepve: FakePve, fakepve_settings: ConnectionSettings) -> None:
    async with PveClient(fakepve_settings) as client:
        with pytest.raises(ParameterError) as caught:
            await client.get("/nodes/pve1/tasks", params={"limit": "many", "source": "nowhere"})
    assert set(caught.value.errors) == {"limit", "source"}
    message = str(caught.value)
    assert message.startswith(
        "GET /nodes/pve1/tasks: invalid parameters (400 Parameter verification failed.): "
    )
    assert "limit: " in message and "source: " in message


async def test_other_server_errors(fakepve: FakePve, fakepve_settings: ConnectionSettings) -> None:
    fakepve.fail("GET", "/cluster/status", 500, "cluster not ready - no quorum?")
    async with PveClient(fakepve_settings) as client:
        with pytest.raises(ServerError) as caught:
            await client.cluster_status()
    assert str(caught.value) == "GET /cluster/status: PVE server error (500 cluster not ready - no quorum?)"
    assert client.request_count == 2  # a 500 is not retried


async def test_html_page_is_a_protocol_error(fakepve: FakePve, fakepve_settings: ConnectionSettings) -> None:
    fakepve.fail("GET", "/version", 200, PAGE, html=True)
    async with PveClient(fakepve_settings) as client:
        with pytest.raises(ProtocolError) as caught:
            await client.version()
    assert str(caught.value) == (
        "expected JSON from PVE at GET /version, got text/html (first line of the page: '502 Bad Gateway')"
    )


async def test_html_error_page_is_a_protocol_error(
    fakepve: FakePve, fakepve_settings: ConnectionSettings
) -> None:
    fakepve.fail("GET", "/version", 403, "<html><body>Forbidden by policy</body></html>", html=True)
    async with PveClient(fakepve_settings) as client:
        with pytest.raises(ProtocolError, match=r"got text/html .*Forbidden by policy.* with status 403"):
            await client.version()


async def test_null_data_for_a_list_is_a_protocol_error(
    fakepve: FakePve, fakepve_settings: ConnectionSettings
) -> None:
    fakepve.fail("GET", "/cluster/resources", 200, "OK")  # answers {"data": null}
    async with PveClient(fakepve_settings) as client:
        with pytest.raises(ProtocolError) as caught:
            await client.cluster_resource_payloads()  # what a sync reads
    assert (
        str(caught.value) == "unexpected answer from PVE at GET /cluster/resources: expected a list, got null"
    )


def _serve(body: bytes, content_type: str = "application/json;charset=UTF-8") -> httpx.MockTransport:
    """A transport that answers every request with this body (a server that is not quite PVE)."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": content_type})

    return httpx.MockTransport(answer)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"data": [1, 2', "invalid JSON (Expecting ',' delimiter, line 1 column 15)"),
        (b'{"errors": {}}', "JSON without a data member"),
        (b"[1, 2]", "JSON without a data member"),
        (b"", "an empty body"),
    ],
)
async def test_answers_that_are_not_pve_json(body: bytes, detail: str) -> None:
    settings = ConnectionSettings(url="127.0.0.1", token="root@pam!t=s")
    async with PveClient(settings, transport=_serve(body)) as client:
        with pytest.raises(ProtocolError) as caught:
            await client.get("/version")
    assert str(caught.value) == f"expected JSON from PVE at GET /version, got {detail}"


async def test_wrong_types_are_a_protocol_error() -> None:
    body = b'{"data": [{"id": "qemu/1", "type": "qemu", "vmid": "web", "status": "running"}]}'
    settings = ConnectionSettings(url="127.0.0.1", token="root@pam!t=s")
    async with PveClient(settings, transport=_serve(body)) as client:
        with pytest.raises(ProtocolError) as caught:
            await client.cluster_resource_payloads()  # what a sync reads
    assert str(caught.value).startswith(
        "unexpected answer from PVE at GET /cluster/resources: item 0: vmid: "
    )

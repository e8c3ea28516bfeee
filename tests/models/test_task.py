"""UPIDs: decoding, refusal of malformed ones, and task models completed from their UPID."""

from __future__ import annotations

import pytest

from proxstate.errors import ProtocolError
from proxstate.models import TaskInfo, TaskStatus, Upid, decode_upid, parse_models

UPID = "UPID:pve1:0000ABCD:00001234:6955B900:vzdump:100:root@pam:"


def test_decode() -> None:
    assert decode_upid(UPID) == Upid(
        node="pve1", pid=0xABCD, pstart=0x1234, starttime=1767225600, type="vzdump", id="100", user="root@pam"
    )


def test_decode_long_uptime_empty_id_and_token_user() -> None:
    upid = "UPID:node-2:000F4240:1A2B3C4D5:6955B900:aptupdate::ci@pve!nightly:"
    decoded = decode_upid(upid)
    assert (decoded.node, decoded.pstart, decoded.id, decoded.user) == (
        "node-2",
        0x1A2B3C4D5,
        "",
        "ci@pve!nightly",
    )


@pytest.mark.parametrize(
    "upid",
    [
        "UPID:pve1:0000ABCD:00001234:6955B900:vzdump:100:root@pam",  # no closing colon
        "UPID:pve1:ABCD:00001234:6955B900:vzdump:100:root@pam:",  # PID not 8 digits
        "UPID:pve1:0000ABCG:00001234:6955B900:vzdump:100:root@pam:",  # not hex
        "UPID:-pve1:0000ABCD:00001234:6955B900:vzdump:100:root@pam:",  # not a node name
        "UPID:pve1:0000ABCD:00001234:6955B900:vz dump:100:root@pam:",
        "UPID:pve1:termproxy:100:",
        "",
    ],
)
def test_malformed(upid: str) -> None:
    with pytest.raises(ProtocolError, match=r"^malformed task id \(UPID\) from PVE: "):
        decode_upid(upid)


def test_task_entries_are_completed_from_the_upid() -> None:
    # GET /cluster/tasks leaves out pid and pstart; the node list has them all.
    listed = TaskInfo.model_validate({"upid": UPID, "status": "OK", "endtime": "1767225660"})
    assert (listed.node, listed.pid, listed.pstart, listed.starttime) == ("pve1", 0xABCD, 0x1234, 1767225600)
    assert (listed.type, listed.id, listed.user, listed.endtime) == ("vzdump", "100", "root@pam", 1767225660)
    assert listed.payload() == {"upid": UPID, "status": "OK", "endtime": 1767225660}
    assert listed.decoded == decode_upid(UPID)


def test_sent_fields_win_over_the_upid() -> None:
    task = TaskInfo.model_validate({"upid": UPID, "node": "pve1", "pid": 43981, "starttime": "1767225600"})
    assert task.payload() == {"upid": UPID, "node": "pve1", "pid": 43981, "starttime": 1767225600}


def test_task_status_of_7_4() -> None:
    status = TaskStatus.model_validate(
        {"upid": UPID, "status": "stopped", "exitstatus": "OK", "starttime": 1767225600.0, "pid": 43981}
    )
    assert (status.status, status.exitstatus, status.starttime, status.user) == (
        "stopped",
        "OK",
        1767225600,
        "root@pam",
    )


def test_malformed_upid_in_a_list_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_models(TaskInfo, [{"upid": UPID}, {"upid": "UPID:broken"}], source="GET /cluster/tasks")
    assert str(caught.value).startswith("unexpected answer from PVE at GET /cluster/tasks: item 1: ")
    assert "malformed task id (UPID)" in str(caught.value)

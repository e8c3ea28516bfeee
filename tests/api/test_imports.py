"""What importing the API client costs at every start of a command that talks to PVE."""

from __future__ import annotations

from tests.helpers.process import python_output


def test_the_client_imports_neither_httpx_command_line_tool_nor_pygments() -> None:
    code = (
        "import sys, proxstate.api.client, httpx\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(('pygments', 'rich'))}))\n"
        "print(httpx.main.__module__)\n"
    )
    assert python_output(code).splitlines() == ["[]", "httpx"]  # httpx's stub main, not httpx._main

"""Renderers of a ChangeSet: terminal text, versioned JSON and Markdown for review comments; and
the choice among them (and JSON or YAML for plain data) by the format a command was given.

`scan_report` and `token_report` render what `proxstate scan` and `check-token` found."""

from proxstate.report.formats import DATA_FORMATS, REPORT_FORMATS, render_changes, render_data, render_log
from proxstate.report.jsonformat import FORMAT_VERSION, changeset_document, changeset_schema, render_json
from proxstate.report.markdown import render_markdown
from proxstate.report.text import render_text

__all__ = [
    "DATA_FORMATS",
    "FORMAT_VERSION",
    "REPORT_FORMATS",
    "changeset_document",
    "changeset_schema",
    "render_changes",
    "render_data",
    "render_json",
    "render_log",
    "render_markdown",
    "render_text",
]

"""Renderers of a ChangeSet: terminal text, versioned JSON and Markdown for review comments."""

from proxstate.report.jsonformat import FORMAT_VERSION, changeset_document, changeset_schema, render_json
from proxstate.report.markdown import render_markdown
from proxstate.report.text import render_text

__all__ = [
    "FORMAT_VERSION",
    "changeset_document",
    "changeset_schema",
    "render_json",
    "render_markdown",
    "render_text",
]

"""The change model and the comparison of recorded documents (the only user of deepdiff)."""

from proxstate.diff.attribution import attribute
from proxstate.diff.classify import classify
from proxstate.diff.compare import compare
from proxstate.diff.model import (
    Attribution,
    ChangeClass,
    ChangeSet,
    CommitRef,
    Counts,
    ElementChange,
    FieldChange,
    LogEntry,
    ResourceChange,
    Unreadable,
    is_masked,
    natural_key,
    resource_sort_key,
)
from proxstate.diff.parts import differing_paths, may_concern
from proxstate.diff.select import parse_classes, select
from proxstate.diff.summary import summarize, summarize_changeset

__all__ = [
    "Attribution",
    "ChangeClass",
    "ChangeSet",
    "CommitRef",
    "Counts",
    "ElementChange",
    "FieldChange",
    "LogEntry",
    "ResourceChange",
    "Unreadable",
    "attribute",
    "classify",
    "compare",
    "differing_paths",
    "is_masked",
    "may_concern",
    "natural_key",
    "parse_classes",
    "resource_sort_key",
    "select",
    "summarize",
    "summarize_changeset",
]

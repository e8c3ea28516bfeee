"""Normalization: what discovery read (proxstate.resources.inventory) as the documents that are recorded.

Pure functions: the same input gives the same output on every machine. Types, property-string
formats and key sets come from the official PVE API schema (data/pve-schema.json); what is
dropped or masked is in `rules`. The format of the documents is described in docs/state-format.md.
"""

from proxstate.normalize.cluster import normalize_cluster, normalize_node
from proxstate.normalize.config import build_config_value, normalize_config, normalize_value
from proxstate.normalize.documents import document_makers, made_document, normalize_inventory
from proxstate.normalize.guest import normalize_guest
from proxstate.normalize.ignore import apply_ignore_rules
from proxstate.normalize.masking import is_secret, mask_value
from proxstate.normalize.options import AllowRule, IgnoreRule, NormalizeOptions
from proxstate.normalize.propstring import PropertyStringError, build_property_string, parse_property_string
from proxstate.normalize.schema import KeySpec, PropertyFormat, config_format, key_spec, named_format
from proxstate.normalize.scrub import Detection, scrub_document
from proxstate.normalize.storage import normalize_content, normalize_storage
from proxstate.normalize.tasks import is_finished, merge_task_documents, normalize_tasks, task_day

__all__ = [
    "AllowRule",
    "Detection",
    "IgnoreRule",
    "KeySpec",
    "NormalizeOptions",
    "PropertyFormat",
    "PropertyStringError",
    "apply_ignore_rules",
    "build_config_value",
    "build_property_string",
    "config_format",
    "document_makers",
    "is_finished",
    "is_secret",
    "key_spec",
    "made_document",
    "mask_value",
    "merge_task_documents",
    "named_format",
    "normalize_cluster",
    "normalize_config",
    "normalize_content",
    "normalize_guest",
    "normalize_inventory",
    "normalize_node",
    "normalize_storage",
    "normalize_tasks",
    "normalize_value",
    "parse_property_string",
    "scrub_document",
    "task_day",
]

"""YAML text of proxstate documents: one fixed, review-friendly style, and a safe loader.

`dump` is a small emitter for JSON-like data (str, int, float, bool, None, list, dict with str
keys): it is many times faster than a general YAML emitter and its output never depends on a
library version. `load` reads text in that exact style with a small parser of its own (checked
by dumping the result again) and everything else with ruamel.yaml's safe loader, YAML 1.2 core
schema. `Versions` reads the versions of one document in turn, decoding only what changed.

The style: block collections, 2-space indent with sequences indented under their key, keys in
the order given, no anchors, no line wrapping, a trailing newline. Strings are plain when every
YAML 1.1 or 1.2 reader reads them back as the same string; otherwise multi-line strings are
literal blocks (`|`, `|-`, `|+`) and the rest double-quoted with escapes.

Non-finite floats are written as YAML's `.inf`, `-.inf` and `.nan` and load back as floats
(NaN, being unequal to itself, loads back as a NaN). Timestamps and the `=`/`<<` scalars of
files edited by hand load as strings: documents hold no other types than JSON's.
"""

from proxstate.yamlio.emit import dump
from proxstate.yamlio.library import line_of, load
from proxstate.yamlio.versions import Versions

__all__ = ["Versions", "dump", "line_of", "load"]

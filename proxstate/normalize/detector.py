"""Secrets inside free text: the one module that uses detect-secrets.

`find_secrets(text)` gives the spans of a string that hold a secret: token formats (GitHub, GitLab,
AWS, Slack, Stripe, JWT, private keys, ... from detect-secrets' regex detectors), `KEY=VALUE` or
`key: value` assignments whose key sounds secret (its keyword detector, with the rules it uses for
configuration files), and the PVE-specific patterns of normalize/rules.py (URL credentials, PVE
API tokens).

It runs on every string proxstate records, so it must be cheap: a string is only searched when a
quick test says it could hold a secret (a secret-like word, a URL with `@`, or a run of 13 and more
letters and digits, which every token format has), and answers are cached per string, since most
strings of a cluster repeat (bridges, storages, CPU types).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.keyword import CONFIG_DENYLIST_REGEX_TO_GROUP, KeywordDetector

from proxstate.normalize.rules import DETECTOR_PATTERNS, DETECTOR_SKIPPED


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    rule: str  # what was found, as detect-secrets names it (`GitHub Token`, `Secret Keyword`)


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    group: int  # the group that is the secret; 0: the whole match
    needs: str = ""  # a text every match holds: strings without it are not searched


# Every secret-like word of the keyword detector's deny list contains one of these.
_KEYWORDS = re.compile(r"pass|pwd|secret|key|contrase", re.IGNORECASE)
_MAYBE = re.compile(r"pass|pwd|secret|key|token|contrase|begin|://\S*@|[A-Za-z0-9]{13}", re.IGNORECASE)
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-+/=.]+")
_KEY_END = re.compile(r"-----END[A-Z ]*PRIVATE KEY(?: BLOCK)?-----")
_PRIVATE_KEY = "Private Key"
_MARKER = "<masked"  # what masking wrote: found again in a recorded text, it is no secret
_MIN_LENGTH = 6  # `pwd=ab`: nothing shorter holds a secret the rules can tell
_WINDOW = 1024  # how much of a long line the keyword rules see after a keyword
_AFFIX = 32  # and before it (`database_pass` names its keyword 9 characters before `pass`)


def _library_rules() -> tuple[list[_Rule], list[_Rule]]:
    """detect-secrets' regex detectors (token formats), and its keyword rules for config files."""
    formats = []
    plugins: dict[str, type[Any]] = get_mapping_from_secret_type_to_class()
    for name, plugin in sorted(plugins.items()):
        if name in DETECTOR_SKIPPED or not issubclass(plugin, RegexBasedDetector):
            continue
        patterns: list[re.Pattern[str]] = list(getattr(plugin, "denylist", ()))
        for pattern in patterns:
            # BasicAuth's only group is the password; other groups are prefixes (`ghp`), not secrets.
            group = 1 if name == "Basic Auth Credentials" else 0
            formats.append(_Rule(name, pattern, group))
    keyword = KeywordDetector.secret_type
    keywords = [_Rule(keyword, pattern, group) for pattern, group in CONFIG_DENYLIST_REGEX_TO_GROUP.items()]
    return formats, keywords


_FORMATS, _KEYWORD_RULES = _library_rules()
_OWN_RULES = [
    _Rule(name, re.compile(pattern), group, needs) for name, needs, pattern, group in DETECTOR_PATTERNS
]


def _span(rule: _Rule, match: re.Match[str], text: str) -> tuple[int, int]:
    start, end = match.span(rule.group)
    if rule.name == _PRIVATE_KEY:
        # The rule matches the header; the key runs to its END line (or the end of the text).
        start = text.rfind("-----", 0, start) if text.rfind("-----", 0, start) >= 0 else start
        ending = _KEY_END.search(text, end)
        return start, ending.end() if ending else len(text)
    if rule.group == 0 and end > start and _TOKEN_CHARS.fullmatch(text, end - 1, end):
        # A token rule may stop before the token does (JWT's signature): mask up to its last character.
        extended = _TOKEN_CHARS.match(text, end)
        end = extended.end() if extended else end
    return start, end


def _matches(rules: list[_Rule], text: str, offset: int = 0) -> list[Hit]:
    hits = []
    for rule in rules:
        for match in rule.pattern.finditer(text):
            if match.group(rule.group) and not match.group(rule.group).startswith(_MARKER):
                start, end = _span(rule, match, text)
                hits.append(Hit(start + offset, end + offset, rule.name))
    return hits


def _keyword_hits(text: str) -> list[Hit]:
    """The keyword rules, line by line, and only near a keyword on long lines.

    An assignment does not span lines (the secret stops at a line break), and the keyword rules
    backtrack badly on long runs without spaces: on one line of 800,000 letters a single rule
    takes most of a minute. A long line is searched in a window from just before each keyword;
    a secret that reaches the window's end is masked to the end of the line.
    """
    hits: list[Hit] = []
    offset = 0
    for line in text.split("\n"):
        if _KEYWORDS.search(line):
            if len(line) <= _WINDOW:
                hits += _matches(_KEYWORD_RULES, line, offset)
            else:
                for keyword in _KEYWORDS.finditer(line):
                    start = max(0, keyword.start() - _AFFIX)
                    window = line[start : keyword.end() + _WINDOW]
                    for hit in _matches(_KEYWORD_RULES, window, offset + start):
                        reaches_end = hit.end - offset - start >= len(window)
                        hits.append(Hit(hit.start, offset + len(line), hit.rule) if reaches_end else hit)
        offset += len(line) + 1
    return hits


def _search(text: str) -> tuple[Hit, ...]:
    hits = _matches([rule for rule in _OWN_RULES if rule.needs in text], text)
    if _MAYBE.search(text):
        hits += _matches(_FORMATS, text)
        hits += _keyword_hits(text)
    return tuple(sorted(hits, key=lambda hit: (hit.start, -hit.end)))


@lru_cache(maxsize=65536)
def find_secrets(text: str) -> tuple[Hit, ...]:
    """The spans of `text` that hold a secret, in order; overlapping spans are merged."""
    if len(text) < _MIN_LENGTH:
        return ()
    merged: list[Hit] = []
    for hit in _search(text):
        if merged and hit.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Hit(last.start, max(last.end, hit.end), last.rule)
        else:
            merged.append(hit)
    return tuple(merged)

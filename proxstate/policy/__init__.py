"""Policy checks and queries over the record: rules as data, conditions in JMESPath.

The only package that imports `jmespath`. What the rest of proxstate uses is exported here.
"""

from proxstate.policy.context import Settings
from proxstate.policy.evaluate import Documents, apply_waivers, check_documents, expired_waivers
from proxstate.policy.loading import POLICY_FILE, builtin_rules, parse_policy
from proxstate.policy.model import Introduced, Policy, Rule, Violation, Waiver
from proxstate.policy.query import Match, parse_query, run_query

__all__ = [
    "POLICY_FILE",
    "Documents",
    "Introduced",
    "Match",
    "Policy",
    "Rule",
    "Settings",
    "Violation",
    "Waiver",
    "apply_waivers",
    "builtin_rules",
    "check_documents",
    "expired_waivers",
    "parse_policy",
    "parse_query",
    "run_query",
]

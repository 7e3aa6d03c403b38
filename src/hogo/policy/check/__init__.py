"""`hogo check`: lint rules over a policy, each with a stable id, severity and legal source."""

from __future__ import annotations

from datetime import date

from hogo.policy.check import rules_anonymized, rules_data, rules_notice, rules_sharing
from hogo.policy.check.registry import RULES, Context, Finding, Rule, Severity, run_rule
from hogo.policy.loader import LoadedPolicy

_RULE_MODULES = (
    rules_data,
    rules_sharing,
    rules_notice,
    rules_anonymized,
)  # imported for their registrations


def all_rules() -> list[Rule]:
    return [RULES[rule_id] for rule_id in sorted(RULES)]


def check_policy(loaded: LoadedPolicy, *, today: date | None = None) -> list[Finding]:
    """Every finding of every rule, errors first, then by position in the file."""
    context = Context(loaded=loaded, today=today or date.today())
    findings = [finding for rule in all_rules() for finding in run_rule(rule, context)]
    return sorted(
        findings,
        key=lambda f: (f.severity is not Severity.ERROR, f.line, f.column, f.rule),
    )


__all__ = ["Finding", "Rule", "Severity", "all_rules", "check_policy"]

"""Lint rules with stable ids: a rule is a function over the policy that yields its findings.

Ids never change meaning once published (HG001 stays "undeclared item"), so that a
company can suppress or track a finding across versions of hogo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from hogo.policy.loader import LoadedPolicy, PathKey, dotted
from hogo.policy.schema import Policy


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Hit:
    """What a rule yields: where (path in the file) and what is wrong."""

    path: PathKey
    message: str


@dataclass(frozen=True)
class Context:
    loaded: LoadedPolicy
    today: date

    @property
    def policy(self) -> Policy:
        return self.loaded.policy


RuleCheck = Callable[[Context], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    article: str
    title_en: str
    title_ja: str
    check: RuleCheck = field(compare=False, repr=False)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    article: str
    message: str
    path: str
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity.value} {self.rule}: "
            f"{self.message} [{self.article}]"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "article": self.article,
            "message": self.message,
            "path": self.path,
            "file": self.file,
            "line": self.line,
            "column": self.column,
        }


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str, severity: Severity, article: str, *, en: str, ja: str
) -> Callable[[RuleCheck], RuleCheck]:
    """Register a rule; ids are unique and checked at registration."""

    def register(check: RuleCheck) -> RuleCheck:
        if rule_id in RULES:
            raise ValueError(f"rule id {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, severity, article, en, ja, check)
        return check

    return register


def run_rule(rule_: Rule, context: Context) -> list[Finding]:
    source = context.loaded.source
    out = []
    for hit in rule_.check(context):
        line, column = source.position(hit.path)
        out.append(
            Finding(
                rule=rule_.id,
                severity=rule_.severity,
                article=rule_.article,
                message=hit.message,
                path=dotted(hit.path),
                file=source.file,
                line=line,
                column=column,
            )
        )
    return out

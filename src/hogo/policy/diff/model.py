"""What comparing two policies yields: each change, and what it obliges the company to do."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

ChangeKind = Literal["added", "removed", "changed"]


class ChangeClass(StrEnum):
    """What must happen before a change applies; members run from least to most demanding.

    Compare with `severity`, not with `<`: the values are strings and sort alphabetically.
    """

    EDITORIAL = "editorial"
    """Publishing the revised policy is enough."""

    NOTIFY = "notify"
    """People must be told (notified, or the change published) before it applies."""

    CONSENT = "consent"
    """Each person's prior consent is needed for the data the change reaches."""

    @property
    def severity(self) -> int:
        return list(ChangeClass).index(self)


@dataclass(frozen=True)
class Change:
    """One difference between two policies, with the article that decides its class.

    `old` and `new` are values of the JSON form of the policy, so a report can print them
    as they would be written; `article` is empty when no provision of law applies.
    """

    path: str
    kind: ChangeKind
    change_class: ChangeClass
    article: str
    message: str
    old: object | None
    new: object | None

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "kind": self.kind,
            "change_class": self.change_class.value,
            "article": self.article,
            "message": self.message,
            "old": copy.deepcopy(self.old),
            "new": copy.deepcopy(self.new),
        }


@dataclass(frozen=True)
class PolicyDiff:
    """Every change between two policies, the most demanding first."""

    changes: tuple[Change, ...]

    @property
    def highest(self) -> ChangeClass | None:
        """The class that governs the revision as a whole: the most demanding one present."""
        if not self.changes:
            return None
        return max((c.change_class for c in self.changes), key=lambda c: c.severity)

    @property
    def requires_consent(self) -> bool:
        return self.highest is ChangeClass.CONSENT

    @property
    def requires_notice(self) -> bool:
        """True for consent too: people asked to consent must first be told what changes."""
        highest = self.highest
        return highest is not None and highest.severity >= ChangeClass.NOTIFY.severity

    def to_dict(self) -> dict[str, object]:
        highest = self.highest
        return {
            "highest": None if highest is None else highest.value,
            "requires_consent": self.requires_consent,
            "requires_notice": self.requires_notice,
            "changes": [change.to_dict() for change in self.changes],
        }

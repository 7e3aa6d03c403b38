"""Compare two versions of hogo.yaml and say what each change obliges the company to do.

A revised privacy policy is not just a new text: under the APPI some changes may simply
be published, some must be notified to people before they apply, and some cannot apply
to data already held without each person's consent. `diff_policies` finds every
difference (structurally, so that no field is ever skipped) and classifies each one by
the article that governs it, so that `hogo diff` and `hogo check` can say which.
"""

from __future__ import annotations

from hogo.policy.diff.model import Change, ChangeClass, ChangeKind, PolicyDiff
from hogo.policy.diff.plain import Words, plain
from hogo.policy.diff.reach import Reach, reach
from hogo.policy.diff.rules import Context, classify
from hogo.policy.diff.walk import dotted, walk
from hogo.policy.diff.wording import describe
from hogo.policy.schema import Policy

_KIND_ORDER = {"removed": 0, "changed": 1, "added": 2}


def diff_policies(old: Policy, new: Policy) -> PolicyDiff:
    """Every change from `old` to `new`, the most demanding first, then by path."""
    old_dump = old.model_dump(mode="json", by_alias=True)
    new_dump = new.model_dump(mode="json", by_alias=True)
    ctx = Context(old=old, new=new)
    changes: list[Change] = []
    for difference in walk(old_dump, new_dump):
        verdict = classify(difference, ctx)
        message = describe(difference, old_dump, new_dump)
        changes.append(
            Change(
                path=dotted(difference.path),
                kind=difference.kind,
                change_class=verdict.change_class,
                article=verdict.article,
                message=f"{message} {verdict.why}" if verdict.why else message,
                old=difference.old,
                new=difference.new,
            )
        )
    changes.sort(key=lambda c: (-c.change_class.severity, c.path, _KIND_ORDER[c.kind], c.message))
    return PolicyDiff(tuple(changes))


__all__ = [
    "Change",
    "ChangeClass",
    "ChangeKind",
    "PolicyDiff",
    "Reach",
    "Words",
    "diff_policies",
    "plain",
    "reach",
]

"""Every id that one part of hogo.yaml uses to point at another, and whether it resolves.

The loader refuses a policy with a broken reference (the ledger could not enforce it);
`hogo check` reports the same findings as rules HG001–HG004 so that all of them show at once.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from hogo.policy.loader import PathKey, dotted
from hogo.policy.schema import Policy


@dataclass(frozen=True)
class Reference:
    """`path` in the file names `target` among the policy's `kind` (items, purposes, …)."""

    path: PathKey
    owner: str
    kind: str
    target: str


@dataclass(frozen=True)
class BrokenReference:
    path: PathKey
    kind: str
    message: str


def _many(path: PathKey, owner: str, kind: str, targets: list[str]) -> Iterator[Reference]:
    for index, target in enumerate(targets):
        yield Reference((*path, index), owner, kind, target)


def references(policy: Policy) -> Iterator[Reference]:
    """Every cross-reference of the policy, with the path of the referring value."""
    for i, source in enumerate(policy.sources):
        yield from _many(("sources", i, "items"), f"source {source.id!r}", "items", source.items)
    for i, purpose in enumerate(policy.purposes):
        owner = f"purpose {purpose.id!r}"
        yield from _many(("purposes", i, "items"), owner, "items", purpose.items)
        if purpose.retention is not None:
            yield Reference(("purposes", i, "retention"), owner, "retention", purpose.retention)
    for i, recipient in enumerate(policy.third_party.recipients):
        owner = f"recipient {recipient.id!r}"
        path: PathKey = ("third_party", "recipients", i)
        yield from _many((*path, "items"), owner, "items", recipient.items)
        yield from _many((*path, "purposes"), owner, "purposes", recipient.purposes)
    opt_out = policy.third_party.opt_out
    if opt_out is not None:
        path = ("third_party", "opt_out")
        yield from _many((*path, "items"), "opt-out provision", "items", opt_out.items)
        if opt_out.purpose is not None:
            yield Reference((*path, "purpose"), "opt-out provision", "purposes", opt_out.purpose)
    for i, vendor in enumerate(policy.entrustment.vendors):
        path = ("entrustment", "vendors", i, "items")
        yield from _many(path, f"vendor {vendor.id!r}", "items", vendor.items)
    for i, group in enumerate(policy.joint_use):
        owner = f"joint use {group.id!r}"
        yield from _many(("joint_use", i, "items"), owner, "items", group.items)
        yield from _many(("joint_use", i, "purposes"), owner, "purposes", group.purposes)
    for i, module in enumerate(policy.modules):
        yield from _many(("modules", i, "items"), f"module {module.id!r}", "items", module.items)
    marketing = policy.requests.marketing_opt_out
    if marketing is not None:
        path = ("requests", "marketing_opt_out", "required_items")
        yield from _many(path, "marketing opt-out", "items", marketing.required_items)
    for i, release in enumerate(policy.statistics):
        owner = f"statistics {release.id!r}"
        yield Reference(("statistics", i, "purpose"), owner, "purposes", release.purpose)
        yield from _many(("statistics", i, "items"), owner, "items", release.items)
    for i, dataset in enumerate(policy.anonymized):
        path = ("anonymized", i, "items")
        yield from _many(path, f"anonymized dataset {dataset.id!r}", "items", dataset.items)


def declared_ids(policy: Policy) -> dict[str, list[str]]:
    return {
        "items": [item.id for item in policy.items],
        "purposes": [purpose.id for purpose in policy.purposes],
        "retention": [rule.id for rule in policy.retention],
    }


_SINGULAR = {"items": "item", "purposes": "purpose", "retention": "retention rule"}


def broken_references(policy: Policy) -> list[BrokenReference]:
    """References to undeclared ids, and ids declared twice, each with a message naming both ends."""
    declared = declared_ids(policy)
    known = {kind: set(ids) for kind, ids in declared.items()}
    broken: list[BrokenReference] = []
    for ref in references(policy):
        if ref.target in known[ref.kind]:
            continue
        hint = difflib.get_close_matches(ref.target, declared[ref.kind], n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        broken.append(
            BrokenReference(
                ref.path,
                ref.kind,
                f"{ref.owner} at {dotted(ref.path)} names {_SINGULAR[ref.kind]} "
                f"{ref.target!r}, which is not declared under {ref.kind}{suggestion}",
            )
        )
    broken.extend(duplicate_ids(policy))
    return broken


def _id_lists(policy: Policy) -> Iterator[tuple[PathKey, list[str]]]:
    yield ("items",), [x.id for x in policy.items]
    yield ("sources",), [x.id for x in policy.sources]
    yield ("purposes",), [x.id for x in policy.purposes]
    yield ("retention",), [x.id for x in policy.retention]
    yield ("third_party", "recipients"), [x.id for x in policy.third_party.recipients]
    yield ("entrustment", "vendors"), [x.id for x in policy.entrustment.vendors]
    yield ("joint_use",), [x.id for x in policy.joint_use]
    yield ("modules",), [x.id for x in policy.modules]
    yield ("statistics",), [x.id for x in policy.statistics]
    yield ("anonymized",), [x.id for x in policy.anonymized]


def duplicate_ids(policy: Policy) -> list[BrokenReference]:
    out = []
    for path, ids in _id_lists(policy):
        counts = Counter(ids)
        seen: set[str] = set()
        for index, value in enumerate(ids):
            if counts[value] > 1 and value in seen:
                first = ids.index(value)
                out.append(
                    BrokenReference(
                        (*path, index, "id"),
                        "duplicate",
                        f"id {value!r} is declared twice in {dotted(path)} "
                        f"(entries {first} and {index}); ids must be unique",
                    )
                )
            seen.add(value)
    return out

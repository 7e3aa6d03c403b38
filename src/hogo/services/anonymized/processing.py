"""What each item of an anonymised dataset may be, by its kind (PPC Rules Art. 34).

The rules for processing personal information into anonymously processed information
(APPI Art. 43(1)) name what goes: descriptions that identify a person (i), individual
identification codes (ii), codes linking the data back to the personal information
(iii), unusual descriptions (iv). hogo reads what an item is from its `kind` in the
policy, so the decision is made once per item, before any value is read:

- `identifier` (names, identification numbers) and `online_identifier` (member ids,
  cookie and advertising ids, IP addresses) are never released: (i)–(iii). The subject
  ids of the ledger are never read into the table at all (iii).
- `contact` (addresses, postal codes, telephone, e-mail) only as a quasi-identifier with
  a generalization declared, released one level up at least: the value itself is (i).
- `free_text` cannot be processed item by item: it may hold any of (i)–(iv).
- everything else may be a quasi-identifier (generalised), a sensitive attribute, or
  passed through; values of the columns passed through or sensitive that too few people
  share are replaced (iv).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from hogo.domain.anonymity import SUPPRESSED, Hierarchy, HierarchyError
from hogo.domain.generalizations import GeneralizationError, chain, generalize
from hogo.ledger.audit import Json
from hogo.policy.schema import AnonymizedDataset, Item, ItemFormat, ItemKind
from hogo.services.errors import BadInput, Refused

NEVER_RELEASED = frozenset({ItemKind.IDENTIFIER, ItemKind.ONLINE_IDENTIFIER})
"""Rules Art. 34(i)–(iii): deleted whole, never a column of the dataset."""

ONLY_GENERALISED = frozenset({ItemKind.CONTACT})
"""Rules Art. 34(i): released only coarser than the value itself."""

NOT_PROCESSABLE = frozenset({ItemKind.FREE_TEXT})
"""Rules Art. 34(i), (iv): free text may hold anything; hogo cannot process it."""

HIERARCHY_SUPPRESS = "suppress_only"
HIERARCHY_INTERVALS = "intervals"
HIERARCHY_TABLE = "table"


@dataclass(frozen=True)
class Plan:
    """The columns of a run and how each is treated, decided before any value is read."""

    items: tuple[str, ...]
    quasi: tuple[str, ...]
    sensitive: tuple[str, ...]
    passed: tuple[str, ...]
    lifted: frozenset[str]
    """Quasi-identifiers released one level up at least (contact details)."""


def plan(
    dataset: AnonymizedDataset,
    items_of_policy: Mapping[str, Item],
    *,
    items: Sequence[str] | None,
    quasi: Sequence[str],
    sensitive: Sequence[str],
) -> Plan:
    """Check the request against the dataset's published items and the items' kinds."""
    chosen = tuple(dict.fromkeys(items if items else dataset.items))
    quasi_t = tuple(dict.fromkeys(quasi))
    sensitive_t = tuple(dict.fromkeys(sensitive))
    unpublished = [i for i in chosen if i not in dataset.items]
    if unpublished:
        # APPI Art. 43(3): the items of a dataset are published; nothing else goes in it.
        raise Refused(
            f"item(s) {', '.join(unpublished)} are not among the published items of dataset "
            f"{dataset.id!r} ({', '.join(dataset.items)}); add them to anonymized[].items and "
            "publish the policy first (APPI Art. 43(3))",
            code="items_not_published",
        )
    for what, named in (("--quasi", quasi_t), ("--sensitive", sensitive_t)):
        stray = [i for i in named if i not in chosen]
        if stray:
            raise BadInput(f"{what} names {', '.join(stray)}, not among the items of the run")
    if not quasi_t:
        raise BadInput("name at least one quasi-identifier (--quasi)")
    both = set(quasi_t) & set(sensitive_t)
    if both:
        raise BadInput(f"{', '.join(sorted(both))} cannot be both quasi-identifier and sensitive")
    lifted: set[str] = set()
    for item_id in chosen:
        item = items_of_policy.get(item_id)
        if item is None:
            raise Refused(f"item {item_id!r} is not declared in the policy in force")
        _check_kind(item, dataset, quasi=item_id in quasi_t)
        if item.kind in ONLY_GENERALISED:
            lifted.add(item_id)
    passed = tuple(i for i in chosen if i not in quasi_t and i not in sensitive_t)
    return Plan(chosen, quasi_t, sensitive_t, passed, frozenset(lifted))


def _check_kind(item: Item, dataset: AnonymizedDataset, *, quasi: bool) -> None:
    kind = item.kind
    if kind in NEVER_RELEASED:  # Rules Art. 34(i)-(iii)
        raise Refused(
            f"item {item.id!r} is of kind {kind.value}: identifiers and the codes that link "
            "back to a person are deleted, never part of anonymously processed information "
            "(PPC Rules Art. 34(i)-(iii))",
            code="identifier_item",
        )
    if kind in NOT_PROCESSABLE:  # Rules Art. 34(i), (iv)
        raise Refused(
            f"item {item.id!r} is free text, which may hold names and unusual descriptions; "
            "it cannot be processed item by item (PPC Rules Art. 34(i), (iv))",
            code="free_text_item",
        )
    if kind in ONLY_GENERALISED and (not quasi or item.id not in dataset.generalizations):
        # Rules Art. 34(i): contact details identify; only a coarser form may be released.
        raise Refused(
            f"item {item.id!r} is contact information: it is released only generalised, as a "
            f"quasi-identifier (--quasi) with anonymized[].generalizations.{item.id} declared "
            "(PPC Rules Art. 34(i))",
            code="contact_not_generalised",
        )


@dataclass(frozen=True)
class Built:
    """A quasi-identifier's hierarchy over the values of the run, and how it was made."""

    column: list[str]
    hierarchy: Hierarchy
    method: dict[str, Json]


def _steps(spec: str | dict[str, list[str]] | None, item: Item) -> tuple[str, object]:
    if isinstance(spec, str):
        return spec, list(chain(spec))
    if isinstance(spec, dict):
        return HIERARCHY_TABLE, spec
    if item.format is ItemFormat.NUMBER:
        return HIERARCHY_INTERVALS, None
    return HIERARCHY_SUPPRESS, None


def _numbers(present: Sequence[str]) -> dict[str, float]:
    found = {}
    for value in present:
        try:
            number = float(value)
        except ValueError:
            continue
        if math.isfinite(number):
            found[value] = number
    return found


def _coarser_rows(
    kind: str, detail: object, present: Sequence[str], *, today: date
) -> tuple[dict[str, list[str]], set[str]]:
    """Each value's coarser levels, all rows the same length; and the values withheld
    because the generalization cannot read them (never named: they are personal data)."""
    withheld: set[str] = set()
    filled = [v for v in present if v]
    if kind == HIERARCHY_TABLE:
        assert isinstance(detail, dict)
        depth = len(next(iter(detail.values())))
        coarser = {v: list(detail[v]) for v in filled if v in detail}
        withheld = {v for v in filled if v not in detail}
    elif kind == HIERARCHY_INTERVALS:
        numbers = _numbers(filled)
        withheld = {v for v in filled if v not in numbers}
        if numbers:
            intervals = Hierarchy.intervals(list(numbers))
            depth = intervals.height - 1
            coarser = {
                v: [intervals.generalize(v, level) for level in range(1, intervals.height)]
                for v in numbers
            }
        else:
            depth, coarser = 1, {}
    elif kind == HIERARCHY_SUPPRESS:
        depth, coarser = 1, {v: [SUPPRESSED] for v in filled}
    else:
        names = [str(n) for n in detail] if isinstance(detail, list) else []
        depth, coarser = len(names), {}
        for value in filled:
            try:
                coarser[value] = [generalize(n, value, today=today) for n in names]
            except GeneralizationError:
                withheld.add(value)
    rows = dict(coarser)
    for value in withheld:
        rows[value] = [SUPPRESSED] * depth
    if "" in present:  # not held: stays blank until the top level
        rows[""] = [""] * (depth - 1) + [SUPPRESSED] if depth > 1 else [SUPPRESSED]
    return rows, withheld


def build_hierarchy(
    item: Item,
    spec: str | dict[str, list[str]] | None,
    values: Sequence[str],
    *,
    lifted: bool,
    today: date,
) -> Built:
    """The hierarchy of one quasi-identifier, from its declared generalization, a number's
    intervals, or keep-or-withhold. A blank (not held) stays blank; a value the
    generalization cannot read is withheld ("*") from level 1 and counted, never named."""
    kind, detail = _steps(spec, item)
    present = list(dict.fromkeys(values))
    rows, withheld = _coarser_rows(kind, detail, present, today=today)
    try:
        hierarchy = Hierarchy.from_table([[value, *rows[value]] for value in present])
    except HierarchyError as exc:
        raise BadInput(f"item {item.id!r}: {exc}") from None
    column = list(values)
    if lifted:
        hierarchy, column = _lift(hierarchy, column)
    method: dict[str, Json] = {"hierarchy": kind}
    if isinstance(spec, dict):
        method["table"] = spec
    elif isinstance(spec, str):
        method["steps"] = list(chain(spec))
    if withheld:
        method["withheld_unreadable"] = sum(1 for v in values if v in withheld)
    if lifted:
        method["released_from_level"] = 1
    return Built(column, hierarchy, method)


def _lift(hierarchy: Hierarchy, column: list[str]) -> tuple[Hierarchy, list[str]]:
    """The hierarchy from level 1 up, and the column at level 1: the value itself is never
    a choice (Rules Art. 34(i) for contact details)."""
    rows: dict[str, list[str]] = {}
    for j in range(len(hierarchy.values)):
        row = [level[j] for level in hierarchy.levels[1:]]
        rows.setdefault(row[0], row)
    lifted = Hierarchy.from_table(list(rows.values()))
    return lifted, [hierarchy.generalize(v, 1) for v in column]

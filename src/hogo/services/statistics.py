"""Statistics that identify no one: counts over the ledger, read through the purpose check.

Producing statistics is itself a use of personal data (APPI Art. 18(1): only within the
purposes announced), so a run names a purpose the policy in force declares, items that
purpose may use and an actor it allows, exactly as `use` does. Each subject is then judged
by the same `decide_many` over the same state (`subject_states`): people who withdrew
consent, opted out, had use suspended or were erased are left out, and counted by reason.

What comes out is statistics, not personal data (Art. 2(6) outside; see
hogo.domain.suppression): values are generalized (hogo.domain.generalizations), and cells
and totals counting fewer than `min_cell` people are hidden, with the complementary ones
that would give them away. A release declared in the policy (`statistics[]`) for this
purpose and these items promises its `min_cell`; a run may ask for more, never for less.
Without such a release hogo's own floor of ten applies, so a smaller threshold is
something the company must first promise in its published policy.

Audit: one entry per run (actor, purpose, items, how many subjects were read, who was left
out), not one per subject. A run reads the whole ledger: a hundred thousand entries per
run would bury every other use in the trail and cost more than the run, and no output of
the run concerns one person. The entry still says who read which items for which purpose
and when (Art. 23 accountability), which is what an audit of the use needs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import product

from sqlalchemy import select
from sqlalchemy.engine import Connection

from hogo.domain import generalizations as g
from hogo.domain.suppression import TOTAL, Key, suppress, table
from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, Json, append
from hogo.ledger.crypto import WrappedKey
from hogo.services.bulk_read import holding_count, judged_batches, snapshot, static_refusal
from hogo.services.errors import BadInput, Refused
from hogo.services.ledger import Ledger, PolicyInForce, japan_date
from hogo.services.statistics_result import UNKNOWN, Dimension, Statistics

Progress = Callable[[int, int], None]
"""progress(done, total): subjects judged so far, out of those holding the items."""

COUNTS = ("subjects", "records")
DEFAULT_MIN_CELL = 10
"""hogo's floor when no declared release covers the items (the schema's default too)."""
MAX_MIN_CELL = 10_000
MAX_DIMENSIONS = 3
MAX_ENTRIES = 250_000
"""Cells and totals of one table: beyond, the table is too fine to be worth suppressing."""
BATCH = 1_000
MAX_BATCH = 10_000


@dataclass(frozen=True)
class By:
    """One dimension asked for: an item, generalized or (None) counted by its value."""

    item: str
    generalization: str | None = None

    @property
    def spec(self) -> str:
        return self.item if self.generalization is None else f"{self.item}:{self.generalization}"


def parse_by(text: str | Sequence[str]) -> tuple[By, ...]:
    """ITEM[:GENERALIZATION],… into dimensions; BadInput naming what is wrong."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    found: list[By] = []
    for raw in parts:
        part = raw.strip()
        if not part:
            continue
        item, sep, name = (s.strip() for s in part.partition(":"))
        if not item or (sep and not name):
            raise BadInput(f"--by {part!r} is not ITEM or ITEM:GENERALIZATION")
        if sep and name not in g.BUILT_IN:
            known = ", ".join(g.BUILT_IN)
            raise BadInput(f"--by {part!r}: no generalization {name!r}; hogo ships {known}")
        by = By(item, name if sep else None)
        if by in found:
            raise BadInput(f"--by {by.spec} is given twice")
        found.append(by)
    if not found:
        raise BadInput("--by needs at least one item, e.g. birth_date:age10")
    if len(found) > MAX_DIMENSIONS:
        raise BadInput(f"at most {MAX_DIMENSIONS} dimensions in one table, not {len(found)}")
    return tuple(found)


def _entry(
    ledger: Ledger, actor: str, purpose: str, items: tuple[str, ...], outcome: str,
    reason: str | None, detail: dict[str, Json],
) -> AuditEntry:  # fmt: skip
    return AuditEntry(
        at=ledger.now(),
        actor=actor,
        action="statistics",
        outcome=outcome,
        purpose=purpose,
        items=items,
        reason=reason,
        detail=detail,
    )


def _audit(ledger: Ledger, entry: AuditEntry) -> None:
    with ledger.engine.begin() as conn:
        append(conn, entry)


def promise(version: PolicyInForce, purpose: str, items: Sequence[str]) -> tuple[int, str | None]:
    """The smallest min_cell the policy allows for these items and this purpose, and the
    release that promises it: among the declared releases of the purpose that cover every
    item, the strictest (a run covered by two promises keeps both)."""
    covering = [
        release
        for release in version.policy.statistics
        if release.purpose == purpose and set(items) <= set(release.items)
    ]
    if not covering:
        return DEFAULT_MIN_CELL, None
    strictest = max(covering, key=lambda release: release.min_cell)
    return strictest.min_cell, strictest.id


def _check_formats(version: PolicyInForce, by: tuple[By, ...]) -> None:
    for b in by:
        if b.generalization is None:
            continue
        gen = g.BUILT_IN[b.generalization]
        fmt = version.items[b.item].format.value
        if gen.formats and fmt not in gen.formats:
            reads = " or ".join(sorted(gen.formats))
            raise BadInput(
                f"--by {b.spec}: {b.generalization} reads {reads} values; "
                f"the item {b.item!r} is {fmt}"
            )


def _records(
    ledger: Ledger, conn: Connection, subject_ids: Sequence[str], item: str, today: date
) -> dict[str, list[str]]:
    """Every record of `item` within retention (Art. 22) of the subjects, decrypted."""
    if not subject_ids:
        return {}
    keys = {
        row.subject_id: WrappedKey(row.master_key_id, row.wrapped_key)
        for row in conn.execute(
            select(t.subject_keys).where(t.subject_keys.c.subject_id.in_(subject_ids))
        )
    }
    rec = t.records
    out: dict[str, list[str]] = defaultdict(list)
    for row in conn.execute(
        select(rec.c.subject_id, rec.c.ciphertext)
        .where(
            rec.c.subject_id.in_(subject_ids),
            rec.c.item == item,
            (rec.c.retention_due.is_(None)) | (rec.c.retention_due > today),
        )
        .order_by(rec.c.id)
    ):
        cipher = ledger.subject_cipher(row.subject_id, keys[row.subject_id])
        out[row.subject_id].append(cipher.decrypt(item, row.ciphertext))
    return out


class _Tally:
    """Counts per cell, and per entry the distinct people behind it (for counts of records)."""

    def __init__(self, by: tuple[By, ...], today: date, *, by_records: bool) -> None:
        self.by = by
        self.by_records = by_records
        self.today = today
        self.gens = [g.BUILT_IN[b.generalization] if b.generalization else None for b in by]
        self.cells: Counter[tuple[str, ...]] = Counter()
        self.people: Counter[Key] = Counter()
        self.unknown = [0] * len(by)
        self.records = 0
        self.masks = list(product((False, True), repeat=len(by)))

    def category(self, n: int, value: str | None) -> str:
        gen = self.gens[n]
        if value is None:
            self.unknown[n] += 1
            return UNKNOWN
        if gen is None:
            return value
        try:
            return gen.apply(value, today=self.today)
        except g.GeneralizationError:
            self.unknown[n] += 1
            return UNKNOWN

    def add(self, first: list[str | None], rest: list[str | None]) -> None:
        """One subject: the values of the first dimension counted (one, or every record),
        the latest values of the others."""
        others = [self.category(n + 1, value) for n, value in enumerate(rest)]
        keys = [(self.category(0, value), *others) for value in first]
        self.cells.update(keys)
        self.records += len(keys)
        if not self.by_records:
            return  # one key per person: the counts are the people
        touched = {
            tuple(TOTAL if summed else v for v, summed in zip(key, mask, strict=True))
            for key in set(keys)
            for mask in self.masks
        }
        self.people.update(touched)


def statistics(
    ledger: Ledger,
    *,
    purpose: str,
    by: str | Sequence[str],
    actor: str,
    count: str = "subjects",
    min_cell: int | None = None,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> Statistics:
    """Count the subjects (or their records) the purpose may use, by the `by` dimensions.

    With count "subjects" each person counts once, by the latest value of each item; with
    "records", every record (within retention) of the first `by` item counts, placed by
    its own value and the person's latest values of the other items, and cells are still
    suppressed by how many people they count.
    """
    if not actor.strip():
        raise BadInput("an actor is required: who is producing the statistics?")
    if count not in COUNTS:
        raise BadInput(f"--count {count!r}: count subjects or records")
    if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= MAX_BATCH:
        raise BadInput(f"the batch size must be between 1 and {MAX_BATCH:,}")
    if min_cell is not None and (
        isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1
    ):
        raise BadInput("--min-cell must be a whole number of people, at least 1")
    if min_cell is not None and min_cell > MAX_MIN_CELL:
        raise BadInput(f"--min-cell must be at most {MAX_MIN_CELL:,}")
    dims = parse_by(by)
    items = tuple(dict.fromkeys(b.item for b in dims))
    today = japan_date(ledger.now())
    tally = _Tally(dims, today, by_records=count == "records")
    read, excluded = 0, Counter[str]()
    with snapshot(ledger) as conn:
        version = ledger.policy_in_force(conn)
        floor, release = promise(version, purpose, items)
        refusal = _refusal(version, purpose, items, actor, min_cell, floor, release)
        if refusal is None:
            _check_formats(version, dims)
            read, excluded = _read(ledger, conn, version, purpose, dims, actor, tally, count,
                                   batch, progress, today)  # fmt: skip
    detail: dict[str, Json] = {
        "policy_version_id": version.version_id,
        "by": [b.spec for b in dims],
    }
    if refusal is not None:
        # Audited as use refusals are; written once the reading transaction is over.
        reason, message = refusal
        _audit(ledger, _entry(ledger, actor, purpose, items, "refused", reason, detail))
        raise Refused(message, code=reason)
    threshold = min_cell if min_cell is not None else floor
    detail |= {
        "count": count,
        "min_cell": threshold,
        "release": release,
        "subjects_read": read,
        "excluded": dict(excluded),
    }
    try:
        result = _build(
            dims, tally, version, purpose, count, threshold, floor, release, read, excluded, today
        )
    except BadInput as error:
        detail["error"] = error.message
        _audit(ledger, _entry(ledger, actor, purpose, items, "failed", "too_many_cells", detail))
        raise
    detail["hidden"] = len(result.hidden)
    _audit(ledger, _entry(ledger, actor, purpose, items, "done", None, detail))
    return result


def _refusal(
    version: PolicyInForce, purpose: str, items: tuple[str, ...], actor: str,
    min_cell: int | None, floor: int, release: str | None,
) -> tuple[str, str] | None:  # fmt: skip
    """Why the run may not happen at all (reason code, sentence), or None."""
    # Art. 18(1), 23: the checks `use` makes that no subject changes, before reading anyone.
    static = static_refusal(version, purpose, items, actor)
    if static is not None:
        return static.reason.value, static.sentence("en")
    if min_cell is not None and min_cell < floor:
        whose = (
            f"the policy's statistics release {release!r} promises"
            if release
            else "hogo keeps when no statistics release in the policy covers these items"
        )
        return "min_cell_below_promise", (
            f"--min-cell {min_cell} is below the {floor} that {whose}: "
            f"no cell or total of fewer than {floor} people is published"
        )
    return None


def _read(
    ledger: Ledger, conn: Connection, version: PolicyInForce, purpose: str,
    dims: tuple[By, ...], actor: str, tally: _Tally, count: str,
    batch: int, progress: Progress | None, today: date,
) -> tuple[int, Counter[str]]:  # fmt: skip
    """Judge and tally the subjects holding any of the items, `batch` at a time in id order."""
    items = tuple(dict.fromkeys(b.item for b in dims))
    # Counting records, the first item's records are read apart; the latest values are
    # needed only of the other items.
    wanted = items if count == "subjects" else tuple(dict.fromkeys(b.item for b in dims[1:]))
    total = holding_count(conn, items)
    first = dims[0].item
    excluded: Counter[str] = Counter()
    done = read = 0
    if progress is not None:
        progress(0, total)
    for judged in judged_batches(
        ledger, conn, version, purpose=purpose, items=items, actor=actor, today=today,
        batch=batch, read=wanted,
    ):  # fmt: skip
        allowed = judged.allowed
        excluded.update(judged.refused)
        every = _records(ledger, conn, allowed, first, today) if count == "records" else {}
        for sid in allowed:
            held = judged.values[sid]
            rest = [held.get(b.item) for b in dims[1:]]
            if count == "records":
                tally.add(list(every.get(sid, [])), rest)
            else:
                tally.add([held.get(first)], rest)
        read += len(allowed)
        done += len(judged.ids)
        if progress is not None:
            progress(done, total)
    return read, excluded


def _build(
    dims: tuple[By, ...], tally: _Tally, version: PolicyInForce, purpose: str, count: str,
    threshold: int, floor: int, release: str | None, read: int, excluded: Counter[str],
    today: date,
) -> Statistics:  # fmt: skip
    categories = []
    for n, b in enumerate(dims):
        seen = {key[n] for key in tally.cells}
        ordered = sorted(seen - {UNKNOWN}, key=lambda v: g.sort_key(b.generalization, v))
        categories.append(ordered + ([UNKNOWN] if UNKNOWN in seen else []))
    size = 1
    for values in categories:
        size *= len(values) + 1
    if size > MAX_ENTRIES:
        finest = max(range(len(dims)), key=lambda n: len(categories[n]))
        raise BadInput(
            f"the table would have {size:,} cells and totals (at most {MAX_ENTRIES:,}): "
            f"{dims[finest].spec} has {len(categories[finest]):,} categories; "
            "generalize it or count by fewer items"
        )
    shape = table(categories, tally.cells, tally.people if tally.by_records else None)
    hidden = suppress(shape, min_cell=threshold)
    out = []
    for n, b in enumerate(dims):
        gen = g.BUILT_IN[b.generalization] if b.generalization else None
        shown = list(categories[n])
        if gen is None or gen.open_ended:
            # A category only this dimension's values name (a rare domain, a free value)
            # is named only when enough people share it.
            def margin(v: str, n: int = n) -> Key:
                return tuple(v if d == n else TOTAL for d in range(len(dims)))

            shown = [v for v in shown if v == UNKNOWN or shape.people[margin(v)] >= threshold]
        label = version.items[b.item].label
        heading = {
            lang: label[lang]
            + (f"（{gen.label[lang]}）" if gen and lang == "ja" else "")
            + (f" ({gen.label[lang]})" if gen and lang == "en" else "")
            for lang in ("ja", "en")
        }
        out.append(
            Dimension(
                b.item, b.generalization, heading, tuple(shown),
                withheld=len(categories[n]) - len(shown), unknown=tally.unknown[n],
            )
        )  # fmt: skip
    return Statistics(
        purpose=purpose,
        count=count,
        min_cell=threshold,
        promise=floor,
        release=release,
        policy_version_id=version.version_id,
        on=today,
        dimensions=tuple(out),
        table=shape,
        hidden=hidden,
        subjects_read=read,
        records=tally.records,
        excluded=dict(excluded),
    )


__all__ = ["BATCH", "COUNTS", "DEFAULT_MIN_CELL", "By", "parse_by", "promise", "statistics"]

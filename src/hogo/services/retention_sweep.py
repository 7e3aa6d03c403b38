"""Retention sweeps: erase what is past its retention, purge records whose duty has ended.

Why: personal data no longer needed is to be erased without delay (APPI Art. 22), and the
records of provision and receipt (Arts. 29 and 30) are kept only for their period (Rules
Arts. 21 and 25: three years here); past it, they too are personal data kept for nothing.

What a sweep on day `today` does:

1. Records past retention (`retention_due < today`: the due date is the last day a record
   is kept, see `hogo.domain.retention.past_retention`) are deleted, except records under
   legal hold (`records.legal_hold`) and every record of a subject under an active
   legal-hold restriction (origin "legal_hold", whatever its scope). When that leaves a
   subject with no record, the subject is crypto-shredded exactly as `hogo erase` does
   (`erasure.shred`: data key destroyed, subject marked erased); a subject with records
   left keeps its key. Consents, restrictions and the audit trail stay, as with `erase`.
2. Provision and receipt records past `retain_until` (read the same way) are purged,
   except those of a subject under a legal-hold restriction: a hold keeps the evidence.

Batches: each batch (`batch` subjects, or `batch` provision or receipt records) is one
transaction with its audit entries, so an interrupted sweep leaves every batch wholly
applied or not at all; what was done is no longer due, so running again finishes the work
and a finished sweep run again does nothing (idempotent). The audit entries, action
"retention_sweep", name items and counts, never values: one per subject swept (reason
"shredded" or "records"), so the subject's own trail says when and why its data went, and
one per batch of purged provision or receipt records (reason "provision_records" or
"receipt_records", with their ids). Each carries the run's id.

Two sweeps at once: on PostgreSQL subjects and provision and receipt rows are claimed with
SELECT ... FOR UPDATE SKIP LOCKED, so each sweep passes over what the other holds and no
row is processed twice; rows a sweep skipped are either done by the other or, if held by
something else (an erasure locks the same subject row), left for the next run. SQLite has
no row locks and needs none: every write transaction begins IMMEDIATE and one writer runs
at a time, so two sweeps' batches take turns and each reads, inside its own transaction,
what the other has already done.

Deletion is secure as `erase` makes it: SQLite zeroes freed pages (secure_delete) and
the WAL is checkpointed after every batch that destroyed a key; for PostgreSQL see
`erasure`. A dry run asks the same questions as counts in one read-only transaction and
writes nothing, not even an audit entry.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, delete, exists, func, or_, select
from sqlalchemy.engine import Connection

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append, append_many
from hogo.ledger.engine import READ_ONLY
from hogo.ledger.tables_requests import record_history
from hogo.services.erasure import checkpoint, shred, under_legal_hold, zero_freed_space
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger

Progress = Callable[[int, int], None]
"""progress(done, total): subjects swept plus provision and receipt records purged so far,
of those due when the run began."""

ACTION = "retention_sweep"
DEFAULT_BATCH = 200
MAX_BATCH = 10_000
_DELETE_CHUNK = 500  # ids per DELETE ... IN (...): well under SQLite's variable limit


def _erasable(rec: Any, today: date) -> ColumnElement[bool]:
    """A record past retention and not itself held (its subject's hold is checked apart).
    `retention_due < today`: the due date is the last day kept (domain.retention)."""
    return and_(
        rec.c.retention_due.is_not(None),
        rec.c.retention_due < today,
        rec.c.legal_hold.is_(False),
    )


def _past(table: Table, today: date) -> ColumnElement[bool]:
    """A provision or receipt record whose keeping duty ended before today (Rules Arts. 21,
    25): retain_until is its last day, as retention_due is a record's."""
    return and_(table.c.retain_until.is_not(None), table.c.retain_until < today)


@dataclass(frozen=True)
class SweepResult:
    """What a sweep did (or, dry_run, would do). Counts only: never a value."""

    today: date
    dry_run: bool
    records_erased: Mapping[str, int]
    """Records deleted, by item."""
    subjects_swept: int
    """Subjects some of whose records were deleted (the shredded ones included)."""
    subjects_shredded: int
    """Subjects left with no record and so erased whole (data key destroyed)."""
    records_held: Mapping[str, int]
    """Records past retention kept because of a legal hold, by item (at the run's start)."""
    provision_records_purged: int
    receipt_records_purged: int
    batches: int = 0
    run_id: str | None = None

    @property
    def records_total(self) -> int:
        return sum(self.records_erased.values())

    def to_dict(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "records_erased": dict(sorted(self.records_erased.items())),
            "records_total": self.records_total,
            "subjects_swept": self.subjects_swept,
            "subjects_shredded": self.subjects_shredded,
            "records_held": dict(sorted(self.records_held.items())),
            "provision_records_purged": self.provision_records_purged,
            "receipt_records_purged": self.receipt_records_purged,
            "batches": self.batches,
            "run_id": self.run_id,
        }


def _check(today: date | None, batch: int, actor: str, ledger: Ledger, dry_run: bool) -> date:
    if not isinstance(actor, str) or not actor.strip():
        raise BadInput("an actor is required: who runs the sweep?")
    if isinstance(batch, bool) or not isinstance(batch, int) or not 1 <= batch <= MAX_BATCH:
        raise BadInput(f"batch must be a whole number between 1 and {MAX_BATCH:,}")
    if today is None:
        return ledger.today()
    if isinstance(today, datetime) or not isinstance(today, date):
        raise BadInput(f"today must be a date, not {today!r}")
    if not dry_run and today > ledger.today():
        # A sweep "as of" a later day would erase records still within their retention.
        raise BadInput(
            f"cannot sweep as of {today}, after today ({ledger.today()}): records due "
            "before then are still within retention; use --dry-run to look ahead"
        )
    return today


def _plan(conn: Connection, today: date) -> SweepResult:
    """What a sweep on `today` would do, counted in the caller's (read) transaction."""
    rec, s = t.records, t.subjects
    free = ~under_legal_hold(rec.c.subject_id)
    erasable = conn.execute(
        select(rec.c.item, func.count()).where(_erasable(rec, today), free).group_by(rec.c.item)
    ).all()
    held = conn.execute(
        select(rec.c.item, func.count())
        .where(
            rec.c.retention_due.is_not(None),
            rec.c.retention_due < today,
            or_(rec.c.legal_hold.is_(True), under_legal_hold(rec.c.subject_id)),
        )
        .group_by(rec.c.item)
    ).all()
    swept = and_(
        exists().where(rec.c.subject_id == s.c.id, _erasable(rec, today)),
        ~under_legal_hold(s.c.id),
    )
    kept = rec.alias("kept")
    keeps = exists().where(
        kept.c.subject_id == s.c.id,
        or_(
            kept.c.retention_due.is_(None),
            kept.c.retention_due >= today,
            kept.c.legal_hold.is_(True),
        ),
    )
    subjects = conn.execute(select(func.count()).select_from(s).where(swept)).scalar_one()
    shredded = conn.execute(
        select(func.count()).select_from(s).where(swept, s.c.erased_at.is_(None), ~keeps)
    ).scalar_one()
    purged = {
        table.name: conn.execute(
            select(func.count())
            .select_from(table)
            .where(_past(table, today), ~under_legal_hold(table.c.subject_id))
        ).scalar_one()
        for table in (t.provision_records, t.receipt_records)
    }
    return SweepResult(
        today=today,
        dry_run=True,
        records_erased={row[0]: int(row[1]) for row in erasable},
        subjects_swept=int(subjects),
        subjects_shredded=int(shredded),
        records_held={row[0]: int(row[1]) for row in held},
        provision_records_purged=int(purged["provision_records"]),
        receipt_records_purged=int(purged["receipt_records"]),
    )


@dataclass
class _Run:
    """The running totals of one sweep, and what every batch's audit entries share."""

    ledger: Ledger
    today: date
    actor: str
    batch: int
    total: int
    progress: Progress | None
    run_id: str = field(default_factory=lambda: secrets.token_hex(8))
    erased: Counter[str] = field(default_factory=Counter)
    swept: int = 0
    shredded: int = 0
    purged: Counter[str] = field(default_factory=Counter)
    batches: int = 0
    done: int = 0

    def advance(self, n: int) -> None:
        self.batches += 1
        self.done += n
        if self.progress is not None:
            self.progress(self.done, max(self.total, self.done))

    def entry(self, now: datetime, **fields: Any) -> AuditEntry:
        detail = {"run": self.run_id, "today": self.today.isoformat(), **fields.pop("detail")}
        return AuditEntry(
            at=now, actor=self.actor, action=ACTION, outcome="done", detail=detail, **fields
        )


def _sweep_batch(run: _Run, after: str | None) -> str | None:
    """Claim up to `batch` subjects with records past retention (ids after `after`), erase
    those records and shred the subjects left with none, in one transaction. Returns the
    last id claimed, or None when nothing is left."""
    rec, s = t.records, t.subjects
    now = run.ledger.now()
    with run.ledger.engine.begin() as conn:
        claim = (
            select(s.c.id, s.c.erased_at)
            .where(
                exists().where(rec.c.subject_id == s.c.id, _erasable(rec, run.today)),
                ~under_legal_hold(s.c.id),
            )
            .order_by(s.c.id)
            .limit(run.batch)
            .with_for_update(skip_locked=True, of=s)
        )
        if after is not None:
            claim = claim.where(s.c.id > after)
        claimed = conn.execute(claim).all()
        if not claimed:
            return None
        ids = [row.id for row in claimed]
        # Read again now the rows are ours: a hold or an erasure committed since the claim's
        # snapshot (PostgreSQL, READ COMMITTED) is seen by this statement.
        due = conn.execute(
            select(rec.c.id, rec.c.subject_id, rec.c.item).where(
                rec.c.subject_id.in_(ids),
                _erasable(rec, run.today),
                ~under_legal_hold(rec.c.subject_id),
            )
        ).all()
        by_subject: dict[str, Counter[str]] = {}
        for row in due:
            by_subject.setdefault(row.subject_id, Counter())[row.item] += 1
        zero_freed_space(conn)
        record_ids = [row.id for row in due]
        for start in range(0, len(record_ids), _DELETE_CHUNK):
            chunk = record_ids[start : start + _DELETE_CHUNK]
            conn.execute(delete(rec).where(rec.c.id.in_(chunk)))
        swept = sorted(by_subject)
        left = set(
            conn.execute(select(rec.c.subject_id).where(rec.c.subject_id.in_(swept)).distinct())
            .scalars()
            .all()
        )
        # What corrections replaced (Art. 34) goes with the last record of its item.
        hist = record_history
        conn.execute(
            delete(hist).where(
                hist.c.subject_id.in_(swept),
                ~exists().where(rec.c.subject_id == hist.c.subject_id, rec.c.item == hist.c.item),
            )
        )
        was_erased = {row.id: row.erased_at is not None for row in claimed}
        entries: list[AuditEntry] = []
        shredded = 0
        for subject_id in swept:
            whole = subject_id not in left
            key_destroyed = shred(conn, subject_id, now) if whole else False
            shredded += int(whole and not was_erased[subject_id])
            counts = by_subject[subject_id]
            entries.append(
                run.entry(
                    now,
                    subject_id=subject_id,
                    items=tuple(sorted(counts)),
                    reason="shredded" if whole else "records",
                    detail={
                        "records_erased": dict(sorted(counts.items())),
                        "key_destroyed": key_destroyed,
                    },
                )
            )
        append_many(conn, entries)
    if shredded:
        checkpoint(run.ledger)  # the destroyed keys must not linger in the WAL
    for counts in by_subject.values():
        run.erased.update(counts)
    run.swept += len(swept)
    run.shredded += shredded
    run.advance(len(swept))
    return str(ids[-1])


def _purge_batch(run: _Run, table: Table, after: int) -> int | None:
    """Claim and delete up to `batch` provision or receipt records past retain_until (ids
    after `after`) in one transaction with one audit entry. Returns the last id, or None."""
    now = run.ledger.now()
    with run.ledger.engine.begin() as conn:
        claimed = conn.execute(
            select(table.c.id, table.c["items"])
            .where(
                table.c.id > after,
                _past(table, run.today),
                ~under_legal_hold(table.c.subject_id),
            )
            .order_by(table.c.id)
            .limit(run.batch)
            .with_for_update(skip_locked=True, of=table)
        ).all()
        if not claimed:
            return None
        ids = [int(row.id) for row in claimed]
        zero_freed_space(conn)
        for start in range(0, len(ids), _DELETE_CHUNK):
            conn.execute(delete(table).where(table.c.id.in_(ids[start : start + _DELETE_CHUNK])))
        items = sorted({str(item) for row in claimed for item in (row[1] or ())})
        append(
            conn,
            run.entry(
                now,
                items=tuple(items),
                reason=table.name,
                detail={"purged": len(ids), "record_ids": ids},
            ),
        )
    run.purged[table.name] += len(ids)
    run.advance(len(ids))
    return ids[-1]


def sweep(
    ledger: Ledger,
    *,
    today: date | None = None,
    dry_run: bool = False,
    batch: int = DEFAULT_BATCH,
    actor: str = "sweep",
    progress: Progress | None = None,
) -> SweepResult:
    """Run the retention sweep as of `today` (default: the ledger's today), or with
    `dry_run` count what it would do and write nothing. Refused (BadInput, nothing
    written): a batch outside 1..MAX_BATCH, an empty actor, a real sweep as of a day after
    today (it would erase records still within retention)."""
    today = _check(today, batch, actor, ledger, dry_run)
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
        plan = _plan(conn, today)
    if dry_run:
        return plan
    total = plan.subjects_swept + plan.provision_records_purged + plan.receipt_records_purged
    run = _Run(ledger, today, actor, batch, total, progress)
    if progress is not None:
        progress(0, total)
    after: str | None = None
    while (after := _sweep_batch(run, after)) is not None:
        pass
    for table in (t.provision_records, t.receipt_records):
        last: int | None = 0
        while last is not None:
            last = _purge_batch(run, table, last)
    return SweepResult(
        today=today,
        dry_run=False,
        records_erased=dict(run.erased),
        subjects_swept=run.swept,
        subjects_shredded=run.shredded,
        records_held=plan.records_held,
        provision_records_purged=run.purged[t.provision_records.name],
        receipt_records_purged=run.purged[t.receipt_records.name],
        batches=run.batches,
        run_id=run.run_id,
    )

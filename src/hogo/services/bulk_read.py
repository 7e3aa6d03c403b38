"""Reading many subjects' values through the purpose check: the statistics run and the
making of an anonymised dataset both do it.

Reading values for statistics or for an anonymised dataset is itself a use of personal
data (APPI Art. 18(1)): each subject is judged as `hogo use` would judge it, by the same
`decide_many` over the same state (`subject_states`), and only the subjects it allows are
decrypted (`latest_values`); the others are counted by reason. A question refused whatever
the subject (the purpose is not announced, an item is not mapped to it, the actor may not
act for it) refuses the whole run before anything is decrypted.

Only subjects holding one of the items are considered, in batches in subject-id order, in
one read-only transaction: on PostgreSQL a repeatable-read snapshot, so batches read at
different moments still add up to one ledger.

`read_for_purpose` is the whole of it for a caller that wants the rows (an anonymised
dataset), audited once as "use_bulk"; statistics tallies batch by batch instead
(`judged_batches`) and audits as "statistics".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from hogo.domain.purpose_check import Decision, ReasonCode, SubjectState, decide, decide_many
from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, Json, append
from hogo.ledger.engine import READ_ONLY
from hogo.services.errors import Refused
from hogo.services.ledger import Ledger, PolicyInForce, japan_date
from hogo.services.use import MAX_BATCH, actor_role, latest_values, subject_states

STATIC_REFUSALS = frozenset(
    {ReasonCode.PURPOSE_UNKNOWN, ReasonCode.ITEM_NOT_MAPPED, ReasonCode.ACTOR_NOT_ALLOWED}
)
"""Refusals that hold for every subject: the run stops before reading anyone."""


@contextmanager
def snapshot(ledger: Ledger) -> Iterator[Connection]:
    """A read-only transaction over the whole run: on PostgreSQL a repeatable-read
    snapshot, so batches read at different moments still add up to one ledger."""
    options: dict[str, Any] = {READ_ONLY: True}
    if ledger.engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with ledger.engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn


def static_refusal(
    version: PolicyInForce, purpose: str, items: tuple[str, ...], actor: str
) -> Decision | None:
    """The refusal no subject's state changes (Art. 18(1), 23), or None."""
    probe = decide(
        version.compiled, SubjectState(), purpose=purpose, items=items, actor=actor_role(actor)
    )
    return probe if not probe.allowed and probe.reason in STATIC_REFUSALS else None


def _holding(items: tuple[str, ...]) -> ColumnElement[bool]:
    s, rec = t.subjects, t.records
    return exists().where(rec.c.subject_id == s.c.id, rec.c.item.in_(items))


def holding_count(conn: Connection, items: tuple[str, ...]) -> int:
    """How many subjects hold any of `items`: how many a run will judge."""
    query = select(func.count()).select_from(t.subjects).where(_holding(items))
    return int(conn.execute(query).scalar_one())


@dataclass(frozen=True)
class Judged:
    """One batch of subjects, judged."""

    ids: list[str]
    """Every subject of the batch, in id order."""
    allowed: list[str]
    """Those the purpose check allowed, in id order."""
    refused: list[str]
    """The reason code of each subject refused."""
    values: Mapping[str, Mapping[str, str]]
    """Per allowed subject: item → its latest value, of the items asked to be read."""


def judged_batches(
    ledger: Ledger,
    conn: Connection,
    version: PolicyInForce,
    *,
    purpose: str,
    items: tuple[str, ...],
    actor: str,
    today: date,
    batch: int = MAX_BATCH,
    read: tuple[str, ...] | None = None,
) -> Iterator[Judged]:
    """The subjects holding any of `items`, `batch` at a time in id order, each judged for
    `purpose` and `items`; the latest values of `read` (default: `items`) of the allowed."""
    role = actor_role(actor)
    holding = _holding(items)
    s = t.subjects
    last: str | None = None
    while True:
        query = select(s.c.id).where(holding).order_by(s.c.id).limit(batch)
        if last is not None:
            query = query.where(s.c.id > last)
        ids = list(conn.execute(query).scalars())
        if not ids:
            return
        last = ids[-1]
        states = subject_states(conn, version, ids, items, today)
        decisions = decide_many(version.compiled, states, purpose=purpose, items=items, actor=role)
        allowed = [sid for sid in ids if decisions[sid].allowed]
        refused = [decisions[sid].reason.value for sid in ids if not decisions[sid].allowed]
        values = latest_values(ledger, conn, allowed, items if read is None else read)
        yield Judged(ids, allowed, refused, values)


@dataclass(frozen=True)
class BulkRead:
    """The values of the subjects the purpose check allowed, without their ids."""

    rows: list[dict[str, str | None]]
    """One mapping per allowed subject: item → latest value, None when not held."""
    subjects: int
    """Subjects considered: every subject holding one of the items."""
    refused: Mapping[str, int]
    """Subjects left out, by the purpose check's reason."""
    version: PolicyInForce
    at: datetime


def _entry(
    read: BulkRead | None, *, at: datetime, actor: str, purpose: str, items: tuple[str, ...],
    version: PolicyInForce, refusal: str | None, detail: Mapping[str, Json],
) -> AuditEntry:  # fmt: skip
    counts: dict[str, Json] = {"policy_version_id": version.version_id, **detail}
    if read is not None:
        counts.update(subjects=read.subjects, allowed=len(read.rows), refused=dict(read.refused))
    return AuditEntry(
        at=at,
        actor=actor,
        action="use_bulk",
        outcome="refused" if refusal else "allowed",
        purpose=purpose,
        items=items,
        reason=refusal,
        detail=counts,
    )


def read_for_purpose(
    ledger: Ledger,
    *,
    purpose: str,
    items: Sequence[str],
    actor: str,
    detail: Mapping[str, Json],
) -> BulkRead:
    """Every allowed subject's values of `items` for `purpose`, in one read transaction;
    then one audit entry ("use_bulk", with `detail`). Refused when the question is.

    One entry per run, not per subject: a run reads thousands of subjects, and the entry
    still names the purpose, the items and the counts by reason."""
    wanted = tuple(dict.fromkeys(items))
    now = ledger.now()
    with snapshot(ledger) as conn:
        version = ledger.policy_in_force(conn)
        refusal = static_refusal(version, purpose, wanted, actor)
        if refusal is None:
            rows: list[dict[str, str | None]] = []
            refused: Counter[str] = Counter()
            subjects = 0
            for judged in judged_batches(
                ledger, conn, version, purpose=purpose, items=wanted, actor=actor,
                today=japan_date(now),
            ):  # fmt: skip
                subjects += len(judged.ids)
                refused.update(judged.refused)
                rows.extend(
                    {item: judged.values[s].get(item) for item in wanted} for s in judged.allowed
                )
            read = BulkRead(rows, subjects, dict(refused), version, now)
    entry = _entry(
        None if refusal else read,
        at=now,
        actor=actor,
        purpose=purpose,
        items=wanted,
        version=version,
        refusal=None if refusal is None else refusal.reason.value,
        detail=detail,
    )
    with ledger.engine.begin() as conn:
        append(conn, entry)
    if refusal is not None:
        raise Refused(refusal.sentence("en"), code=refusal.reason.value)
    return read

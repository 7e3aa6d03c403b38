"""Reading every subject's values for one purpose, through the purpose check, audited once.

An anonymised dataset is made from the personal data held for a purpose: making it is a
use of that data (APPI Art. 18(1)), so each subject's values are read only when the
purpose check allows it, exactly as `hogo use` would decide. Subjects it refuses (consent
withdrawn, use suspended, retention passed…) are left out and counted by reason. A run
reads thousands of subjects, so it is one audit entry naming the purpose, the items and
the counts, not one per subject.

A question refused whatever the subject (the purpose is not announced, an item is not
mapped to it, the actor may not act for it) refuses the whole run before anything is
decrypted; that refusal is audited too.

This reads in batches, in subject-id order, with the purpose check's own state and value
readers (`hogo.services.use`), in one read-only transaction (a repeatable-read snapshot on
PostgreSQL), as the statistics service does; only subjects holding one of the items are
considered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.engine import Connection

from hogo.domain.purpose_check import ReasonCode, SubjectState, decide, decide_many
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


def _batches(conn: Connection, items: tuple[str, ...]) -> Iterator[list[str]]:
    """The ids of the subjects holding any of `items`, MAX_BATCH at a time, in id order."""
    s, rec = t.subjects, t.records
    holding = exists().where(rec.c.subject_id == s.c.id, rec.c.item.in_(items))
    last: str | None = None
    while True:
        query = select(s.c.id).where(holding).order_by(s.c.id).limit(MAX_BATCH)
        if last is not None:
            query = query.where(s.c.id > last)
        ids = list(conn.execute(query).scalars())
        if not ids:
            return
        last = ids[-1]
        yield ids


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
    then one audit entry ("use_bulk", with `detail`). Refused when the question is."""
    wanted = tuple(dict.fromkeys(items))
    role = actor_role(actor)
    now = ledger.now()
    options: dict[str, Any] = {READ_ONLY: True}
    if ledger.engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"  # batches read one snapshot
    with ledger.engine.connect().execution_options(**options) as conn, conn.begin():
        version = ledger.policy_in_force(conn)
        probe = decide(version.compiled, SubjectState(), purpose=purpose, items=wanted, actor=role)
        if not probe.allowed and probe.reason in STATIC_REFUSALS:
            refusal = probe
        else:
            refusal = None
            rows: list[dict[str, str | None]] = []
            refused: Counter[str] = Counter()
            subjects = 0
            for batch in _batches(conn, wanted):
                subjects += len(batch)
                states = subject_states(conn, version, batch, wanted, japan_date(now))
                decisions = decide_many(
                    version.compiled, states, purpose=purpose, items=wanted, actor=role
                )
                allowed = [s for s in batch if decisions[s].allowed]
                refused.update(decisions[s].reason.value for s in batch if not decisions[s].allowed)
                values = latest_values(ledger, conn, allowed, wanted)
                rows.extend({item: values[s].get(item) for item in wanted} for s in allowed)
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

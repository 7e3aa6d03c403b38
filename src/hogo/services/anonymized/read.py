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

This reads in batches with the purpose check's own state reader (`hogo.services.use`);
the statistics service reads the same way, and the two may share one reader later.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from hogo.domain.purpose_check import ReasonCode, SubjectState, decide, decide_many
from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, Json, append
from hogo.ledger.engine import READ_ONLY
from hogo.services.errors import Refused
from hogo.services.ledger import Ledger, PolicyInForce, japan_date
from hogo.services.use import MAX_BATCH, _states, _values, actor_role

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
    """Subjects considered: every subject not erased."""
    refused: Mapping[str, int]
    """Subjects left out, by the purpose check's reason."""
    version: PolicyInForce
    at: datetime


def _subject_ids(conn: Connection) -> list[str]:
    query = (
        select(t.subjects.c.id).where(t.subjects.c.erased_at.is_(None)).order_by(t.subjects.c.id)
    )
    return [row.id for row in conn.execute(query)]


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
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
        version = ledger.policy_in_force(conn)
        probe = decide(version.compiled, SubjectState(), purpose=purpose, items=wanted, actor=role)
        if not probe.allowed and probe.reason in STATIC_REFUSALS:
            refusal = probe
        else:
            refusal = None
            rows: list[dict[str, str | None]] = []
            refused: Counter[str] = Counter()
            ids = _subject_ids(conn)
            for start in range(0, len(ids), MAX_BATCH):
                batch = ids[start : start + MAX_BATCH]
                states = _states(conn, version, batch, wanted, japan_date(now))
                decisions = decide_many(
                    version.compiled, states, purpose=purpose, items=wanted, actor=role
                )
                allowed = [s for s in batch if decisions[s].allowed]
                refused.update(decisions[s].reason.value for s in batch if not decisions[s].allowed)
                values = _values(ledger, conn, allowed, wanted)
                rows.extend({item: values[s].get(item) for item in wanted} for s in allowed)
            read = BulkRead(rows, len(ids), dict(refused), version, now)
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

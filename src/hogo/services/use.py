"""Using personal data: every read names an actor, a purpose and the items, and is audited.

The decision is the domain's pure `decide`; this module reads the subject's state once
(per call, or once per batch), asks, decrypts only when allowed, and writes the audit
entry in the same transaction, allowed or refused.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Connection

from hogo.domain.purpose_check import SubjectState, decide_many
from hogo.ledger import tables as t
from hogo.ledger.audit import append_many
from hogo.ledger.crypto import WrappedKey
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger, PolicyInForce, japan_date
from hogo.services.use_hot import use_one, use_one_async
from hogo.services.use_result import UseResult, actor_role, subject_state, use_entry

__all__ = ["MAX_BATCH", "UseResult", "actor_role", "use", "use_async", "use_many"]

MAX_BATCH = 10_000


def subject_states(
    conn: Connection,
    version: PolicyInForce,
    subject_ids: Sequence[str],
    items: tuple[str, ...],
    today: date,
) -> dict[str, SubjectState]:
    """The purpose check's state of a batch of subjects; also read by the services that read
    in bulk (statistics, anonymised datasets), so they judge each subject as `use_many` does."""
    subjects = {
        row.id: (row.erased_at, row.policy_version_id)
        for row in conn.execute(
            select(t.subjects.c.id, t.subjects.c.erased_at, t.subjects.c.policy_version_id).where(
                t.subjects.c.id.in_(subject_ids)
            )
        )
    }
    missing = [s for s in subject_ids if s not in subjects]
    if missing:
        raise NotFound(
            f"no subject {missing[0]}"
            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
        )
    consents: dict[str, dict[str, bool]] = defaultdict(dict)
    consent_ids: dict[str, dict[str, int]] = defaultdict(dict)
    for row in conn.execute(
        select(t.consents.c.subject_id, t.consents.c.purpose, t.consents.c.granted, t.consents.c.id)
        .where(t.consents.c.subject_id.in_(subject_ids))
        .order_by(t.consents.c.id)
    ):
        consents[row.subject_id][row.purpose] = bool(row.granted)
        consent_ids[row.subject_id][row.purpose] = row.id
    suspended_all: set[str] = set()
    suspended: dict[str, set[str]] = defaultdict(set)
    for restriction in conn.execute(
        select(t.restrictions.c.subject_id, t.restrictions.c.purpose).where(
            t.restrictions.c.subject_id.in_(subject_ids),
            t.restrictions.c.scope == "use",
            t.restrictions.c.lifted_at.is_(None),
        )
    ):
        if restriction.purpose is None:
            suspended_all.add(restriction.subject_id)
        else:
            suspended[restriction.subject_id].add(restriction.purpose)
    live: dict[str, set[str]] = defaultdict(set)
    held: dict[str, set[str]] = defaultdict(set)
    if items:
        for record in conn.execute(
            select(t.records.c.subject_id, t.records.c.item, t.records.c.retention_due).where(
                t.records.c.subject_id.in_(subject_ids), t.records.c.item.in_(items)
            )
        ):
            held[record.subject_id].add(record.item)
            if record.retention_due is None or record.retention_due > today:
                live[record.subject_id].add(record.item)
    return {
        subject_id: subject_state(
            version,
            erased=subjects[subject_id][0] is not None,
            collected_under=int(subjects[subject_id][1]),
            consents=consents.get(subject_id, {}),
            consent_ids=consent_ids.get(subject_id, {}),
            suspended_all=subject_id in suspended_all,
            suspended=suspended.get(subject_id, set()),
            expired=held.get(subject_id, set()) - live.get(subject_id, set()),
        )
        for subject_id in subject_ids
    }


def latest_values(
    ledger: Ledger, conn: Connection, subject_ids: Sequence[str], items: tuple[str, ...]
) -> dict[str, dict[str, str]]:
    """The latest value of each item for a batch of subjects already allowed, decrypted."""
    if not subject_ids or not items:
        return {s: {} for s in subject_ids}
    keys = {
        row.subject_id: WrappedKey(row.master_key_id, row.wrapped_key)
        for row in conn.execute(
            select(t.subject_keys).where(t.subject_keys.c.subject_id.in_(subject_ids))
        )
    }
    latest: dict[tuple[str, str], bytes] = {}
    for row in conn.execute(
        select(t.records.c.subject_id, t.records.c.item, t.records.c.ciphertext)
        .where(t.records.c.subject_id.in_(subject_ids), t.records.c.item.in_(items))
        .order_by(t.records.c.id)
    ):
        latest[(row.subject_id, row.item)] = row.ciphertext
    out: dict[str, dict[str, str]] = {s: {} for s in subject_ids}
    for (subject_id, item), blob in latest.items():
        cipher = ledger.subject_cipher(subject_id, keys[subject_id])
        out[subject_id][item] = cipher.decrypt(item, blob)
    return out


def use(
    ledger: Ledger, subject_id: str, *, purpose: str, items: Sequence[str], actor: str
) -> UseResult:
    """One subject: through the hot path (`use_hot`), or as a batch of one when it declines."""
    if actor.strip() and isinstance(subject_id, str):
        result = use_one(ledger, subject_id, purpose, tuple(dict.fromkeys(items)), actor)
        if result is not None:
            return result
    return use_many(ledger, [subject_id], purpose=purpose, items=items, actor=actor)[subject_id]


async def use_async(
    ledger: Ledger, subject_id: str, *, purpose: str, items: Sequence[str], actor: str
) -> UseResult:
    """`use` for a coroutine (the API): the event loop never waits on the database. The
    hot path runs on the group commit's writer thread, the general path on a worker."""
    if actor.strip() and isinstance(subject_id, str):
        wanted = tuple(dict.fromkeys(items))
        result = await use_one_async(ledger, subject_id, purpose, wanted, actor)
        if result is not None:
            return result
    answers = await asyncio.to_thread(
        use_many, ledger, [subject_id], purpose=purpose, items=items, actor=actor
    )
    return answers[subject_id]


def use_many(
    ledger: Ledger, subject_ids: Sequence[str], *, purpose: str, items: Sequence[str], actor: str
) -> dict[str, UseResult]:
    """Ask for the same items of many subjects for one purpose: one state read, one audit write."""
    if not actor.strip():
        raise BadInput("an actor is required: who is using the data?")
    if len(subject_ids) > MAX_BATCH:
        raise BadInput(f"at most {MAX_BATCH:,} subjects in one call")
    wanted = tuple(dict.fromkeys(items))
    unique = list(dict.fromkeys(subject_ids))
    now = ledger.now()
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        states = subject_states(conn, version, unique, wanted, japan_date(now))
        decisions = decide_many(
            version.compiled, states, purpose=purpose, items=wanted, actor=actor_role(actor)
        )
        allowed = [s for s in unique if decisions[s].allowed]
        values = latest_values(ledger, conn, allowed, wanted)
        append_many(
            conn, [use_entry(now, actor, s, purpose, wanted, decisions[s], version) for s in unique]
        )
    return {
        s: UseResult(s, decisions[s], values[s] if decisions[s].allowed else None) for s in unique
    }

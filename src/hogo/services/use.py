"""Using personal data: every read names an actor, a purpose and the items, and is audited.

The decision is the domain's pure `decide`; this module reads the subject's state once
(per call, or once per batch), asks, decrypts only when allowed, and writes the audit
entry in the same transaction, allowed or refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Connection

from hogo.domain.purpose_check import Decision, SubjectState, decide_many
from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append_many
from hogo.ledger.crypto import SubjectCipher, WrappedKey
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger, PolicyInForce

MAX_BATCH = 10_000


@dataclass(frozen=True)
class UseResult:
    subject_id: str
    decision: Decision
    values: dict[str, str] | None
    """The latest value of each requested item held; None when refused."""

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        return {
            "subject_id": self.subject_id,
            "allowed": self.decision.allowed,
            "reason": self.decision.reason.value,
            "message": self.decision.sentence("ja" if lang == "ja" else "en"),
            "purpose": self.decision.purpose,
            "items": list(self.decision.items),
            "detail": self.decision.detail,
            "values": self.values,
        }


def actor_role(actor: str) -> str:
    """`role:name` acts in `role` (what purposes[].actors lists); a bare name is its own role."""
    return actor.split(":", 1)[0]


def _states(
    conn: Connection,
    version: PolicyInForce,
    subject_ids: Sequence[str],
    items: tuple[str, ...],
    today: date,
) -> dict[str, SubjectState]:
    subjects = {
        row.id: row.erased_at
        for row in conn.execute(
            select(t.subjects.c.id, t.subjects.c.erased_at).where(t.subjects.c.id.in_(subject_ids))
        )
    }
    missing = [s for s in subject_ids if s not in subjects]
    if missing:
        raise NotFound(
            f"no subject {missing[0]}"
            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
        )
    consents: dict[str, dict[str, bool]] = defaultdict(dict)
    for row in conn.execute(
        select(t.consents.c.subject_id, t.consents.c.purpose, t.consents.c.granted)
        .where(t.consents.c.subject_id.in_(subject_ids))
        .order_by(t.consents.c.id)
    ):
        consents[row.subject_id][row.purpose] = bool(row.granted)
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
    opt_out_purposes = {p for p, c in version.compiled.purposes.items() if c.basis == "opt_out"}
    states = {}
    for subject_id in subject_ids:
        given = consents.get(subject_id, {})
        states[subject_id] = SubjectState(
            erased=subjects[subject_id] is not None,
            consents=given,
            opted_out=frozenset(p for p in opt_out_purposes if given.get(p) is False),
            suspended_all=subject_id in suspended_all,
            suspended_purposes=frozenset(suspended.get(subject_id, ())),
            expired_items=frozenset(held.get(subject_id, set()) - live.get(subject_id, set())),
        )
    return states


def _values(
    ledger: Ledger, conn: Connection, subject_ids: Sequence[str], items: tuple[str, ...]
) -> dict[str, dict[str, str]]:
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
    ciphers: dict[str, SubjectCipher] = {}
    for (subject_id, item), blob in latest.items():
        cipher = ciphers.get(subject_id)
        if cipher is None:
            key = ledger.keys.unwrap(keys[subject_id], context=subject_id.encode())
            cipher = ciphers[subject_id] = SubjectCipher(key, subject_id)
        out[subject_id][item] = cipher.decrypt(item, blob)
    return out


def use(
    ledger: Ledger, subject_id: str, *, purpose: str, items: Sequence[str], actor: str
) -> UseResult:
    return use_many(ledger, [subject_id], purpose=purpose, items=items, actor=actor)[subject_id]


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
        states = _states(conn, version, unique, wanted, now.date())
        decisions = decide_many(
            version.compiled, states, purpose=purpose, items=wanted, actor=actor_role(actor)
        )
        allowed = [s for s in unique if decisions[s].allowed]
        values = _values(ledger, conn, allowed, wanted)
        append_many(
            conn,
            [
                AuditEntry(
                    at=now,
                    actor=actor,
                    action="use",
                    outcome="allowed" if decisions[s].allowed else "refused",
                    subject_id=s,
                    purpose=purpose,
                    items=wanted,
                    reason=decisions[s].reason.value,
                    detail={"policy_version_id": version.version_id, "detail": decisions[s].detail}
                    if decisions[s].detail
                    else {"policy_version_id": version.version_id},
                )
                for s in unique
            ],
        )
    return {
        s: UseResult(s, decisions[s], values[s] if decisions[s].allowed else None) for s in unique
    }

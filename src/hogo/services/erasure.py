"""Erasure: a whole subject by crypto-shredding, or some items of a subject.

Whole-subject erasure deletes the subject's data key (`subject_keys`), so any copy of its
ciphertext — in a backup, a replica, a dump — can never be decrypted again, and deletes
the subject's records too: unreadable rows serve no purpose. The subject row stays, marked
`erased_at`, so `use` and `collect --subject` refuse with the reason "erased".

What the law requires to keep stays: the provider's and recipient's records (Arts. 29 and
30; kept 3 years, Rules Arts. 21 and 25) and the audit trail. They hold item names and
dates, never values. The consent and restriction history stays for the same reason: it is
the evidence of what the person asked, and holds no personal values.

Item erasure deletes the records of those items only; the key stays.

On SQLite, deletion runs with `secure_delete` (freed space is zeroed) and whole-subject
erasure ends with a WAL checkpoint, so the destroyed key does not linger in the file or
its write-ahead log. On PostgreSQL a deleted row stays on disk as a dead tuple until
VACUUM reuses its space, and in WAL archives and backups: there, as in any backup, the
wrapped key is protected by the master key, and retiring an old master key after
`hogo keys rotate` makes every copy wrapped by it useless.

Records under legal hold (`records.legal_hold`) are never erased: the request is refused
naming the items held, and nothing is erased.

The retention sweep (`retention_sweep.py`) erases through the same pieces: `shred`,
`zero_freed_space`, `checkpoint` and `legal_hold_restriction`, so both ways of erasing a
subject destroy the same things.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, delete, exists, select, update
from sqlalchemy.engine import Connection

from hogo.domain.values import InvalidValue, normalize
from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.tables_requests import record_history
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger

MAX_REASON_CHARS = 2_000


@dataclass(frozen=True)
class ErasureResult:
    subject_id: str
    scope: str
    """"subject" (everything, the key destroyed) or "items"."""
    items: tuple[str, ...]
    """The items whose records were deleted."""
    records_deleted: int
    key_destroyed: bool
    erased_at: datetime

    def to_dict(self) -> dict[str, object]:
        return {
            "subject_id": self.subject_id,
            "scope": self.scope,
            "items": list(self.items),
            "records_deleted": self.records_deleted,
            "key_destroyed": self.key_destroyed,
            "erased_at": self.erased_at.isoformat(),
        }


def _reason(reason: str | None) -> str | None:
    if reason is None or (isinstance(reason, str) and not reason.strip()):
        return None
    if not isinstance(reason, str):
        raise BadInput(f"reason must be text, not {type(reason).__name__}")
    try:
        return normalize("text", reason, max_chars=MAX_REASON_CHARS).stored
    except InvalidValue as exc:
        raise BadInput(f"reason: the text {exc}") from None


def checkpoint(ledger: Ledger) -> None:
    """Copy the WAL into the database file and empty it, so the frames that still hold the
    destroyed key go too. SQLite only (a no-op elsewhere). Best effort: with a reader in
    the way SQLite checkpoints what it can, and the rest goes at a later checkpoint."""
    if ledger.engine.dialect.name != "sqlite":
        return
    raw = ledger.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


def zero_freed_space(conn: Connection) -> None:
    """On SQLite, overwrite deleted content with zeros instead of leaving it in free pages."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete = ON")


def under_legal_hold(subject_id: ColumnElement[str] | str) -> ColumnElement[bool]:
    """An active (not lifted) restriction of origin "legal_hold" on the subject, as SQL.

    A legal hold keeps everything about the person, whatever the restriction's scope."""
    r = t.restrictions
    return exists().where(
        r.c.subject_id == subject_id, r.c.origin == "legal_hold", r.c.lifted_at.is_(None)
    )


def legal_hold_restriction(conn: Connection, subject_id: str) -> int | None:
    """The id of an active legal-hold restriction on the subject, or None."""
    r = t.restrictions
    found = conn.execute(
        select(r.c.id)
        .where(r.c.subject_id == subject_id, r.c.origin == "legal_hold", r.c.lifted_at.is_(None))
        .order_by(r.c.id)
        .limit(1)
    ).scalar()
    return None if found is None else int(found)


def shred(conn: Connection, subject_id: str, now: datetime) -> bool:
    """Crypto-shred the subject in the caller's transaction: delete its wrapped data key and
    mark it erased. The caller deletes the records first (and audits); returns whether a
    key was destroyed."""
    destroyed = (
        conn.execute(
            delete(t.subject_keys).where(t.subject_keys.c.subject_id == subject_id)
        ).rowcount
        > 0
    )
    conn.execute(
        update(t.subjects)
        .where(t.subjects.c.id == subject_id, t.subjects.c.erased_at.is_(None))
        .values(erased_at=now)
    )
    return destroyed


def erase(
    ledger: Ledger,
    subject_id: str,
    *,
    items: Sequence[str] | None = None,
    actor: str,
    reason: str | None = None,
    conn: Connection | None = None,
) -> ErasureResult:
    """Erase a subject (items=None) or some of its items; refused under legal hold.

    With `conn`, the erasure runs in the caller's transaction (a request fulfilled by
    erasing commits both or neither) and the caller calls `checkpoint` after committing."""
    if not isinstance(actor, str) or not actor.strip():
        raise BadInput("an actor is required: who erases the data?")
    if not isinstance(subject_id, str) or not subject_id.strip() or len(subject_id) > 32:
        raise BadInput(f"{subject_id!r} is not a subject id")
    reason = _reason(reason)
    wanted: tuple[str, ...] | None = None
    if items is not None:
        if isinstance(items, str):
            items = [items]
        wanted = tuple(dict.fromkeys(i.strip() for i in items if isinstance(i, str) and i.strip()))
        if not wanted:
            raise BadInput("no items given: name at least one, or leave --items out to erase all")
    now = ledger.now()
    own = conn is None
    with ledger.engine.begin() if conn is None else nullcontext(conn) as conn:
        version = ledger.policy_in_force(conn)
        for item_id in wanted or ():
            if version.policy.item(item_id) is None:
                raise BadInput(f"unknown item {item_id!r}; it is not declared in the policy")
        subject = conn.execute(
            select(t.subjects.c.erased_at).where(t.subjects.c.id == subject_id).with_for_update()
        ).first()
        if subject is None:
            raise NotFound(f"no subject {subject_id}")
        if subject.erased_at is not None:
            raise BadInput(f"subject {subject_id} is already erased")
        scope = t.records.c.subject_id == subject_id
        if wanted is not None:
            scope = scope & t.records.c.item.in_(wanted)
        held = sorted(
            {
                row.item
                for row in conn.execute(
                    select(t.records.c.item).where(scope, t.records.c.legal_hold.is_(True))
                )
            }
        )
        if held:
            raise Refused(
                f"subject {subject_id}'s {', '.join(held)} is under legal hold: nothing erased",
                code="legal_hold",
            )
        hold = legal_hold_restriction(conn, subject_id)
        if hold is not None:
            raise Refused(
                f"subject {subject_id} is under a legal hold (restriction {hold}): nothing "
                "erased; lift the hold first",
                code="legal_hold",
            )
        erased_items = tuple(
            sorted(
                row.item for row in conn.execute(select(t.records.c.item).where(scope).distinct())
            )
        )
        zero_freed_space(conn)
        deleted = conn.execute(delete(t.records).where(scope)).rowcount
        # What corrections replaced (Art. 34) goes with the values it was replaced by.
        history = record_history.c.subject_id == subject_id
        if wanted is not None:
            history = history & record_history.c.item.in_(wanted)
        conn.execute(delete(record_history).where(history))
        key_destroyed = False
        if wanted is None:
            key_destroyed = shred(conn, subject_id, now)
        append(
            conn,
            AuditEntry(
                at=now,
                actor=actor,
                action="erase",
                outcome="done",
                subject_id=subject_id,
                items=wanted if wanted is not None else erased_items,
                reason="subject" if wanted is None else "items",
                detail={
                    "scope": "subject" if wanted is None else "items",
                    "records_deleted": deleted,
                    "key_destroyed": key_destroyed,
                    "reason": reason,
                    "policy_version_id": version.version_id,
                },
            ),
        )
    if own and wanted is None:
        checkpoint(ledger)
    return ErasureResult(
        subject_id=subject_id,
        scope="subject" if wanted is None else "items",
        items=erased_items,
        records_deleted=deleted,
        key_destroyed=key_destroyed,
        erased_at=now.astimezone(UTC),
    )

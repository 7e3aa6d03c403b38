"""Telling people of a revised policy: one e-mail to each person a change reaches.

When a revision needs notice (Art. 17(2), 21(3): a change within the reasonably related
scope is notified or published; one beyond it needs consent, asked after telling people
what changed) and the policy promises notice by e-mail, each subject the changes reach
gets one `policy_change_notice`, in their language, saying what changed in plain words,
from when, where the policy is, and, for purposes that now need their consent again, that
those uses stop until they give it and where to give it.

The work runs in batches of subjects in id order, one transaction each: the batch's
messages (outbox), the addresses read for them (audited as "contact"), the cursor and the
counts in `policy_revisions` are committed together. A run stopped half way resumes after
the last committed batch, and the outbox's dedupe key (version, subject) would refuse a
second message anyway, so re-running never writes to anyone twice. Subjects without an
e-mail address are counted: publishing the policy is their notice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.tables_policy_changes import policy_revisions, reconsent_requirements
from hogo.policy.schema import Policy
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger
from hogo.services.outbox import enqueue, subject_contact
from hogo.services.policy_changes import RecordedChange, load_changes

KIND = "policy_change_notice"
BATCH = 500
MAX_BATCH = 10_000
POLICY_PATH = "/policy"
"""Where the published policy is, under HOGO_BASE_URL."""
PORTAL_PATH = "/preferences"
"""Where people give or withdraw consent, under HOGO_BASE_URL."""

Progress = Callable[[int, int], None]
"""Called after each batch with (subjects handled so far, subjects to handle in all)."""

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class NoticeRun:
    """Where the notice step of a revision stands: `notice` is none, published, pending or
    done; `reached` subjects were handled, `queued` messages written (a re-run queues
    none again), `without_address` subjects had no e-mail address."""

    version_id: int
    notice: str
    reached: int
    queued: int
    without_address: int

    def to_dict(self) -> dict[str, object]:
        return {
            "version_id": self.version_id,
            "notice": self.notice,
            "reached": self.reached,
            "queued": self.queued,
            "without_address": self.without_address,
        }


def _run(row: Any) -> NoticeRun:
    return NoticeRun(
        int(row.version_id),
        row.notice,
        int(row.reached),
        int(row.queued),
        int(row.without_address),
    )


def told(changes: Iterable[RecordedChange]) -> list[RecordedChange]:
    """The changes people are told of: those needing notice that reach someone."""
    return [c for c in changes if c.change_class != "editorial" and c.reach != "nobody"]


def audience(changes: Iterable[RecordedChange]) -> ColumnElement[bool]:
    """The subjects `changes` reach, as a condition on `subjects`: not erased, and anyone
    if one change reaches everyone, else holding a record of a reached item or source."""
    s, rec = t.subjects, t.records
    changes = list(changes)
    if any(c.reach == "everyone" for c in changes):
        return s.c.erased_at.is_(None)
    items = sorted({i for c in changes for i in c.items})
    sources = sorted({x for c in changes for x in c.sources})
    return and_(
        s.c.erased_at.is_(None),
        exists().where(
            rec.c.subject_id == s.c.id, or_(rec.c.item.in_(items), rec.c.source.in_(sources))
        ),
    )


def _reaches(change: RecordedChange, items: set[str], sources: set[str]) -> bool:
    return change.reach == "everyone" or bool(
        items.intersection(change.items) or sources.intersection(change.sources)
    )


def long_date(day: date, lang: str) -> str:
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def message_context(
    ledger: Ledger,
    policy: Policy,
    version: str,
    effective: date,
    lang: str,
    changes: list[RecordedChange],
    reconsent: Iterable[str],
) -> dict[str, object]:
    """What the template says to one person about the changes that reach them."""
    base = ledger.settings.base_url.rstrip("/")
    contact = policy.organization.contact
    labels = [p.label[lang] for pid in reconsent if (p := policy.purpose(pid)) is not None]
    return {
        "company": policy.organization.name[lang],
        "version": version,
        "effective": long_date(effective, lang),
        "applies_later": effective > ledger.today(),
        "changes": _unique(c.notice_ja if lang == "ja" else c.notice_en for c in changes),
        "reconsent": _unique(labels),
        "policy_url": base + POLICY_PATH,
        "consent_url": base + PORTAL_PATH,
        "contact": (contact.email or contact.phone or "") if contact else "",
    }


def send_notices(
    ledger: Ledger,
    version_id: int,
    *,
    actor: str,
    batch_size: int | None = None,
    progress: Progress | None = None,
) -> NoticeRun:
    """Queue the notices of revision `version_id`, or finish queueing them after a stop.

    Does nothing (and says so) when the revision needs no notice or is notified by
    publication only, or when its notices are all queued already. Batches hold
    `batch_size` subjects (default BATCH).
    """
    batch_size = BATCH if batch_size is None else batch_size
    if not isinstance(actor, str) or not actor.strip():
        raise BadInput("an actor is required: who sends the notices?")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise BadInput(f"the batch size must be a whole number, not {batch_size!r}")
    if not 1 <= batch_size <= MAX_BATCH:
        raise BadInput(f"the batch size must be between 1 and {MAX_BATCH:,}")
    total: int | None = None
    while True:
        with ledger.engine.begin() as conn:
            row = _lock(conn, version_id)
            if row.notice != "pending":
                return _run(row)
            changes = told(load_changes(conn, version_id))
            if total is None:
                total = int(row.reached) + _remaining(conn, changes, row.last_subject_id)
            done = _batch(ledger, conn, row, changes, actor, batch_size)
            row = _lock(conn, version_id)
        if done:
            return _run(row)
        if progress is not None:
            progress(int(row.reached), total)


def _lock(conn: Connection, version_id: int) -> Any:
    """The revision's row, locked (PostgreSQL; SQLite's write lock is already held), so
    two runs take turns batch by batch instead of racing."""
    row = conn.execute(
        select(policy_revisions)
        .where(policy_revisions.c.version_id == version_id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"policy version #{version_id} has no recorded revision to notify")
    return row


def _remaining(conn: Connection, changes: list[RecordedChange], after: str | None) -> int:
    if not changes:
        return 0
    query = select(func.count()).select_from(t.subjects).where(audience(changes))
    if after is not None:
        query = query.where(t.subjects.c.id > after)
    return int(conn.execute(query).scalar_one())


def _batch(
    ledger: Ledger,
    conn: Connection,
    row: Any,
    changes: list[RecordedChange],
    actor: str,
    batch_size: int,
) -> bool:
    """One batch of notices in the caller's transaction; True when none were left."""
    version_id = int(row.version_id)
    ids: list[str] = []
    if changes:
        query = select(t.subjects.c.id).where(audience(changes))
        if row.last_subject_id is not None:
            query = query.where(t.subjects.c.id > row.last_subject_id)
        ids = list(conn.execute(query.order_by(t.subjects.c.id).limit(batch_size)).scalars())
    now = ledger.now()
    if not ids:
        conn.execute(
            policy_revisions.update()
            .where(policy_revisions.c.version_id == version_id)
            .values(notice="done", notices_done_at=now)
        )
        append(conn, _entry(now, actor, version_id, "done", row.reached, row.queued, row))
        return True
    version = ledger.policy_version(conn, version_id)
    r = reconsent_requirements
    requirements = set(
        conn.execute(select(r.c.purpose).where(r.c.version_id == version_id)).scalars()
    )
    held_items: dict[str, set[str]] = defaultdict(set)
    held_sources: dict[str, set[str]] = defaultdict(set)
    for record in conn.execute(
        select(t.records.c.subject_id, t.records.c.item, t.records.c.source)
        .where(t.records.c.subject_id.in_(ids))
        .distinct()
    ):
        held_items[record.subject_id].add(record.item)
        held_sources[record.subject_id].add(record.source)
    queued = without = 0
    for subject_id in ids:
        theirs = [
            c for c in changes if _reaches(c, held_items[subject_id], held_sources[subject_id])
        ]
        contact = subject_contact(ledger, conn, subject_id, actor=actor, duty=KIND)
        if contact is None:
            without += 1
            continue
        again = [
            p
            for c in theirs
            if c.change_class == "consent"
            for p in c.purposes
            if p in requirements
        ]
        context = message_context(
            ledger,
            version.policy,
            version.version,
            version.effective_date,
            contact.lang,
            theirs,
            again,
        )
        written = enqueue(
            ledger,
            conn,
            kind=KIND,
            lang=contact.lang,
            to=contact.address,
            context=context,
            subject_id=subject_id,
            ref=f"policy_version:{version_id}",
            dedupe_key=f"{KIND}:{version_id}:{subject_id}",
        )
        queued += written.id is not None
    conn.execute(
        policy_revisions.update()
        .where(policy_revisions.c.version_id == version_id)
        .values(
            last_subject_id=ids[-1],
            reached=policy_revisions.c.reached + len(ids),
            queued=policy_revisions.c.queued + queued,
            without_address=policy_revisions.c.without_address + without,
        )
    )
    append(conn, _entry(now, actor, version_id, "batch", len(ids), queued, row, without))
    return False


def _entry(
    now: Any, actor: str, version_id: int, step: str, reached: int, queued: int, row: Any,
    without: int | None = None,
) -> AuditEntry:  # fmt: skip
    return AuditEntry(
        at=now,
        actor=actor,
        action="policy_notice",
        outcome="done",
        detail={
            "version_id": version_id,
            "step": step,
            "reached": int(reached),
            "queued": int(queued),
            "without_address": int(row.without_address if without is None else without),
        },
    )


__all__ = ["KIND", "NoticeRun", "audience", "message_context", "send_notices", "told"]

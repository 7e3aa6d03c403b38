"""What publishing a revised policy obliges, recorded when it is published.

A version is compared with the version in force before it (the latest published version
that applies no later than it; the first publication has nothing to compare), and the
result is kept with the version, in the publish transaction, so that what was owed is
on record whatever hogo's rules say later:

- every change, classified by `hogo diff`'s rules (editorial, notify, consent, with the
  article), whom it reaches in the ledger, and what a person is told about it;
- for each purpose changed so that consent is needed again (beyond the reasonably related
  scope, Art. 17(2), 18(1)), a requirement that the purpose check enforces from the day the
  version applies: data held before the change is used for the purpose only once its
  subject consents after the change was published;
- whether people are notified (Art. 21(3)): by e-mail when the policy's `changes.notice`
  lists it (the previous version's or the new one's, whichever promises more), else by
  publishing the policy; `policy_notices` then queues the e-mails in batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, Json, append
from hogo.ledger.engine import READ_ONLY
from hogo.ledger.tables_policy_changes import (
    policy_changes,
    policy_revisions,
    reconsent_requirements,
)
from hogo.policy.diff import Change, ChangeClass, diff_policies, plain, reach
from hogo.policy.schema import ChangeNotice, Policy
from hogo.services.consent import aware
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger, japan_date


@dataclass(frozen=True)
class RecordedChange:
    """One change of a revision as recorded: the diff's verdict, whom it reaches, the words."""

    path: str
    kind: str
    change_class: str
    article: str
    message: str
    reach: str
    purposes: tuple[str, ...]
    items: tuple[str, ...]
    sources: tuple[str, ...]
    notice_ja: str
    notice_en: str

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "kind": self.kind,
            "change_class": self.change_class,
            "article": self.article,
            "message": self.message,
            "reach": self.reach,
            "purposes": list(self.purposes),
            "items": list(self.items),
            "sources": list(self.sources),
            "notice": {"ja": self.notice_ja, "en": self.notice_en},
        }


@dataclass(frozen=True)
class Requirement:
    """A purpose whose uses of data held before `since` need the subject's consent again."""

    purpose: str
    version_id: int
    since: datetime
    after_consent_id: int
    article: str

    def to_dict(self) -> dict[str, object]:
        return {
            "purpose": self.purpose,
            "version_id": self.version_id,
            "since": self.since.isoformat(),
            "after_consent_id": self.after_consent_id,
            "article": self.article,
        }


@dataclass(frozen=True)
class Revision:
    """What one published version changed and obliged; `previous_version_id` is None for
    the first publication, which changed nothing."""

    version_id: int
    version: str
    effective_date: date
    previous_version_id: int | None
    highest: str | None
    notice: str
    """none, published (policy only), pending (e-mails being queued) or done."""
    changes: tuple[RecordedChange, ...]
    requirements: tuple[Requirement, ...]
    reached: int
    queued: int
    without_address: int
    advance_notice_days: int | None
    warnings: tuple[str, ...]

    def counts(self) -> dict[str, int]:
        return {c.value: sum(1 for x in self.changes if x.change_class == c) for c in ChangeClass}

    def to_dict(self) -> dict[str, object]:
        return {
            "version_id": self.version_id,
            "version": self.version,
            "effective_date": self.effective_date.isoformat(),
            "previous_version_id": self.previous_version_id,
            "highest": self.highest,
            "counts": self.counts(),
            "notice": self.notice,
            "reached": self.reached,
            "queued": self.queued,
            "without_address": self.without_address,
            "advance_notice_days": self.advance_notice_days,
            "warnings": list(self.warnings),
            "changes": [c.to_dict() for c in self.changes],
            "requirements": [r.to_dict() for r in self.requirements],
        }


def predecessor(conn: Connection, version_id: int, effective: date) -> int | None:
    """The version in force before `version_id`: the latest other one applying by then."""
    v = t.policy_versions
    row = conn.execute(
        select(v.c.id)
        .where(v.c.effective_date <= effective, v.c.id != version_id)
        .order_by(v.c.effective_date.desc(), v.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else int(row.id)


def promised_notice(old: Policy, new: Policy) -> tuple[bool, int | None]:
    """Whether people are told by e-mail, and how many days ahead (Art. 21(3)): what the
    policy in force promised, or the revised one if it promises more."""
    by_email = any(ChangeNotice.EMAIL in p.changes.notice for p in (old, new))
    days = [p.changes.advance_notice_days for p in (old, new)]
    promised = [d for d in days if d is not None]
    return by_email, max(promised) if promised else None


def _advance_warning(days: int | None, effective: date, today: date) -> tuple[str, ...]:
    """Art. 21(3) asks for notice before a change applies; the policy may promise how long."""
    if days is None or (effective - today).days >= days:
        return ()
    return (
        f"the policy promises notice {days} day(s) before a revision applies, but this one "
        f"applies on {effective.isoformat()}, {(effective - today).days} day(s) from today",
    )


def record_revision(
    ledger: Ledger,
    conn: Connection,
    *,
    version_id: int,
    version: str,
    effective: date,
    new: Policy,
    actor: str,
) -> Revision | None:
    """Compare version `version_id` with its predecessor and record what it obliges, in
    the caller's (publish) transaction; None for the first publication."""
    previous_id = predecessor(conn, version_id, effective)
    if previous_id is None:
        return None
    old = ledger.policy_version(conn, previous_id).policy
    diff = diff_policies(old, new)
    now = ledger.now()
    changes: list[RecordedChange] = []
    again: dict[str, str] = {}
    for change in diff.changes:
        changes.append(_classified(old, new, change))
        for purpose in sorted(reach(change, old, new).reconsent):
            again.setdefault(purpose, change.article)
    after = int(conn.execute(select(func.coalesce(func.max(t.consents.c.id), 0))).scalar_one())
    requirements = tuple(
        Requirement(purpose, version_id, now, after, article)
        for purpose, article in sorted(again.items())
    )
    by_email, days = promised_notice(old, new)
    notice = "none" if not diff.requires_notice else ("pending" if by_email else "published")
    warnings = _advance_warning(days, effective, ledger.today()) if diff.requires_notice else ()
    highest = None if diff.highest is None else diff.highest.value
    conn.execute(
        policy_revisions.insert().values(
            version_id=version_id,
            previous_version_id=previous_id,
            highest=highest,
            notice=notice,
            advance_notice_days=days,
            reached=0,
            queued=0,
            without_address=0,
            created_at=now,
        )
    )
    if changes:
        conn.execute(
            policy_changes.insert(),
            [_change_row(version_id, n, c) for n, c in enumerate(changes)],
        )
    if requirements:
        conn.execute(
            reconsent_requirements.insert(),
            [
                {
                    "version_id": version_id,
                    "purpose": r.purpose,
                    "since": r.since,
                    "after_consent_id": r.after_consent_id,
                    "article": r.article,
                }
                for r in requirements
            ],
        )
    revision = Revision(
        version_id,
        version,
        effective,
        previous_id,
        highest,
        notice,
        tuple(changes),
        requirements,
        0,
        0,
        0,
        days,
        warnings,
    )
    counts: dict[str, Json] = {**revision.counts()}
    append(
        conn,
        AuditEntry(
            at=now,
            actor=actor,
            action="policy_revision",
            outcome="done",
            detail={
                "version_id": version_id,
                "previous_version_id": previous_id,
                "highest": highest,
                "counts": counts,
                "notice": notice,
                "reconsent": [r.purpose for r in requirements],
                "after_consent_id": after,
                "warnings": list(warnings),
            },
        ),
    )
    return revision


def _change_row(version_id: int, position: int, change: RecordedChange) -> dict[str, Any]:
    return {
        "version_id": version_id,
        "position": position,
        "path": change.path,
        "kind": change.kind,
        "change_class": change.change_class,
        "article": change.article,
        "message": change.message,
        "reach": change.reach,
        "purposes": list(change.purposes),
        "items": list(change.items),
        "sources": list(change.sources),
        "notice_ja": change.notice_ja,
        "notice_en": change.notice_en,
    }


def load_changes(conn: Connection, version_id: int) -> tuple[RecordedChange, ...]:
    rows = conn.execute(
        select(policy_changes)
        .where(policy_changes.c.version_id == version_id)
        .order_by(policy_changes.c.position)
    )
    return tuple(
        RecordedChange(
            r.path,
            r.kind,
            r.change_class,
            r.article,
            r.message,
            r.reach,
            tuple(r.purposes),
            tuple(r.items),
            tuple(r.sources),
            r.notice_ja,
            r.notice_en,
        )
        for r in rows
    )


def load_revision(conn: Connection, version_id: int) -> Revision:
    """The recorded revision of a published version (NotFound when there is no such one)."""
    v = t.policy_versions
    version = conn.execute(select(v).where(v.c.id == version_id)).first()
    if version is None:
        raise NotFound(f"no policy version #{version_id}")
    row = conn.execute(
        select(policy_revisions).where(policy_revisions.c.version_id == version_id)
    ).first()
    if row is None:
        return Revision(
            version_id,
            version.version,
            version.effective_date,
            None,
            None,
            "none",
            (),
            (),
            0,
            0,
            0,
            None,
            (),
        )
    r = reconsent_requirements
    requirements = tuple(
        Requirement(x.purpose, version_id, aware(x.since), int(x.after_consent_id), x.article)
        for x in conn.execute(select(r).where(r.c.version_id == version_id).order_by(r.c.purpose))
    )
    return Revision(
        version_id=version_id,
        version=version.version,
        effective_date=version.effective_date,
        previous_version_id=int(row.previous_version_id),
        highest=row.highest,
        notice=row.notice,
        changes=load_changes(conn, version_id),
        requirements=requirements,
        reached=int(row.reached),
        queued=int(row.queued),
        without_address=int(row.without_address),
        advance_notice_days=row.advance_notice_days,
        warnings=_advance_warning(
            row.advance_notice_days if row.notice != "none" else None,
            version.effective_date,
            japan_date(aware(row.created_at)),
        ),
    )


def revision(ledger: Ledger, version_id: int | None = None) -> Revision:
    """What version `version_id` (default: the latest published) changed and obliged."""
    if version_id is not None and (isinstance(version_id, bool) or not isinstance(version_id, int)):
        raise BadInput(f"a version is a number such as 3, not {version_id!r}")
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        if version_id is None:
            latest = conn.execute(select(func.max(t.policy_versions.c.id))).scalar_one()
            if latest is None:
                raise NotFound("no policy version is published yet")
            version_id = int(latest)
        return load_revision(conn, version_id)


def compare_versions(ledger: Ledger, from_id: int, to_id: int) -> tuple[RecordedChange, ...]:
    """The classified changes from published version `from_id` to `to_id` (any two, in
    either order; nothing is recorded): what `hogo diff` says of the two stored policies."""
    for name, value in (("from", from_id), ("to", to_id)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BadInput(f"a version ({name}) is a number such as 3, not {value!r}"[:200])
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        found = {
            int(r.id)
            for r in conn.execute(
                select(t.policy_versions.c.id).where(t.policy_versions.c.id.in_((from_id, to_id)))
            )
        }
        for value in (from_id, to_id):
            if value not in found:
                raise NotFound(f"no policy version #{value}")
        old = ledger.policy_version(conn, from_id).policy
        new = ledger.policy_version(conn, to_id).policy
    return tuple(_classified(old, new, change) for change in diff_policies(old, new).changes)


def _classified(old: Policy, new: Policy, change: Change) -> RecordedChange:
    scope = reach(change, old, new)
    words = plain(change, old, new)
    return RecordedChange(
        path=change.path,
        kind=change.kind,
        change_class=change.change_class.value,
        article=change.article,
        message=change.message,
        reach=scope.who,
        purposes=tuple(sorted(scope.purposes)),
        items=tuple(sorted(scope.items)),
        sources=tuple(sorted(scope.sources)),
        notice_ja=words.ja,
        notice_en=words.en,
    )


__all__ = [
    "RecordedChange",
    "Requirement",
    "Revision",
    "compare_versions",
    "load_revision",
    "predecessor",
    "promised_notice",
    "record_revision",
    "revision",
]

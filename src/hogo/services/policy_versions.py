"""Publishing a policy version: the moment a promise becomes the one enforced.

Publishing a revision also records what it obliges (`policy_changes`: the diff against
the version in force before it, the notices owed, the purposes that need consent again)
in the same transaction, then queues the notices (`policy_notices`) in batches.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Connection

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.engine import READ_ONLY
from hogo.policy.check import Finding, Severity, check_policy
from hogo.policy.loader import LoadedPolicy, PolicyLoadError, load_policy
from hogo.services.errors import BadInput, Refused
from hogo.services.ledger import Ledger
from hogo.services.policy_changes import Revision, load_revision, record_revision
from hogo.services.policy_notices import NoticeRun, Progress, send_notices


@dataclass(frozen=True)
class Published:
    version_id: int
    digest: str
    version: str
    effective_date: date
    created: bool
    warnings: tuple[Finding, ...] = ()
    revision: Revision | None = None
    """What the version changed from the one in force before it; None for the first."""
    notices: NoticeRun | None = None
    """The notice step, when the revision is notified by e-mail."""

    def to_dict(self) -> dict[str, object]:
        return {
            "version_id": self.version_id,
            "digest": self.digest,
            "version": self.version,
            "effective_date": self.effective_date.isoformat(),
            "created": self.created,
            "warnings": [w.to_dict() for w in self.warnings],
            "revision": None if self.revision is None else self.revision.to_dict(),
            "notices": None if self.notices is None else self.notices.to_dict(),
        }


@dataclass(frozen=True)
class VersionRow:
    version_id: int
    digest: str
    version: str
    effective_date: date
    published_at: str

    def to_dict(self) -> dict[str, object]:
        return {
            "version_id": self.version_id,
            "digest": self.digest,
            "version": self.version,
            "effective_date": self.effective_date.isoformat(),
            "published_at": self.published_at,
        }


def publish(
    ledger: Ledger,
    path: Path,
    *,
    effective: date | None = None,
    actor: str,
    allow_errors: bool = False,
    progress: Progress | None = None,
) -> Published:
    """Store the policy text as a version effective on `effective` (default today).

    A policy with `hogo check` errors is refused unless `allow_errors`: publishing is a
    promise to people, and an error means the promise breaks the law or cannot be kept.
    A revision's changes, notices owed and re-consent requirements are recorded with it,
    then its notices are queued (`progress` hears of each batch). Publishing the same text
    twice returns the existing version, and finishes queueing its notices if a previous
    run stopped half way.
    """
    try:
        loaded = load_policy(path)
    except PolicyLoadError as exc:
        raise BadInput(str(exc)) from None
    effective = effective or ledger.today()
    findings = check_policy(loaded, today=ledger.today())
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors and not allow_errors:
        listing = "\n".join(f"  {f}" for f in errors)
        raise Refused(
            f"{path} has {len(errors)} error(s) under `hogo check`; fix them "
            f"(or publish with --allow-errors):\n{listing}",
            code="policy_has_errors",
        )
    warnings = tuple(f for f in findings if f.severity is Severity.WARNING)
    with ledger.engine.begin() as conn:
        existing = conn.execute(
            select(t.policy_versions).where(t.policy_versions.c.digest == loaded.digest)
        ).first()
        if existing is not None:
            published = Published(
                int(existing.id),
                existing.digest,
                existing.version,
                existing.effective_date,
                created=False,
                warnings=warnings,
            )
        else:
            published = _insert(ledger, conn, loaded, effective, actor, len(errors), warnings)
    return _with_notices(ledger, published, actor, progress)


def _insert(
    ledger: Ledger,
    conn: Connection,
    loaded: LoadedPolicy,
    effective: date,
    actor: str,
    errors: int,
    warnings: tuple[Finding, ...],
) -> Published:
    """The new version, its audit entry and what it obliges, in the caller's transaction."""
    version = loaded.policy.policy.version
    version_id = conn.execute(
        t.policy_versions.insert()
        .values(
            digest=loaded.digest,
            version=version,
            effective_date=effective,
            published_at=ledger.now(),
            text=loaded.text,
        )
        .returning(t.policy_versions.c.id)
    ).scalar_one()
    append(
        conn,
        AuditEntry(
            at=ledger.now(),
            actor=actor,
            action="policy_publish",
            outcome="done",
            detail={
                "version_id": int(version_id),
                "digest": loaded.digest,
                "version": version,
                "effective_date": effective.isoformat(),
                "errors_allowed": errors,
            },
        ),
    )
    record_revision(
        ledger,
        conn,
        version_id=int(version_id),
        version=version,
        effective=effective,
        new=loaded.policy,
        actor=actor,
    )
    return Published(int(version_id), loaded.digest, version, effective, True, warnings)


def _with_notices(
    ledger: Ledger, published: Published, actor: str, progress: Progress | None
) -> Published:
    """Queue the revision's notices (or the rest of them), then report the revision."""
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        revision = load_revision(conn, published.version_id)
    notices = None
    if revision.notice in ("pending", "done"):
        notices = send_notices(ledger, published.version_id, actor=actor, progress=progress)
        with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
            revision = load_revision(conn, published.version_id)
    if revision.previous_version_id is None:
        return replace(published, notices=notices)
    return replace(published, revision=revision, notices=notices)


def versions(ledger: Ledger) -> list[VersionRow]:
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(t.policy_versions).order_by(t.policy_versions.c.id)).all()
    return [
        VersionRow(int(r.id), r.digest, r.version, r.effective_date, r.published_at.isoformat())
        for r in rows
    ]

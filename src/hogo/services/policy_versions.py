"""Publishing a policy version: the moment a promise becomes the one enforced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.policy.check import Finding, Severity, check_policy
from hogo.policy.loader import PolicyLoadError, load_policy
from hogo.services.errors import BadInput, Refused
from hogo.services.ledger import Ledger


@dataclass(frozen=True)
class Published:
    version_id: int
    digest: str
    version: str
    effective_date: date
    created: bool
    warnings: tuple[Finding, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "version_id": self.version_id,
            "digest": self.digest,
            "version": self.version,
            "effective_date": self.effective_date.isoformat(),
            "created": self.created,
            "warnings": [w.to_dict() for w in self.warnings],
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
) -> Published:
    """Store the policy text as a version effective on `effective` (default today).

    A policy with `hogo check` errors is refused unless `allow_errors`: publishing is a
    promise to people, and an error means the promise breaks the law or cannot be kept.
    Publishing the same text twice returns the existing version.
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
            return Published(
                int(existing.id),
                existing.digest,
                existing.version,
                existing.effective_date,
                created=False,
                warnings=warnings,
            )
        version_id = conn.execute(
            t.policy_versions.insert()
            .values(
                digest=loaded.digest,
                version=loaded.policy.policy.version,
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
                    "version": loaded.policy.policy.version,
                    "effective_date": effective.isoformat(),
                    "errors_allowed": len(errors),
                },
            ),
        )
    return Published(
        int(version_id), loaded.digest, loaded.policy.policy.version, effective, True, warnings
    )


def versions(ledger: Ledger) -> list[VersionRow]:
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(t.policy_versions).order_by(t.policy_versions.c.id)).all()
    return [
        VersionRow(int(r.id), r.digest, r.version, r.effective_date, r.published_at.isoformat())
        for r in rows
    ]

"""What a use answers and records, shared by the general path (`use`) and the hot path
(`use_hot`): the result, the purpose check's view of a subject, the audit entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hogo.domain.purpose_check import Decision, SubjectState
from hogo.ledger.audit import AuditEntry, Json
from hogo.services.ledger import PolicyInForce


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


def subject_state(
    version: PolicyInForce,
    *,
    erased: bool,
    collected_under: int,
    consents: dict[str, bool],
    consent_ids: dict[str, int],
    suspended_all: bool,
    suspended: set[str],
    expired: set[str],
) -> SubjectState:
    """The purpose check's view of one subject; both read paths build it here."""
    return SubjectState(
        erased=erased,
        consents=consents,
        consent_ids=consent_ids,
        collected_under=collected_under,
        opted_out=frozenset(p for p in version.opt_out_purposes if consents.get(p) is False),
        suspended_all=suspended_all,
        suspended_purposes=frozenset(suspended),
        expired_items=frozenset(expired),
    )


def use_entry(
    now: datetime, actor: str, subject_id: str, purpose: str, items: tuple[str, ...],
    decision: Decision, version: PolicyInForce,
) -> AuditEntry:  # fmt: skip
    detail: dict[str, Json] = {"policy_version_id": version.version_id}
    if decision.detail:
        detail["detail"] = decision.detail
    return AuditEntry(
        at=now,
        actor=actor,
        action="use",
        outcome="allowed" if decision.allowed else "refused",
        subject_id=subject_id,
        purpose=purpose,
        items=items,
        reason=decision.reason.value,
        detail=detail,
    )

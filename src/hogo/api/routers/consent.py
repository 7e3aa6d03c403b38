"""POST /consents: a consent or its withdrawal (an opt-out for an opt-out purpose)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from hogo.api.deps import ClientDep, LedgerDep, within_scope
from hogo.api.routers.models import Body, Evidence, Name, SubjectId
from hogo.services.consent import record_consent

router = APIRouter(tags=["consent"])


class ConsentIn(Body):
    subject_id: SubjectId
    purpose: Name
    granted: bool
    evidence: Evidence | None = None
    method: Literal["form", "portal", "api", "paper"] = "api"


@router.post("/consents", status_code=201)
def consent(body: ConsentIn, ledger: LedgerDep, client: ClientDep) -> Any:
    within_scope(client, purposes=[body.purpose])
    event = record_consent(
        ledger,
        body.subject_id,
        purpose=body.purpose,
        granted=body.granted,
        actor=client.actor,
        evidence=body.evidence,
        method=body.method,
    )
    return event.to_dict()

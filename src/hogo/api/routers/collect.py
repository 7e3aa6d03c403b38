"""POST /collect: record what was collected from a declared source."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from hogo.api.deps import ClientDep, LedgerDep, within_scope
from hogo.api.routers.models import Body, Evidence, Name, SubjectId, Value
from hogo.services.collect import Collection
from hogo.services.collect import collect as collect_service

router = APIRouter(tags=["collect"])


class CollectIn(Body):
    source: Name
    values: Annotated[dict[Name, Value], Field(min_length=1, max_length=200)]
    subject_id: SubjectId | None = None
    consents: Annotated[dict[Name, bool], Field(max_length=200)] = Field(default_factory=dict)
    evidence: Evidence | None = None


@router.post("/collect", status_code=201)
def collect(body: CollectIn, ledger: LedgerDep, client: ClientDep) -> Any:
    within_scope(client, purposes=body.consents, items=body.values)
    collected = collect_service(
        ledger,
        Collection(
            body.source,
            body.values,
            subject_id=body.subject_id,
            consents=body.consents,
            evidence=body.evidence,
            method="api",
        ),
        actor=client.actor,
    )
    return collected.to_dict()

"""GET /eligible: whom a purpose may reach now (one SQL query)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hogo.api.deps import ClientDep, LedgerDep, within_scope
from hogo.services.eligible import MAX_LIMIT
from hogo.services.eligible import eligible as eligible_service

router = APIRouter(tags=["eligible"])


@router.get("/eligible")
def eligible(
    ledger: LedgerDep,
    client: ClientDep,
    purpose: Annotated[str, Query(min_length=1, max_length=63)],
    count: bool = False,
    limit: Annotated[int | None, Query(ge=1, le=MAX_LIMIT)] = None,
) -> Any:
    within_scope(client, purposes=[purpose])
    return eligible_service(ledger, purpose=purpose, count_only=count, limit=limit).to_dict()

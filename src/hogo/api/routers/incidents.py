"""Leakage incidents (Art. 26), read-only, for keys with the operations capability."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from hogo.api.deps import LedgerDep
from hogo.api.routers.ops import OpsDep
from hogo.services.incidents import list_incidents, show_incident

router = APIRouter(tags=["incidents"])


@router.get("/incidents")
def listing(
    ledger: LedgerDep,
    client: OpsDep,
    state: Annotated[Literal["open", "closed"] | None, Query()] = None,
) -> Any:
    return [v.to_dict() for v in list_incidents(ledger, state=state)]


@router.get("/incidents/{incident_id}")
def one(
    incident_id: Annotated[int, Path(ge=1, le=2**31 - 1)], ledger: LedgerDep, client: OpsDep
) -> Any:
    return show_incident(ledger, incident_id).to_dict()

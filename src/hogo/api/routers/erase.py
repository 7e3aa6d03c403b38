"""POST /subjects/{id}/erase: erase some items, or the whole subject (crypto-shredding)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field, StringConstraints

from hogo.api.deps import ClientDep, LedgerDep, within_scope
from hogo.api.routers.models import Body, Name
from hogo.services.erasure import erase as erase_service
from hogo.services.errors import Refused

router = APIRouter(tags=["erase"])


class EraseIn(Body):
    items: Annotated[list[Name], Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="the items to erase; omit to erase the whole subject"
    )
    reason: Annotated[str, StringConstraints(max_length=2_000)] | None = None


@router.post("/subjects/{subject_id}/erase")
def erase(
    subject_id: Annotated[str, StringConstraints(min_length=1, max_length=32)],
    body: EraseIn,
    ledger: LedgerDep,
    client: ClientDep,
) -> Any:
    """A key may erase only its own items; a whole subject only with every declared item."""
    if body.items is not None:
        within_scope(client, items=body.items)
    else:
        with ledger.engine.connect() as conn:
            declared = set(ledger.policy_in_force(conn).items)
        if not declared <= client.items:
            raise Refused(
                f"the key {client.name!r} does not cover every item, so it may not erase a "
                "whole subject; name the items to erase",
                code="key_scope",
            )
    result = erase_service(
        ledger, subject_id, items=body.items, actor=client.actor, reason=body.reason
    )
    return result.to_dict()

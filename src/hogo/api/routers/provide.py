"""POST /provisions: provide subjects' data to a recipient, writing the Art. 29 record."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field, StringConstraints

from hogo.api.deps import ClientDep, LedgerDep, within_scope
from hogo.api.routers.models import Body, Name, SubjectId
from hogo.services.provision import provide as provide_service

router = APIRouter(tags=["provide"])


class ProvideIn(Body):
    subject_ids: Annotated[list[SubjectId], Field(min_length=1, max_length=10_000)]
    recipient: Name
    items: Annotated[list[Name], Field(min_length=1, max_length=200)]
    basis: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    note: Annotated[str, StringConstraints(max_length=2_000)] | None = None


@router.post("/provisions", status_code=201)
def provide(body: ProvideIn, ledger: LedgerDep, client: ClientDep) -> Any:
    """All the subjects are provided, or none with the reason (403 when the basis fails)."""
    within_scope(client, items=body.items)
    result = provide_service(
        ledger,
        body.subject_ids,
        recipient=body.recipient,
        items=body.items,
        basis=body.basis,
        note=body.note,
        actor=client.actor,
    )
    return result.to_dict()

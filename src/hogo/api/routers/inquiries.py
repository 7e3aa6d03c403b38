"""Inquiries and complaints (Art. 40): record one, list the register (operations keys)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import StringConstraints

from hogo.api.deps import LedgerDep
from hogo.api.routers.models import Body, SubjectId
from hogo.api.routers.ops import OpsDep
from hogo.services.inquiries import list_inquiries, new_inquiry

router = APIRouter(tags=["inquiries"])

InquiryKind = Literal["question", "opinion", "complaint"]


class InquiryIn(Body):
    kind: InquiryKind
    channel: Literal["email", "form", "phone", "post", "counter", "portal"]
    text: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
    email: Annotated[str, StringConstraints(min_length=3, max_length=254)] | None = None
    subject_id: SubjectId | None = None
    lang: Literal["ja", "en"] | None = None


@router.post("/inquiries", status_code=201)
def create(body: InquiryIn, ledger: LedgerDep, client: OpsDep) -> Any:
    return new_inquiry(
        ledger,
        kind=body.kind,
        channel=body.channel,
        text=body.text,
        email=body.email,
        subject_id=body.subject_id,
        lang=body.lang,
        actor=client.actor,
    ).to_dict()


@router.get("/inquiries")
def listing(
    ledger: LedgerDep,
    client: OpsDep,
    open_only: Annotated[bool, Query()] = False,
    kind: Annotated[InquiryKind | None, Query()] = None,
) -> Any:
    return [
        i.to_dict()
        for i in list_inquiries(ledger, actor=client.actor, open_only=open_only, kind=kind)
    ]

"""Data-subject requests (Arts. 32–35) for keys with the operations capability:
create, list, read, and move through verify, fulfil, refuse and withdraw."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import Field, StringConstraints

from hogo.api.deps import LedgerDep
from hogo.api.routers.models import Body, Evidence, Name, SubjectId, Value
from hogo.api.routers.ops import OpsDep
from hogo.services import requests as register

router = APIRouter(tags=["requests"])

RequestId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Kind = Literal[
    "purpose_notice",
    "disclosure",
    "provision_records",
    "correction",
    "addition",
    "deletion",
    "suspension_of_use",
    "erasure",
    "stop_provision",
]
Channel = Literal["portal", "email", "post", "phone", "counter", "form"]
State = Literal["received", "verifying", "in_progress", "answered", "refused", "withdrawn"]
Method = Literal[
    "portal_login",
    "registered_email",
    "held_items",
    "id_document",
    "in_person",
    "phone_callback",
    "agent_documents",
]
Ground = Literal[
    "harm",
    "business_disruption",
    "other_law",
    "repeated",
    "purpose_public",
    "data_true",
    "no_art35_ground",
    "not_retained",
    "identity_not_verified",
]
Email = Annotated[str, StringConstraints(min_length=3, max_length=254)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Names = Annotated[list[Name], Field(min_length=1, max_length=200)]


class RequestIn(Body):
    kind: Kind
    subject_id: SubjectId | None = None
    email: Email | None = Field(default=None, description="where to answer; finds the person")
    agent_name: Short | None = None
    agent_authority: Evidence | None = None
    channel: Channel = "email"
    lang: Literal["ja", "en"] | None = None


class VerifyIn(Body):
    method: Method
    evidence: Annotated[str, StringConstraints(min_length=1, max_length=2_000)]
    items: Names | None = None
    pending: bool = False
    subject_id: SubjectId | None = None


class FulfilIn(Body):
    values: Annotated[dict[Name, Value], Field(max_length=200)] | None = None
    items: Names | None = None
    purposes: Names | None = None


class RefuseIn(Body):
    ground: Ground
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2_000)]


class WithdrawIn(Body):
    note: Evidence | None = None


@router.post("/requests", status_code=201)
def create(body: RequestIn, ledger: LedgerDep, client: OpsDep) -> Any:
    received = register.new_request(
        ledger,
        kind=body.kind,
        subject_id=body.subject_id,
        email=body.email,
        agent_name=body.agent_name,
        agent_authority=body.agent_authority,
        channel=body.channel,
        lang=body.lang,
        actor=client.actor,
    )
    return received.to_dict()


@router.get("/requests")
def listing(
    ledger: LedgerDep,
    client: OpsDep,
    state: Annotated[State | None, Query()] = None,
    due_before: Annotated[date | None, Query()] = None,
) -> Any:
    return [r.to_dict() for r in register.list_requests(ledger, state=state, due_before=due_before)]


@router.get("/requests/{request_id}")
def one(request_id: RequestId, ledger: LedgerDep, client: OpsDep) -> Any:
    return register.show(ledger, request_id, actor=client.actor).to_dict()


@router.post("/requests/{request_id}/verify")
def verify(request_id: RequestId, body: VerifyIn, ledger: LedgerDep, client: OpsDep) -> Any:
    return register.verify(
        ledger,
        request_id,
        method=body.method,
        evidence=body.evidence,
        items=body.items,
        pending=body.pending,
        subject_id=body.subject_id,
        actor=client.actor,
    ).to_dict()


@router.post("/requests/{request_id}/fulfil")
def fulfil(request_id: RequestId, body: FulfilIn, ledger: LedgerDep, client: OpsDep) -> Any:
    return register.fulfil(
        ledger,
        request_id,
        values=body.values,
        items=body.items,
        purposes=body.purposes,
        actor=client.actor,
    ).to_dict()


@router.post("/requests/{request_id}/refuse")
def refuse(request_id: RequestId, body: RefuseIn, ledger: LedgerDep, client: OpsDep) -> Any:
    return register.refuse(
        ledger, request_id, ground=body.ground, reason=body.reason, actor=client.actor
    ).to_dict()


@router.post("/requests/{request_id}/withdraw")
def withdraw(request_id: RequestId, body: WithdrawIn, ledger: LedgerDep, client: OpsDep) -> Any:
    return register.withdraw(ledger, request_id, note=body.note, actor=client.actor).to_dict()

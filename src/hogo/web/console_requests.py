"""The console's request queue (/console/requests): the list, one request, and its workflow.

Officers and operators verify, fulfil, refuse and withdraw; auditors read the queue and
each request (its contact masked, no evidence or notes) but act on nothing and download
no package, which holds the person's values. A service's refusal is shown next to the
form it came from, with nothing written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from hogo.domain.requests import (
    GROUNDS,
    OPEN_STATES,
    VERIFICATION_METHODS,
    RequestKind,
    RequestState,
    kind_label,
)
from hogo.services import choices, subjects
from hogo.services import requests as service
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.web.console import ALL_ROLES, LangDep, LedgerDep, Staff, require
from hogo.web.console import page_response as page
from hogo.web.forms import text, undeclared, values
from hogo.web.templating import say

router = APIRouter(prefix="/console", include_in_schema=False)

WORKERS = ("officer", "operator")
StaffDep = Annotated[Staff, Depends(require(*ALL_ROLES))]
WorkerDep = Annotated[Staff, Depends(require(*WORKERS))]
VALUE_KINDS = frozenset({RequestKind.CORRECTION, RequestKind.ADDITION})
ITEM_KINDS = frozenset({RequestKind.DISCLOSURE, RequestKind.DELETION, RequestKind.ERASURE})
PURPOSE_KINDS = frozenset({RequestKind.SUSPENSION_OF_USE, RequestKind.STOP_PROVISION})
PACKAGE_KINDS = frozenset({RequestKind.DISCLOSURE, RequestKind.PROVISION_RECORDS})
STATES = tuple(s.value for s in RequestState)


def _actor(who: Staff) -> str:
    return f"console:{who.user.username}"


def _id(request_id: str) -> str:
    return request_id[:40]


def mask_contact(contact: str | None) -> str | None:
    """An address shown masked: the first character and the domain."""
    if not contact:
        return contact
    local, at, domain = contact.partition("@")
    return f"{local[:1]}***{at}{domain}" if at else f"{contact[:1]}***"


@router.get("/requests")
def queue(
    request: Request,
    ledger: LedgerDep,
    lang: LangDep,
    who: StaffDep,
    state: str = "",
    due_before: str = "",
) -> Response:
    error = None
    found: list[service.Request] = []
    try:
        before = date.fromisoformat(due_before) if due_before else None
    except ValueError:
        before, error = None, "bad_date"
    if error is None:
        try:
            found = service.list_requests(
                ledger, state=state or None, due_before=before, today=ledger.today()
            )
        except BadInput:
            error = "bad_state"
    response = page(
        request,
        "console/requests.html.j2",
        lang,
        who,
        found=found,
        state=state[:20],
        due_before=due_before[:10],
        states=STATES,
        error=error,
        kind_label=lambda k: kind_label(RequestKind(k), lang),
    )
    if error is not None:
        response.status_code = 422
    return response


def _detail_page(
    request: Request,
    ledger: LedgerDep,
    lang: str,
    who: Staff,
    request_id: str,
    *,
    failed: str | None = None,
    error: str | None = None,
    form: dict[str, object] | None = None,
    search: Search | None = None,
    status: int = 200,
) -> Response:
    detail = service.show(ledger, request_id, actor=_actor(who))
    kind = RequestKind(detail.request.kind)
    state = RequestState(detail.request.state)
    worker = who.user.role in WORKERS
    grounds = [
        (g.value, spec.ja if lang == "ja" else spec.en, spec.article)
        for g, spec in GROUNDS.items()
        if kind in spec.kinds
    ]
    can_verify = state in (RequestState.RECEIVED, RequestState.VERIFYING)
    can_fulfil = state is RequestState.IN_PROGRESS
    forms = {"verify": can_verify, "fulfil": can_fulfil, "refuse": True, "withdraw": True}
    shown = worker and state in OPEN_STATES and forms.get(failed or "", False)
    # The person is identified at verification when the address matched no one, or several.
    unbound = worker and can_verify and detail.request.subject_id is None
    response = page(
        request,
        "console/request.html.j2",
        lang,
        who,
        detail=detail,
        r=detail.request,
        kind=kind.value,
        kind_name=kind_label(kind, lang),
        contact=mask_contact(detail.contact),
        worker=worker,
        is_open=state in OPEN_STATES,
        can_verify=can_verify,
        can_fulfil=can_fulfil,
        orphan_error=failed is not None and not shown,
        needs_values=kind in VALUE_KINDS,
        takes_items=kind in ITEM_KINDS,
        takes_purposes=kind in PURPOSE_KINDS,
        has_package=worker
        and kind in PACKAGE_KINDS
        and state is RequestState.ANSWERED
        and isinstance(detail.answer, dict),
        methods=VERIFICATION_METHODS,
        grounds=grounds,
        failed=failed,
        error=error,
        form=form or {},
        offered=choices.choices(ledger, lang),
        unbound=unbound,
        search=search if unbound else None,
    )
    response.status_code = status
    return response


@router.get("/requests/{request_id}")
def one_request(
    request: Request, request_id: str, ledger: LedgerDep, lang: LangDep, who: StaffDep
) -> Response:
    return _detail_page(request, ledger, lang, who, _id(request_id))


def _acted(
    request: Request,
    ledger: LedgerDep,
    lang: str,
    who: Staff,
    request_id: str,
    action: str,
    form: dict[str, object],
    do: Callable[[], object],
) -> Response:
    """Run `do` (a service call); on success back to the request, else the page again with
    the service's message next to the form that failed (nothing was written)."""
    try:
        do()
    except NotFound:
        raise
    except (BadInput, Refused) as exc:
        status = 409 if isinstance(exc, Refused) or exc.code == "illegal_transition" else 422
        return _detail_page(
            request,
            ledger,
            lang,
            who,
            request_id,
            failed=action,
            error=exc.message,
            form=form,
            status=status,
        )
    return RedirectResponse(f"/console/requests/{request_id}", status_code=303)


@dataclass(frozen=True)
class Search:
    """A look-up for the subject a request is about, and what it found."""

    email: str = ""
    phone: str = ""
    own: bool = False
    """Searched with the address the request came from (never shown on the page)."""
    found: tuple[subjects.SubjectSummary, ...] = ()
    error: str | None = None


@router.get("/requests/{request_id}/subjects")
def find_subject(
    request: Request,
    request_id: str,
    ledger: LedgerDep,
    lang: LangDep,
    who: WorkerDep,
    email: str = "",
    phone: str = "",
    own: str = "",
) -> Response:
    """Search the blind index (as /console/subjects does, audited as a look-up) for the
    person a request is about, to bind it at verification; with `own`, search with the
    address the request came from, which the page does not show."""
    rid = _id(request_id)
    email, phone = email.strip()[:320], phone.strip()[:40]
    if not (own or email or phone):
        return _detail_page(request, ledger, lang, who, rid)
    search = Search(email=email, phone=phone, own=bool(own))
    if own:
        contact = service.show(ledger, rid, actor=_actor(who)).contact or ""
        email, phone = (contact if "@" in contact else ""), ""
        if not email:
            search = replace(search, error=say("no_address_to_search", lang))
    if search.error is None:
        try:  # an e-mail address when both are given
            found = subjects.find(
                ledger, email=email or None, phone=None if email else phone, actor=_actor(who)
            )
            search = replace(search, found=tuple(found))
        except BadInput as exc:
            search = replace(search, error=exc.message)
    status = 422 if search.error is not None else 200
    return _detail_page(request, ledger, lang, who, rid, search=search, status=status)


@router.post("/requests/{request_id}/verify")
async def verify(
    request: Request, request_id: str, ledger: LedgerDep, lang: LangDep, who: WorkerDep
) -> Response:
    rid = _id(request_id)
    posted = await request.form()
    method = text(posted, "method", 40)
    evidence = text(posted, "evidence", 4000)
    items = values(posted, "items")
    subject = text(posted, "subject", 32).strip() or None
    form: dict[str, object] = {
        "method": method,
        "evidence": evidence,
        "items": items,
        "subject": subject or "",
    }
    problem = undeclared(items, choices.choices(ledger, lang).items, lang)

    def run() -> object:
        if problem is not None:
            raise BadInput(problem)
        try:
            return service.verify(
                ledger,
                rid,
                method=method,
                evidence=evidence,
                items=items or None,
                pending=bool(text(posted, "pending", 10)),
                subject_id=subject,
                actor=_actor(who),
            )
        except NotFound as exc:
            if subject is not None and exc.message.startswith("no subject"):
                raise BadInput(say("no_such_subject", lang, subject=subject)) from None
            raise

    return _acted(request, ledger, lang, who, rid, "verify", form, run)


@router.post("/requests/{request_id}/fulfil")
async def fulfil(
    request: Request, request_id: str, ledger: LedgerDep, lang: LangDep, who: WorkerDep
) -> Response:
    rid = _id(request_id)
    posted = await request.form()
    item = text(posted, "item", 100).strip()
    value = text(posted, "value", 4000)
    items = values(posted, "items")
    purposes = values(posted, "purposes")
    offered = choices.choices(ledger, lang)
    problem = (
        undeclared([item] if item else [], offered.items, lang)
        or undeclared(items, offered.items, lang)
        or undeclared(purposes, offered.purposes, lang)
    )

    def run() -> object:
        # The page offers only the fields the kind takes; the service refuses the rest.
        if problem is not None:
            raise BadInput(problem)
        return service.fulfil(
            ledger,
            rid,
            values={item: value} if item else None,
            items=items or None,
            purposes=purposes or None,
            actor=_actor(who),
        )

    # The value typed in is not sent back into the page: it is the person's data.
    form: dict[str, object] = {"item": item, "items": items, "purposes": purposes}
    return _acted(request, ledger, lang, who, rid, "fulfil", form, run)


@router.post("/requests/{request_id}/refuse")
def refuse(
    request: Request,
    request_id: str,
    ledger: LedgerDep,
    lang: LangDep,
    who: WorkerDep,
    ground: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    rid = _id(request_id)
    return _acted(
        request,
        ledger,
        lang,
        who,
        rid,
        "refuse",
        {"ground": ground, "reason": reason},
        lambda: service.refuse(ledger, rid, ground=ground, reason=reason, actor=_actor(who)),
    )


@router.post("/requests/{request_id}/withdraw")
def withdraw(
    request: Request,
    request_id: str,
    ledger: LedgerDep,
    lang: LangDep,
    who: WorkerDep,
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    rid = _id(request_id)
    return _acted(
        request,
        ledger,
        lang,
        who,
        rid,
        "withdraw",
        {"note": note},
        lambda: service.withdraw(ledger, rid, note=note.strip() or None, actor=_actor(who)),
    )


def _package(ledger: LedgerDep, who: Staff, request_id: str) -> dict[str, object]:
    detail = service.show(ledger, request_id, actor=_actor(who))
    answer = detail.answer
    if (
        RequestKind(detail.request.kind) not in PACKAGE_KINDS
        or detail.request.state != RequestState.ANSWERED.value
        or not isinstance(answer, dict)
    ):
        raise HTTPException(404, "this request has no disclosure package")
    return answer


@router.get("/requests/{request_id}/package.json")
def package_json(request_id: str, ledger: LedgerDep, who: WorkerDep) -> Response:
    rid = _id(request_id)
    answer = _package(ledger, who, rid)
    return Response(
        json.dumps(answer, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{rid}-package.json"'},
    )


@router.get("/requests/{request_id}/package.html")
def package_html(request_id: str, ledger: LedgerDep, who: WorkerDep) -> Response:
    rid = _id(request_id)
    answer = _package(ledger, who, rid)
    return Response(
        service.render_html(answer),
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{rid}-package.html"',
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )

"""The console's incident register (/console/incidents): the deadlines counting down, one
incident's scope and assessment, the report drafts; officers open incidents and scope them.

Operators and auditors read; only officers change anything (the `require` dependency also
checks every POST's CSRF token). Bad input writes nothing: the service refuses before its
transaction, and the form comes back with the error next to its field.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hogo.services import incidents, subjects
from hogo.services.errors import BadInput
from hogo.web.console import ALL_ROLES, LangDep, LedgerDep, Staff, page_response, require

router = APIRouter(prefix="/console", include_in_schema=False)

Reader = Annotated[Staff, Depends(require(*ALL_ROLES))]
Officer = Annotated[Staff, Depends(require("officer"))]


def _actor(who: Staff) -> str:
    return f"{who.user.role}:{who.user.username}"


@router.get("/incidents")
def list_page(request: Request, ledger: LedgerDep, lang: LangDep, who: Reader) -> Response:
    return _new_form(request, ledger, lang, who)


def _new_form(
    request: Request,
    ledger: LedgerDep,
    lang: str,
    who: Staff,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, object] | None = None,
    status: int = 200,
) -> Response:
    page = page_response(
        request,
        "console/incidents.html.j2",
        lang,
        who,
        views=incidents.list_incidents(ledger),
        errors=errors or {},
        form=form or {},
    )
    page.status_code = status
    return page


@router.post("/incidents")
def open_incident(
    request: Request,
    ledger: LedgerDep,
    lang: LangDep,
    who: Officer,
    known_at: Annotated[str, Form(max_length=40)] = "",
    summary: Annotated[str, Form(max_length=20_000)] = "",
    unlawful_purpose: Annotated[str, Form(max_length=10)] = "",
    strongly_encrypted: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    form: dict[str, object] = {
        "known_at": known_at,
        "summary": summary,
        "unlawful_purpose": bool(unlawful_purpose),
        "strongly_encrypted": bool(strongly_encrypted),
    }
    errors: dict[str, str] = {}
    try:
        known = date.fromisoformat(known_at.strip())
    except ValueError:
        errors["known_at"] = "bad_date"
    if not summary.strip():
        errors["summary"] = "required"
    if errors:
        return _new_form(request, ledger, lang, who, errors=errors, form=form, status=422)
    try:
        incident = incidents.new_incident(
            ledger,
            known_at=known,
            summary=summary,
            actor=_actor(who),
            unlawful_purpose=bool(unlawful_purpose),
            strongly_encrypted=bool(strongly_encrypted),
        )
    except BadInput as exc:
        field = "known_at" if "knowing" in exc.message else "summary"
        errors[field] = exc.message
        return _new_form(request, ledger, lang, who, errors=errors, form=form, status=422)
    return RedirectResponse(f"/console/incidents/{incident.id}", status_code=303)


def _detail(
    request: Request,
    ledger: LedgerDep,
    lang: str,
    who: Staff,
    incident_id: int,
    *,
    scope_error: str | None = None,
    status: int = 200,
) -> Response:
    view = incidents.show_incident(ledger, incident_id)
    met = {f.trigger: f for f in view.assessment.findings}
    triggers = [(trigger, met.get(trigger)) for trigger in incidents.Trigger]
    page = page_response(
        request,
        "console/incident.html.j2",
        lang,
        who,
        view=view,
        triggers=triggers,
        items=subjects.choices(ledger, lang).items,
        scope_error=scope_error,
    )
    page.status_code = status
    return page


@router.get("/incidents/{incident_id}")
def show(
    request: Request, incident_id: int, ledger: LedgerDep, lang: LangDep, who: Reader
) -> Response:
    return _detail(request, ledger, lang, who, incident_id)


@router.get("/incidents/{incident_id}/report")
def report(
    incident_id: int,
    ledger: LedgerDep,
    who: Reader,
    kind: str = "preliminary",
    lang: str = "ja",
) -> Response:
    draft = incidents.draft_report(ledger, incident_id, kind=kind, lang=lang, fmt="html")
    return HTMLResponse(draft.text)


@router.post("/incidents/{incident_id}/scope")
async def scope(
    request: Request, incident_id: int, ledger: LedgerDep, lang: LangDep, who: Officer
) -> Response:
    form = await request.form()
    items = [v for v in form.getlist("items") if isinstance(v, str)][:100]
    if not items:
        return _detail(
            request, ledger, lang, who, incident_id, scope_error="choose_items", status=422
        )
    try:
        incidents.scope_by_items(ledger, incident_id, items=items, actor=_actor(who))
    except BadInput as exc:
        return _detail(request, ledger, lang, who, incident_id, scope_error=exc.message, status=422)
    return RedirectResponse(f"/console/incidents/{incident_id}", status_code=303)

"""The console's incident register (/console/incidents): the deadlines counting down, one
incident's facts, scope, assessment and history, the report drafts; officers open
incidents and scope them (by the items leaked, or by the source they were collected from).

Operators and auditors read; only officers change anything (the `require` dependency also
checks every POST's CSRF token). Bad input writes nothing: the service refuses before its
transaction, and the form comes back with the error next to its field. Updating, filing,
notifying and closing are in console_incident_actions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hogo.services import choices, incidents
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.incidents import Incident, IncidentEvent, IncidentView
from hogo.services.ledger import japan_date
from hogo.web.console import ALL_ROLES, LangDep, LedgerDep, Staff, page_response, require
from hogo.web.forms import undeclared, values
from hogo.web.templating import say
from hogo.web.words import WORDS

router = APIRouter(prefix="/console", include_in_schema=False)

Reader = Annotated[Staff, Depends(require(*ALL_ROLES))]
Officer = Annotated[Staff, Depends(require("officer"))]

UPDATE_TEXTS = (
    "summary",
    "discovered",
    "medium",
    "cause",
    "secondary_damage",
    "measures",
    "publication",
    "prevention",
    "prevention_planned",
    "other",
)
"""The free-text facts an officer records, as `update_incident` names them (its TEXT_OPTIONS),
in the order of the report's items (Rules Art. 8(1))."""
UPDATE_DATES = ("known_at", "occurred_at", "discovered_on")
FILING_DATES = ("preliminary_filed_on", "final_filed_on")
COLUMN_FIELDS = {
    **{column: key for key, column in incidents.TEXT_OPTIONS.items()},
    "known_on": "known_at",
    "occurred_on": "occurred_at",
    "discovered_on": "discovered_on",
    "preliminary_filed_on": "preliminary_filed_on",
    "final_filed_on": "final_filed_on",
    "vendor": "vendor",
    "unlawful_purpose_suspected": "unlawful_purpose",
    "strongly_encrypted": "strongly_encrypted",
}
"""A stored column (as the history names it) -> the form field whose label names it."""


def actor_of(who: Staff) -> str:
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
            actor=actor_of(who),
            unlawful_purpose=bool(unlawful_purpose),
            strongly_encrypted=bool(strongly_encrypted),
        )
    except BadInput as exc:
        field = "known_at" if "knowing" in exc.message else "summary"
        errors[field] = exc.message
        return _new_form(request, ledger, lang, who, errors=errors, form=form, status=422)
    return RedirectResponse(f"/console/incidents/{incident.id}", status_code=303)


def current_form(incident: Incident) -> dict[str, object]:
    """The update and filing forms filled with what is recorded."""
    form: dict[str, object] = {
        key: incident.text(column) or "" for key, column in incidents.TEXT_OPTIONS.items()
    }
    for name, day in (
        ("known_at", incident.known_on),
        ("occurred_at", incident.occurred_on),
        ("discovered_on", incident.discovered_on),
        ("preliminary_filed_on", incident.preliminary_filed_on),
        ("final_filed_on", incident.final_filed_on),
    ):
        form[name] = "" if day is None else day.isoformat()
    form["vendor"] = incident.vendor or ""
    form["unlawful_purpose"] = incident.unlawful_purpose_suspected
    form["strongly_encrypted"] = incident.strongly_encrypted
    return form


def event_line(event: IncidentEvent, lang: str) -> str:
    """What one history row changed, in words: the fields updated, the people added…"""
    detail: Mapping[str, object] = event.detail
    if event.kind == "update":
        fields = detail.get("fields")
        names = (
            [COLUMN_FIELDS.get(str(f), str(f)) for f in fields] if isinstance(fields, list) else []
        )
        separator = "、" if lang == "ja" else ", "
        return separator.join(say(f"f_{n}", lang) for n in names if f"f_{n}" in WORDS)
    if event.kind == "scope":
        return say(
            "ev_scope_line", lang, added=detail.get("added", 0), people=detail.get("people", 0)
        )
    if event.kind == "notify":
        return say(
            "ev_notify_line",
            lang,
            queued=detail.get("queued", 0),
            unreachable=detail.get("unreachable", 0),
        )
    return ""


def last_notice(view: IncidentView) -> date | None:
    """The day, in Japan, notices were last queued (Art. 26(2)), from the history."""
    days = [japan_date(e.at) for e in view.events if e.kind == "notify" and e.detail.get("queued")]
    return max(days) if days else None


def detail_page(
    request: Request,
    ledger: LedgerDep,
    lang: str,
    who: Staff,
    incident_id: int,
    *,
    failed: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, object] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    """The incident page; after a failed POST, `failed` names the form and `errors` hold
    each field's message (the key "form" for the form as a whole)."""
    view = incidents.show_incident(ledger, incident_id)
    met = {f.trigger: f for f in view.assessment.findings}
    triggers = [(trigger, met.get(trigger)) for trigger in incidents.Trigger]
    recorded = current_form(view.incident)
    filled = {**recorded, **(form or {})}
    page = page_response(
        request,
        "console/incident.html.j2",
        lang,
        who,
        view=view,
        triggers=triggers,
        offered=choices.choices(ledger, lang),
        failed=failed,
        errors=errors or {},
        form=filled,
        recorded=recorded,
        notice=notice,
        texts=UPDATE_TEXTS,
        last_notice=last_notice(view),
        event_line=lambda e: event_line(e, lang),
        unfiled=[
            kind
            for kind, c in (("preliminary", view.preliminary), ("final", view.final))
            if view.assessment.required and c.filed_on is None
        ],
    )
    page.status_code = status
    return page


@router.get("/incidents/{incident_id}")
def show(
    request: Request, incident_id: int, ledger: LedgerDep, lang: LangDep, who: Reader
) -> Response:
    return detail_page(request, ledger, lang, who, incident_id)


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


def after_action(
    request: Request,
    ledger: LedgerDep,
    lang: str,
    who: Staff,
    incident_id: int,
    name: str,
    run: Callable[[], object],
    *,
    form: dict[str, object] | None = None,
) -> Response:
    """Run a service call; on success back to the incident, else the page again with the
    service's message next to the form `name` (nothing was written). A closed incident
    refuses every change (409)."""
    try:
        run()
    except NotFound:
        raise
    except (BadInput, Refused) as exc:
        return detail_page(
            request,
            ledger,
            lang,
            who,
            incident_id,
            failed=name,
            errors={"form": exc.message},
            form=form,
            status=409 if isinstance(exc, Refused) else 422,
        )
    return RedirectResponse(f"/console/incidents/{incident_id}", status_code=303)


def refused_form(
    request: Request,
    ledger: LedgerDep,
    lang: str,
    who: Staff,
    incident_id: int,
    name: str,
    errors: dict[str, str],
    form: dict[str, object] | None = None,
) -> Response:
    """The page again with the form's own errors (checked before any service call)."""
    return detail_page(
        request,
        ledger,
        lang,
        who,
        incident_id,
        failed=name,
        errors=errors,
        form=form,
        status=422,
    )


@router.post("/incidents/{incident_id}/scope")
async def scope(
    request: Request, incident_id: int, ledger: LedgerDep, lang: LangDep, who: Officer
) -> Response:
    form = await request.form()
    items = values(form, "items")
    problem = undeclared(items, choices.choices(ledger, lang).items, lang)
    if problem or not items:
        errors = {"items": problem or say("choose_items", lang)}
        return refused_form(request, ledger, lang, who, incident_id, "scope", errors)
    return after_action(
        request,
        ledger,
        lang,
        who,
        incident_id,
        "scope",
        lambda: incidents.scope_by_items(ledger, incident_id, items=items, actor=actor_of(who)),
    )


@router.post("/incidents/{incident_id}/scope-source")
async def scope_source(
    request: Request, incident_id: int, ledger: LedgerDep, lang: LangDep, who: Officer
) -> Response:
    form = await request.form()
    chosen = values(form, "source")[:1]
    problem = undeclared(chosen, choices.choices(ledger, lang).sources, lang)
    if problem or not chosen:
        errors = {"source": problem or say("choose_source", lang)}
        return refused_form(request, ledger, lang, who, incident_id, "scope_source", errors)
    return after_action(
        request,
        ledger,
        lang,
        who,
        incident_id,
        "scope_source",
        lambda: incidents.scope_by_source(
            ledger, incident_id, source=chosen[0], actor=actor_of(who)
        ),
    )

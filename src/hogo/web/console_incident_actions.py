"""An officer works an open incident from its page: records what the investigation finds
(`incident update`), the days the reports were filed with the PPC (速報, 確報: PPC Rules
Art. 8), queues the notices to the people affected (Art. 26(2): `incident notify`) and
closes it.

Only officers (the `require` dependency also checks every POST's CSRF token). Each form
sends what the page showed; only the fields that differ from what is recorded are passed
on, so the history names what really changed. A field typed wrong, a value the policy
does not declare, a date in the future or out of order comes back next to its field, and
nothing is written: the service checks everything before its one transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from hogo.services import choices, incidents
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.web.console import LangDep, LedgerDep, Staff, require
from hogo.web.console_incidents import (
    FILING_DATES,
    UPDATE_DATES,
    UPDATE_TEXTS,
    actor_of,
    after_action,
    current_form,
    detail_page,
    refused_form,
)
from hogo.web.forms import day, text, undeclared
from hogo.web.templating import say

router = APIRouter(prefix="/console", include_in_schema=False)

Officer = Annotated[Staff, Depends(require("officer"))]
MAX_TEXT = 20_000
FLAGS = ("unlawful_purpose", "strongly_encrypted")

SERVICE_FIELDS = (
    ("the occurrence date", "occurred_at"),
    ("the discovery date", "discovered_on"),
    ("the day of knowing", "known_at"),
    ("the preliminary report", "preliminary_filed_on"),
    ("the final report", "final_filed_on"),
    ("unknown vendor", "vendor"),
    *((name.replace("_", " "), name) for name in UPDATE_TEXTS),
)
"""How a service message begins -> the field it is about (else it is shown by the form)."""
SERVICE_WORDS = (
    ("the occurrence date", "occurred_out_of_order"),
    ("the discovery date", "discovered_out_of_order"),
    ("report is dated", "filed_before_known"),
    ("characters long", "text_too_long"),
    ("control characters", "control_characters"),
)
"""A phrase of a service message -> the words that say it in the reader's language."""


def _field_of(message: str) -> str:
    for start, field in SERVICE_FIELDS:
        if message.startswith(start):
            return field
    return "form"


def _said(message: str, lang: str) -> str:
    for phrase, key in SERVICE_WORDS:
        if phrase in message:
            return say(key, lang)
    return message


def _dates(
    form: dict[str, object], names: tuple[str, ...], recorded: dict[str, object], today: date
) -> tuple[dict[str, date], dict[str, str]]:
    """The dates that changed, and the errors of those typed wrong (never cleared: the
    register keeps a date once recorded; correct it instead)."""
    changed: dict[str, date] = {}
    errors: dict[str, str] = {}
    for name in names:
        raw = str(form.get(name, ""))
        parsed = day(raw, today=today)
        if isinstance(parsed, str):
            errors[name] = parsed
        elif parsed is None:
            if recorded[name]:
                errors[name] = "cannot_clear"
        elif parsed.isoformat() != recorded[name]:
            changed[name] = parsed
    return changed, errors


def _update(
    request: Request,
    ledger: LedgerDep,
    lang: str,
    who: Staff,
    incident_id: int,
    name: str,
    form: dict[str, object],
    errors: dict[str, str],
    changes: dict[str, Any],
) -> Response:
    if not errors and not changes:
        errors["form"] = "nothing_changed"
    if errors:
        return refused_form(request, ledger, lang, who, incident_id, name, errors, form)
    try:
        incidents.update_incident(ledger, incident_id, actor=actor_of(who), **changes)
    except NotFound:
        raise
    except (BadInput, Refused) as exc:
        field = "form" if isinstance(exc, Refused) else _field_of(exc.message)
        said = _said(exc.message, lang)
        page = refused_form(request, ledger, lang, who, incident_id, name, {field: said}, form)
        page.status_code = 409 if isinstance(exc, Refused) else 422
        return page
    return RedirectResponse(f"/console/incidents/{incident_id}", status_code=303)


def _recorded(ledger: LedgerDep, incident_id: int) -> dict[str, object]:
    return current_form(incidents.show_incident(ledger, incident_id).incident)


@router.post("/incidents/{incident_id}/update")
async def update(
    request: Request, incident_id: int, ledger: LedgerDep, lang: LangDep, who: Officer
) -> Response:
    posted = await request.form()
    recorded = _recorded(ledger, incident_id)
    # A field the form did not send is left as it is; one sent empty is a clearing,
    # refused. Checkboxes count only from the page's own form, which says it has them.
    sent = [n for n in (*UPDATE_TEXTS, *UPDATE_DATES, "vendor") if n in posted]
    form: dict[str, object] = {
        # Browsers send a textarea's line breaks as CRLF; the register keeps LF. Read one
        # character past the limit, so that the service refuses a text too long rather
        # than it being cut short here.
        n: text(posted, n, MAX_TEXT + 1).replace("\r\n", "\n")
        for n in UPDATE_TEXTS
        if n in sent
    }
    form.update({n: text(posted, n, 40) for n in UPDATE_DATES if n in sent})
    if "vendor" in sent:
        form["vendor"] = text(posted, "vendor", 100).strip()
    if "flags" in posted:
        for flag in FLAGS:
            form[flag] = bool(text(posted, flag, 10))
    dates = tuple(n for n in UPDATE_DATES if n in sent)
    changed, errors = _dates(form, dates, recorded, ledger.today())
    texts: dict[str, str] = {}
    for name in (n for n in UPDATE_TEXTS if n in sent):
        value = str(form[name])
        if value.strip() != str(recorded[name]):
            if not value.strip():
                errors[name] = "cannot_clear"
            else:
                texts[name] = value
    changes: dict[str, Any] = {}
    if texts:
        changes["texts"] = texts
    changes.update(changed)  # the form's date fields are named as update_incident's
    vendor = str(form.get("vendor", recorded["vendor"]))
    if vendor != recorded["vendor"]:
        problem = undeclared([vendor], choices.choices(ledger, lang).vendors, lang)
        if not vendor:
            errors["vendor"] = "cannot_clear"
        elif problem:
            errors["vendor"] = problem
        else:
            changes["vendor"] = vendor
    for flag in FLAGS:
        if form.get(flag, recorded[flag]) != recorded[flag]:
            changes[flag] = form[flag]
    return _update(request, ledger, lang, who, incident_id, "update", form, errors, changes)


@router.post("/incidents/{incident_id}/filed")
async def filed(
    request: Request, incident_id: int, ledger: LedgerDep, lang: LangDep, who: Officer
) -> Response:
    """The days the preliminary (速報) and final (確報) reports reached the PPC: each stops
    its countdown (filed, or filed late)."""
    posted = await request.form()
    recorded = _recorded(ledger, incident_id)
    form: dict[str, object] = {n: text(posted, n, 40) for n in FILING_DATES if n in posted}
    changed, errors = _dates(form, tuple(form), recorded, ledger.today())
    changes = {name: changed[name] for name in FILING_DATES if name in changed}
    return _update(request, ledger, lang, who, incident_id, "filed", form, errors, changes)


@router.post("/incidents/{incident_id}/notify")
def notify(
    request: Request, incident_id: int, ledger: LedgerDep, lang: LangDep, who: Officer
) -> Response:
    """Queue a notice to everyone in scope not yet notified; say how many, and how many
    cannot be reached (then the facts are published instead: Art. 26(2) proviso)."""
    try:
        result = incidents.notify(ledger, incident_id, actor=actor_of(who))
    except NotFound:
        raise
    except (BadInput, Refused) as exc:
        status = 409 if isinstance(exc, Refused) else 422
        message = say("empty_scope", lang) if exc.code == "empty_scope" else exc.message
        page = refused_form(request, ledger, lang, who, incident_id, "notify", {"form": message})
        page.status_code = status
        return page
    notice = say(
        "notify_done", lang, queued=result.queued, already=result.already, people=result.people
    )
    if result.publication_needed:
        notice += " " + say("notify_unreachable", lang, n=result.unreachable)
    return detail_page(request, ledger, lang, who, incident_id, notice=notice)


@router.post("/incidents/{incident_id}/close")
def close(
    request: Request,
    incident_id: int,
    ledger: LedgerDep,
    lang: LangDep,
    who: Officer,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Close the incident: nothing more changes and its countdown stops. The officer
    confirms it, having read what is still unfiled."""
    if not confirm:
        return refused_form(
            request, ledger, lang, who, incident_id, "close", {"confirm": "confirm_required"}
        )
    return after_action(
        request,
        ledger,
        lang,
        who,
        incident_id,
        "close",
        lambda: incidents.close_incident(ledger, incident_id, actor=actor_of(who)),
    )

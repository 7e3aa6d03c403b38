"""Reveal a subject's values for a purpose (POST /console/subjects/{id}/reveal).

The values come through `subjects.show(purpose=, actor=)`, that is through `use`: the
purpose check decides which values the purpose may see and audits the read, allowed or
refused. Operators and officers may ask; auditors never reveal a value (403).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from hogo.services import choices, subjects
from hogo.web.console import LangDep, LedgerDep, Staff, page_response, require
from hogo.web.forms import undeclared

router = APIRouter(prefix="/console", include_in_schema=False)


@router.post("/subjects/{subject_id}/reveal")
def reveal(
    request: Request,
    subject_id: str,
    ledger: LedgerDep,
    lang: LangDep,
    who: Annotated[Staff, Depends(require("officer", "operator"))],
    purpose: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    offered = choices.choices(ledger, lang)
    purpose = purpose.strip()
    problem = undeclared([purpose], offered.purposes, lang) if purpose else "choose_purpose"
    if problem is not None:
        view = subjects.show(ledger, subject_id[:32], lang=lang)
        page = page_response(
            request,
            "console/subject.html.j2",
            lang,
            who,
            view=view,
            purposes=offered.purposes,
            reveal_error=problem,
        )
        page.status_code = 422
        return page
    view = subjects.show(
        ledger,
        subject_id[:32],
        purpose=purpose,
        actor=f"{who.user.role}:{who.user.username}",
        lang=lang,
    )
    return page_response(
        request, "console/subject.html.j2", lang, who, view=view, purposes=offered.purposes
    )

"""The console (/console): staff log in, see the dashboard, find subjects, verify the trail.

Roles (issue: the web): auditors read but never change or reveal; operators work
requests; officers do everything. Each route names the roles it admits; `tests/web`
calls every route as every role.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hogo.services import audit_trail, choices, dashboard, staff, subjects
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger
from hogo.services.staff import StaffUser
from hogo.web.charts import bar_chart
from hogo.web.common import LoginRequired, lang_of
from hogo.web.sessions import COOKIE, LOGIN_COOKIE, SESSION_HOURS, Session, Signer, csrf_ok
from hogo.web.templating import render

ALL_ROLES = ("officer", "operator", "auditor")

router = APIRouter(prefix="/console", include_in_schema=False)


def _ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


def _signer(request: Request) -> Signer:
    signer: Signer = request.app.state.signer
    return signer


LedgerDep = Annotated[Ledger, Depends(_ledger)]
SignerDep = Annotated[Signer, Depends(_signer)]
LangDep = Annotated[str, Depends(lang_of)]


class Staff:
    """The signed-in user and their session, for a route that admits `roles`."""

    def __init__(self, user: StaffUser, session: Session) -> None:
        self.user = user
        self.session = session


def require(*roles: str) -> Callable[..., Awaitable[Staff]]:
    async def dependency(request: Request, ledger: LedgerDep, signer: SignerDep) -> Staff:
        session = signer.read_session(request.cookies.get(COOKIE))
        user = None if session is None else staff.get_user(ledger, session.username)
        if session is None or user is None:
            raise LoginRequired
        if user.role not in roles:
            raise HTTPException(403, "forbidden")
        if request.method == "POST":
            sent = request.headers.get("X-CSRF-Token")
            if sent is None:
                form = await request.form()
                field = form.get("csrf")
                sent = field if isinstance(field, str) else None
            if not csrf_ok(session, sent):
                raise HTTPException(403, "the form's CSRF token is missing or wrong")
        return Staff(user, session)

    return dependency


def page_response(
    request: Request, name: str, lang: str, who: Staff | None = None, **context: object
) -> HTMLResponse:
    response = HTMLResponse(
        render(
            name,
            lang=lang,
            user=None if who is None else who.user,
            csrf=None if who is None else who.session.csrf,
            **context,
        )
    )
    if request.query_params.get("lang") in ("ja", "en"):
        response.set_cookie("hogo_lang", lang, samesite="lax", httponly=True)
    return response


@router.get("/login")
def login_form(request: Request, signer: SignerDep, lang: LangDep) -> Response:
    token = signer.login_token()
    response = page_response(
        request, "console/login.html.j2", lang, login_token=token, error=None, username=None
    )
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/console")
    return response


@router.post("/login")
def login(
    request: Request,
    ledger: LedgerDep,
    signer: SignerDep,
    lang: LangDep,
    username: Annotated[str, Form(max_length=63)],
    password: Annotated[str, Form(max_length=1000)],
    csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    def again(error: str, status: int) -> Response:
        token = signer.login_token()
        page = page_response(
            request,
            "console/login.html.j2",
            lang,
            login_token=token,
            error=error,
            username=username,
        )
        page.status_code = status
        page.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/console")
        return page

    if not signer.login_token_ok(request.cookies.get(LOGIN_COOKIE), csrf):
        return again("expired_form", 400)
    user = staff.authenticate(ledger, username, password)
    if user is None:
        return again("bad_login", 401)
    cookie, _ = signer.session_cookie(user.username)
    response = RedirectResponse("/console/", status_code=303)
    response.set_cookie(
        COOKIE, cookie, max_age=SESSION_HOURS * 3600, httponly=True, samesite="lax", path="/"
    )
    response.delete_cookie(LOGIN_COOKIE, path="/console")
    return response


@router.post("/logout")
def logout(who: Annotated[Staff, Depends(require(*ALL_ROLES))]) -> Response:
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/")
def home(
    request: Request,
    ledger: LedgerDep,
    lang: LangDep,
    who: Annotated[Staff, Depends(require(*ALL_ROLES))],
) -> Response:
    figures = dashboard.summary(ledger)
    return page_response(
        request,
        "console/dashboard.html.j2",
        lang,
        who,
        subjects=figures.subjects,
        policy_version=figures.policy_version,
        figures=figures,
        requests_chart=bar_chart(figures.requests_by_month),
        consents_chart=bar_chart(figures.consents_by_month),
    )


@router.get("/subjects")
def find_subjects(
    request: Request,
    ledger: LedgerDep,
    lang: LangDep,
    who: Annotated[Staff, Depends(require(*ALL_ROLES))],
    email: str | None = None,
    phone: str | None = None,
) -> Response:
    email = (email or "").strip() or None
    phone = (phone or "").strip() or None
    found: list[subjects.SubjectSummary] = []
    error = None
    if email or phone:
        try:
            found = subjects.find(
                ledger, email=email, phone=phone, actor=f"console:{who.user.username}"
            )
        except BadInput as exc:
            error = exc.message
    return page_response(
        request,
        "console/subjects.html.j2",
        lang,
        who,
        email=email,
        phone=phone,
        found=found,
        searched=bool(email or phone),
        error=error,
    )


@router.get("/subjects/{subject_id}")
def show_subject(
    request: Request,
    subject_id: str,
    ledger: LedgerDep,
    lang: LangDep,
    who: Annotated[Staff, Depends(require(*ALL_ROLES))],
) -> Response:
    view = subjects.show(ledger, subject_id[:32], lang=lang)
    purposes = choices.choices(ledger, lang).purposes
    return page_response(
        request, "console/subject.html.j2", lang, who, view=view, purposes=purposes
    )


@router.get("/audit")
def audit_page(
    request: Request, lang: LangDep, who: Annotated[Staff, Depends(require("officer", "auditor"))]
) -> Response:
    return page_response(request, "console/audit.html.j2", lang, who, report=None)


@router.post("/audit/verify")
def audit_verify(
    request: Request,
    ledger: LedgerDep,
    lang: LangDep,
    who: Annotated[Staff, Depends(require("officer", "auditor"))],
) -> Response:
    report = audit_trail.verify(ledger)
    if request.headers.get("HX-Request"):
        return HTMLResponse(render("console/verdict.html.j2", lang=lang, report=report))
    return page_response(request, "console/audit.html.j2", lang, who, report=report)

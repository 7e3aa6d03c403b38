"""The portal's requests (/requests): make one after an e-mail code, check on it with the
reference and the address, and download an answered disclosure after a code again.

Anyone may make a request (Arts. 32–35), so a code is always mailed and no page differs
by whether the address is known. A wrong reference and a wrong address get the same "not
found" page. The form token cookie guards every form before the code (as the preferences
do); the portal session cookie set after a code allows the download for that address.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from hogo.domain.requests import RequestKind
from hogo.services import portal
from hogo.services.errors import BadInput, Refused
from hogo.services.requests import new_request
from hogo.services.requests.portal_access import (
    add_details,
    has_package,
    package_for,
    status_for,
)
from hogo.web.portal import (
    LangDep,
    LedgerDep,
    check_form,
    form_lang,
    form_page,
    page_response,
    portal_session,
)
from hogo.web.sessions import PORTAL_COOKIE, PORTAL_MINUTES, PortalSigner
from hogo.web.words import WORDS

router = APIRouter(include_in_schema=False)

KINDS = tuple(RequestKind)
WITH_DETAILS = ("correction", "addition")
MAX_DETAILS = 2_000

EmailField = Annotated[str, Form(max_length=320)]
CsrfField = Annotated[str, Form(max_length=200)]
LangField = Annotated[str, Form(max_length=2)]
RefField = Annotated[str, Form(max_length=64)]


def _new_form(
    request: Request,
    ledger: LedgerDep,
    lang: str,
    status: int = 200,
    *,
    kind: str = "",
    email: str = "",
    details: str = "",
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    return form_page(
        request,
        ledger,
        "portal/request_new.html.j2",
        lang,
        status,
        kinds=KINDS,
        with_details=WITH_DETAILS,
        kind=kind,
        email=email,
        details=details,
        errors=errors or {},
        notice=notice,
    )


def _code_form(
    request: Request,
    ledger: LedgerDep,
    lang: str,
    status: int = 200,
    *,
    action: str,
    hidden: dict[str, str],
    error: str | None = None,
) -> HTMLResponse:
    return form_page(
        request,
        ledger,
        "portal/request_code.html.j2",
        lang,
        status,
        action=action,
        hidden=hidden,
        error=error,
    )


def _with_session(response: Response, request: Request, email: str) -> Response:
    signer: PortalSigner = request.app.state.portal_signer
    cookie, _ = signer.cookie(portal.normalized_address(email))
    response.set_cookie(
        PORTAL_COOKIE, cookie, max_age=PORTAL_MINUTES * 60, httponly=True, samesite="lax"
    )
    return response


@router.get("/requests/new")
def request_new(request: Request, ledger: LedgerDep, lang: LangDep) -> Response:
    return _new_form(request, ledger, lang)


@router.post("/requests/new")
def request_code(
    request: Request,
    ledger: LedgerDep,
    email: EmailField = "",
    kind: Annotated[str, Form(max_length=32)] = "",
    details: Annotated[str, Form(max_length=20_000)] = "",
    csrf: CsrfField = "",
    lang: LangField = "ja",
) -> Response:
    lang = form_lang(lang)
    check_form(request, csrf)
    details = details.strip() if kind in WITH_DETAILS else ""
    errors: dict[str, str] = {}
    if kind not in KINDS:
        errors["kind"] = "rq_kind_missing"
    if len(details) > MAX_DETAILS:
        errors["details"] = "rq_details_long"
    if not errors:
        try:
            portal.request_code(ledger, email, purpose="request", lang=lang)
        except BadInput:
            errors["email"] = "rq_email_bad"
        except Refused:
            return _new_form(
                request,
                ledger,
                lang,
                429,
                kind=kind,
                email=email,
                details=details,
                notice="rate_limited",
            )
    if errors:
        return _new_form(
            request, ledger, lang, 422, kind=kind, email=email, details=details, errors=errors
        )
    return _code_form(
        request,
        ledger,
        lang,
        action="/requests/confirm",
        hidden={"email": email, "kind": kind, "details": details},
    )


@router.post("/requests/confirm")
def request_confirm(
    request: Request,
    ledger: LedgerDep,
    email: EmailField,
    kind: Annotated[str, Form(max_length=32)],
    code: Annotated[str, Form(max_length=12)] = "",
    details: Annotated[str, Form(max_length=MAX_DETAILS)] = "",
    csrf: CsrfField = "",
    lang: LangField = "ja",
) -> Response:
    lang = form_lang(lang)
    check_form(request, csrf)
    if kind not in KINDS:
        return _new_form(request, ledger, lang, 422, errors={"kind": "rq_kind_missing"})
    try:
        right = portal.check_code(ledger, email, code, purpose="request")
    except BadInput:
        right = False
    if not right:
        return _code_form(
            request,
            ledger,
            lang,
            401,
            action="/requests/confirm",
            hidden={"email": email, "kind": kind, "details": details},
            error="code_wrong",
        )
    received = new_request(
        ledger, kind=kind, email=email, channel="portal", lang=lang, actor="portal"
    )
    if kind in WITH_DETAILS and details.strip():
        add_details(ledger, received.request.id, details.strip())
    page = page_response(ledger, "portal/request_done.html.j2", lang, request_=received.public())
    return _with_session(page, request, email)


def _status_form(
    request: Request,
    ledger: LedgerDep,
    lang: str,
    status: int = 200,
    *,
    reference: str = "",
    email: str = "",
    not_found: bool = False,
) -> HTMLResponse:
    return form_page(
        request,
        ledger,
        "portal/request_status.html.j2",
        lang,
        status,
        reference=reference,
        email=email,
        not_found=not_found,
    )


@router.get("/requests/status")
def status_start(request: Request, ledger: LedgerDep, lang: LangDep) -> Response:
    return _status_form(request, ledger, lang)


def _same_address(request: Request, email: str) -> bool:
    session = portal_session(request)
    if session is None:
        return False
    try:
        return session.username == portal.normalized_address(email)
    except BadInput:
        return False


@router.post("/requests/status")
def status_show(
    request: Request,
    ledger: LedgerDep,
    reference: RefField = "",
    email: EmailField = "",
    csrf: CsrfField = "",
    lang: LangField = "ja",
) -> Response:
    lang = form_lang(lang)
    check_form(request, csrf)
    found = status_for(ledger, reference, email)
    if found is None:
        return _status_form(
            request, ledger, lang, 404, reference=reference, email=email, not_found=True
        )
    return form_page(
        request,
        ledger,
        "portal/request_view.html.j2",
        lang,
        request_=found.public(),
        email=email,
        package=has_package(found),
        confirmed=_same_address(request, email),
    )


@router.post("/requests/package/code")
def package_code(
    request: Request,
    ledger: LedgerDep,
    reference: RefField = "",
    email: EmailField = "",
    csrf: CsrfField = "",
    lang: LangField = "ja",
) -> Response:
    lang = form_lang(lang)
    check_form(request, csrf)
    found = status_for(ledger, reference, email)
    if found is None:
        return _status_form(
            request, ledger, lang, 404, reference=reference, email=email, not_found=True
        )
    try:
        portal.request_code(ledger, email, purpose="request", lang=lang)
    except Refused:
        return page_response(
            ledger, "portal/message.html.j2", lang, 429, ok=False, text=WORDS["rate_limited"][lang]
        )
    return _code_form(
        request,
        ledger,
        lang,
        action="/requests/package/verify",
        hidden={"email": email, "reference": reference},
    )


@router.post("/requests/package/verify")
def package_verify(
    request: Request,
    ledger: LedgerDep,
    reference: RefField = "",
    email: EmailField = "",
    code: Annotated[str, Form(max_length=12)] = "",
    csrf: CsrfField = "",
    lang: LangField = "ja",
) -> Response:
    lang = form_lang(lang)
    check_form(request, csrf)
    try:
        right = portal.check_code(ledger, email, code, purpose="request")
    except BadInput:
        right = False
    found = status_for(ledger, reference, email) if right else None
    if found is None:
        return _code_form(
            request,
            ledger,
            lang,
            401,
            action="/requests/package/verify",
            hidden={"email": email, "reference": reference},
            error="code_wrong",
        )
    page = form_page(
        request,
        ledger,
        "portal/request_view.html.j2",
        lang,
        request_=found.public(),
        email=email,
        package=has_package(found),
        confirmed=True,
    )
    return _with_session(page, request, email)


@router.get("/requests/{reference}/package.{fmt}")
def package_download(request: Request, reference: str, fmt: str, ledger: LedgerDep) -> Response:
    """The answered package for the address confirmed in the portal session."""
    lang = request.cookies.get("hogo_lang", "ja")
    lang = form_lang(lang)
    session = portal_session(request)
    found = None if session is None else package_for(ledger, reference[:64], session.username)
    if found is None or fmt not in ("json", "html"):
        return page_response(
            ledger, "portal/message.html.j2", lang, 404, ok=False, text=WORDS["rq_not_found"][lang]
        )
    package, html = found
    safe = "".join(c for c in reference if c.isalnum() or c in "-_")[:64]
    if fmt == "json":
        return JSONResponse(
            package,
            headers={"Content-Disposition": f'attachment; filename="{safe}.json"'},
        )
    return HTMLResponse(
        html,
        headers={
            "Content-Disposition": f'inline; filename="{safe}.html"',
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )

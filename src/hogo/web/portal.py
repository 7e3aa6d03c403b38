"""The portal (/): the policy, a person's choices after an e-mail code, one-click opt-out.

No page tells whether an address is known: asking for a code gets the same page either
way, and a wrong code reads the same as an unknown address.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hogo.services import links, portal, public_policy
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger
from hogo.web.common import lang_of
from hogo.web.sessions import PORTAL_COOKIE, PORTAL_MINUTES, PortalSigner, Session, Signer, csrf_ok
from hogo.web.templating import render
from hogo.web.words import WORDS

router = APIRouter(include_in_schema=False)
FORM_COOKIE = "hogo_form"


def _ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(_ledger)]
LangDep = Annotated[str, Depends(lang_of)]


def form_lang(lang: str) -> str:
    return lang if lang in ("ja", "en") else "ja"


def page_response(
    ledger: Ledger, name: str, lang: str, status: int = 200, **context: object
) -> HTMLResponse:
    brand = public_policy.company_name(ledger, lang)
    response = HTMLResponse(render(name, lang=lang, brand=brand, **context), status_code=status)
    response.set_cookie("hogo_lang", lang, samesite="lax", httponly=True)
    return response


def _with_form_token(request: Request, response: HTMLResponse, token: str) -> HTMLResponse:
    response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="strict", max_age=3600)
    return response


def form_page(
    request: Request, ledger: Ledger, name: str, lang: str, status: int = 200, **context: object
) -> HTMLResponse:
    signer: Signer = request.app.state.signer
    token = signer.login_token()
    page = page_response(ledger, name, lang, status, form_token=token, **context)
    return _with_form_token(request, page, token)


def check_form(request: Request, sent: str) -> None:
    signer: Signer = request.app.state.signer
    if not signer.login_token_ok(request.cookies.get(FORM_COOKIE), sent):
        raise HTTPException(403, "the form expired; please start again")


def portal_session(request: Request) -> Session | None:
    signer: PortalSigner = request.app.state.portal_signer
    return signer.read(request.cookies.get(PORTAL_COOKIE))


@router.get("/")
def home(ledger: LedgerDep, lang: LangDep) -> Response:
    return page_response(ledger, "portal/home.html.j2", lang)


@router.get("/policy")
def policy(ledger: LedgerDep, lang: LangDep) -> Response:
    return HTMLResponse(public_policy.policy_page(ledger, lang))


@router.get("/preferences")
def preferences_start(request: Request, ledger: LedgerDep, lang: LangDep) -> Response:
    return form_page(
        request,
        ledger,
        "portal/email.html.j2",
        lang,
        heading=WORDS["preferences"][lang],
        action="/preferences/code",
        notice=None,
        error=None,
        email=None,
    )


@router.post("/preferences/code")
def preferences_code(
    request: Request,
    ledger: LedgerDep,
    email: Annotated[str, Form(max_length=320)],
    csrf: Annotated[str, Form(max_length=200)] = "",
    lang: Annotated[str, Form(max_length=2)] = "ja",
) -> Response:
    lang = form_lang(lang)
    check_form(request, csrf)
    try:
        portal.request_code(ledger, email, purpose="preferences", lang=lang)
    except BadInput as exc:
        return form_page(
            request,
            ledger,
            "portal/email.html.j2",
            lang,
            422,
            heading=WORDS["preferences"][lang],
            action="/preferences/code",
            notice=None,
            error=exc.message,
            email=email,
        )
    except Refused:
        return form_page(
            request,
            ledger,
            "portal/email.html.j2",
            lang,
            429,
            heading=WORDS["preferences"][lang],
            action="/preferences/code",
            notice="rate_limited",
            error=None,
            email=email,
        )
    return form_page(
        request,
        ledger,
        "portal/code.html.j2",
        lang,
        action="/preferences/verify",
        email=email,
        error=None,
    )


@router.post("/preferences/verify")
def preferences_verify(
    request: Request,
    ledger: LedgerDep,
    email: Annotated[str, Form(max_length=320)],
    code: Annotated[str, Form(max_length=12)],
    csrf: Annotated[str, Form(max_length=200)] = "",
    lang: Annotated[str, Form(max_length=2)] = "ja",
) -> Response:
    lang = form_lang(lang)
    check_form(request, csrf)
    if not portal.check_code(ledger, email, code, purpose="preferences"):
        return form_page(
            request,
            ledger,
            "portal/code.html.j2",
            lang,
            401,
            action="/preferences/verify",
            email=email,
            error="code_wrong",
        )
    signer: PortalSigner = request.app.state.portal_signer
    cookie, _ = signer.cookie(portal.normalized_address(email))
    response = RedirectResponse(f"/preferences/choices?lang={lang}", status_code=303)
    response.set_cookie(
        PORTAL_COOKIE, cookie, max_age=PORTAL_MINUTES * 60, httponly=True, samesite="lax"
    )
    return response


def _choices(ledger: Ledger, address: str, lang: str) -> list[portal.Preference]:
    by_purpose: dict[str, portal.Preference] = {}
    for choice in portal.preferences(ledger, address, lang=lang):
        seen = by_purpose.get(choice.purpose)
        if seen is None or (seen.on and not choice.on):
            by_purpose[choice.purpose] = choice
    return list(by_purpose.values())


@router.get("/preferences/choices")
def preferences_choices(request: Request, ledger: LedgerDep, lang: LangDep) -> Response:
    session = portal_session(request)
    if session is None:
        return page_response(
            ledger, "portal/message.html.j2", lang, 401, ok=False, text=WORDS["session_over"][lang]
        )
    return page_response(
        ledger,
        "portal/choices.html.j2",
        lang,
        choices=_choices(ledger, session.username, lang),
        csrf=session.csrf,
        saved=request.query_params.get("saved") == "1",
    )


@router.post("/preferences/choices")
def preferences_save(
    request: Request,
    ledger: LedgerDep,
    purpose: Annotated[str, Form(max_length=63)],
    choice: Annotated[str, Form(pattern="^(on|off)$")],
    csrf: Annotated[str, Form(max_length=200)] = "",
    lang: Annotated[str, Form(max_length=2)] = "ja",
) -> Response:
    lang = form_lang(lang)
    session = portal_session(request)
    if session is None:
        return page_response(
            ledger, "portal/message.html.j2", lang, 401, ok=False, text=WORDS["session_over"][lang]
        )
    if not csrf_ok(session, csrf):
        raise HTTPException(403, "the form's token is missing or wrong")
    if purpose not in {c.purpose for c in _choices(ledger, session.username, lang)}:
        raise HTTPException(422, f"{purpose!r} is not one of your choices")
    portal.set_preference(ledger, session.username, purpose=purpose, on=choice == "on")
    return RedirectResponse(f"/preferences/choices?lang={lang}&saved=1", status_code=303)


@router.get("/opt-out/{token}")
def opt_out(token: str, ledger: LedgerDep, lang: LangDep) -> Response:
    """One click from the mail: the opt-out is recorded when the link is opened."""
    try:
        done = links.opt_out(ledger, token[:500])
    except NotFound:
        return page_response(
            ledger, "portal/message.html.j2", lang, 404, ok=False, text=WORDS["link_invalid"][lang]
        )
    except Refused:  # the person was erased meanwhile: nothing is used for anything
        return page_response(
            ledger, "portal/message.html.j2", lang, ok=True, text=WORDS["saved"][lang]
        )
    label = done.label_ja if lang == "ja" else done.label_en
    return page_response(
        ledger,
        "portal/message.html.j2",
        lang,
        ok=True,
        text=WORDS["opted_out"][lang].format(label=label),
    )

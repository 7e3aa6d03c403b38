"""Errors on web pages as pages: a log-in redirect, or a short message in the person's language."""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from hogo.services.errors import HogoError, NotFound
from hogo.web.common import lang_of
from hogo.web.templating import render


def login_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/console/login", status_code=303)


def _message(request: Request, status: int, text: str) -> HTMLResponse:
    return HTMLResponse(
        render("error.html.j2", lang=lang_of(request), status=status, message=text),
        status_code=status,
    )


def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 403 and request.url.path.startswith("/console"):
        return HTMLResponse(render("forbidden.html.j2", lang=lang_of(request)), status_code=403)
    return _message(request, exc.status_code, str(exc.detail))


def hogo_error(request: Request, exc: HogoError) -> Response:
    return _message(request, 404 if isinstance(exc, NotFound) else 422, exc.message)


def invalid(request: Request, exc: RequestValidationError) -> Response:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()
    )
    return _message(request, 422, problems[:500])

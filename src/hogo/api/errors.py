"""Every error is JSON with a code and a message, whatever raised it.

The status follows the service error (hogo.services.errors): bad input 422 (404 for an
unknown id), refused by the policy 403 with the reason code, not ready 503. A validation
error names each field, e.g. `body.items[2]: Input should be a valid string`.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hogo.services.errors import BadInput, HogoError, NotFound, NotReady, Refused


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, **extra}


def _status(exc: HogoError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, BadInput):
        return 422
    if isinstance(exc, Refused):
        return 403
    if isinstance(exc, NotReady):
        return 503
    return 500


def _field(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def hogo_error(request: Request, exc: HogoError) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message), status_code=_status(exc))


def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    fields = [
        {"field": _field(tuple(e.get("loc", ()))), "message": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    message = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
    return JSONResponse(error_body("invalid", message, fields=fields), status_code=422)


def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """An HTTP error as JSON (the server sends API paths here, web paths to an HTML page)."""
    codes = {
        400: "malformed",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
    }
    return JSONResponse(
        error_body(codes.get(exc.status_code, "http_error"), str(exc.detail)),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )

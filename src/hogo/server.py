"""`create_app(settings)`: the one application — REST API, console and portal.

The composition root, above `api` and `web` (which know nothing of each other): it opens
the ledger from the settings it is given (nothing at import time), mounts both, and sends
each error to the API's JSON form or the web's page form by path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from hogo import __version__
from hogo.api import errors as api_errors
from hogo.api.router import API_PREFIX, api_routers
from hogo.config import Settings
from hogo.services.errors import HogoError
from hogo.services.jobs import Job, default_jobs
from hogo.services.jobs import running as running_jobs
from hogo.services.ledger import Clock, Ledger, open_ledger, utc_now
from hogo.web import (
    console,
    console_incident_actions,
    console_incidents,
    console_records,
    console_requests,
    console_reveal,
    portal,
    portal_requests,
)
from hogo.web import errors as web_errors
from hogo.web.common import LoginRequired
from hogo.web.sessions import PortalSigner, Signer


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def create_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    ledger: Ledger | None = None,
    jobs: bool | Sequence[Job] = False,
) -> FastAPI:
    """The application. With `ledger` given it is used and left open (tests); otherwise one
    is opened from `settings` at start-up and closed at shut-down. `jobs`: True runs the
    periodic jobs (outbox worker, daily retention sweep) in the background, or the jobs
    given; they stop at shut-down."""

    def attach(app: FastAPI, opened: Ledger) -> None:
        app.state.ledger = opened
        secret = opened.signing_secret()
        app.state.signer = Signer(secret)
        app.state.portal_signer = PortalSigner(secret)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = ledger if ledger is not None else open_ledger(settings, clock=clock)
        if ledger is None:
            attach(app, opened)
        chosen = default_jobs(opened) if jobs is True else (jobs or None)
        try:
            async with running_jobs(opened, chosen) as runner:
                app.state.jobs = runner
                yield
        finally:
            if ledger is None:
                opened.close()

    app = FastAPI(
        title="hogo",
        version=__version__,
        description="Personal data used only as the published privacy policy promises (APPI).",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    if ledger is not None:
        attach(app, ledger)

    @app.exception_handler(HogoError)
    async def on_hogo_error(request: Request, exc: HogoError) -> Response:
        if _is_api(request):
            return api_errors.hogo_error(request, exc)
        return web_errors.hogo_error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return api_errors.invalid(request, exc)
        return web_errors.invalid(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return api_errors.http_error(request, exc)
        return web_errors.http_error(request, exc)

    @app.exception_handler(LoginRequired)
    async def on_login_required(request: Request, exc: LoginRequired) -> Response:
        return web_errors.login_required(request, exc)

    for router in api_routers():
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(console.router)
    app.include_router(console_incidents.router)
    app.include_router(console_incident_actions.router)
    app.include_router(console_records.router)
    app.include_router(console_reveal.router)
    app.include_router(console_requests.router)
    app.include_router(portal.router)
    app.include_router(portal_requests.router)
    static = resources.files("hogo.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    return app

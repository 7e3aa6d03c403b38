"""`create_app(settings)`: the one FastAPI application (API now; console and portal join it).

Nothing is built at import time: the factory opens the ledger from the settings it is
given, so tests point it at a temporary database and `hogo serve` at the real one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from hogo import __version__
from hogo.api import errors
from hogo.api.routers import audit, collect, consent, eligible, policy, use
from hogo.config import Settings
from hogo.services.ledger import Clock, Ledger, open_ledger, utc_now

API_PREFIX = "/api/v1"


def create_app(
    settings: Settings, *, clock: Clock = utc_now, ledger: Ledger | None = None
) -> FastAPI:
    """The application. With `ledger` given it is used and left open (tests); otherwise one
    is opened from `settings` at start-up and closed at shut-down."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = ledger is None
        app.state.ledger = ledger if ledger is not None else open_ledger(settings, clock=clock)
        try:
            yield
        finally:
            if owned:
                app.state.ledger.close()

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
        app.state.ledger = ledger
    errors.install(app)
    api = APIRouter(prefix=API_PREFIX)
    for module in (collect, use, consent, eligible, policy, audit):
        api.include_router(module.router)
    app.include_router(api)
    return app

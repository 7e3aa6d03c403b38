"""What a route needs, as Annotated dependencies: the ledger and the calling client.

Both are `async def`: FastAPI runs a plain `def` dependency on a worker thread, and the hop
there and back costs more than the work. The key check reads the database only when this
process has not checked the key in the last few seconds, and then on a worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from hogo.services.api_keys import ApiClient, authenticate, remembered
from hogo.services.errors import Refused
from hogo.services.ledger import Ledger

_bearer = HTTPBearer(auto_error=False, description="An API key from `hogo apikey create`")


async def get_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


async def get_client(
    ledger: LedgerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiClient:
    if credentials is None:
        raise HTTPException(
            401,
            "an API key is needed: Authorization: Bearer hogo_…",
            {"WWW-Authenticate": "Bearer"},
        )
    token = credentials.credentials
    client = remembered(ledger, token) or await run_in_threadpool(authenticate, ledger, token)
    if client is None:
        raise HTTPException(
            401, "the API key is unknown or revoked", {"WWW-Authenticate": "Bearer"}
        )
    return client


ClientDep = Annotated[ApiClient, Depends(get_client)]


def within_scope(
    client: ApiClient, *, purposes: Iterable[str] = (), items: Iterable[str] = ()
) -> None:
    """The minimum-necessary rule: a key acts only for its own purposes and items."""
    for purpose in purposes:
        if purpose not in client.purposes:
            raise Refused(
                f"the key {client.name!r} may not act for purpose {purpose!r}; "
                f"it may act for: {', '.join(sorted(client.purposes))}",
                code="key_scope",
            )
    for item in items:
        if item not in client.items:
            raise Refused(
                f"the key {client.name!r} may not touch item {item!r}; "
                f"it may touch: {', '.join(sorted(client.items))}",
                code="key_scope",
            )

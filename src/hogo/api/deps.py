"""What a route needs, as Annotated dependencies: the ledger and the calling client."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hogo.services.api_keys import ApiClient, authenticate
from hogo.services.errors import Refused
from hogo.services.ledger import Ledger

_bearer = HTTPBearer(auto_error=False, description="An API key from `hogo apikey create`")


def get_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


def get_client(
    ledger: LedgerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiClient:
    if credentials is None:
        raise HTTPException(
            401,
            "an API key is needed: Authorization: Bearer hogo_…",
            {"WWW-Authenticate": "Bearer"},
        )
    client = authenticate(ledger, credentials.credentials)
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

"""The REST API's routes under /api/v1, one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from hogo.api.routers import (
    audit,
    collect,
    consent,
    eligible,
    erase,
    incidents,
    inquiries,
    policy,
    provide,
    requests,
    use,
)

API_PREFIX = "/api/v1"


def api_router() -> APIRouter:
    api = APIRouter(prefix=API_PREFIX)
    for module in (collect, use, consent, eligible, provide, erase, policy, audit):
        api.include_router(module.router)
    for module in (requests, incidents, inquiries):
        api.include_router(module.router)
    return api

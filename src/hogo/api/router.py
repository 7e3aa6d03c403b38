"""The REST API's routes under /api/v1, one router per resource.

The application includes each resource's router itself, under API_PREFIX: FastAPI matches
a request by walking the included routers, and one more level of nesting (an /api/v1
router holding the others) cost about 17 µs a request (docs/performance.md)."""

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


def api_routers() -> list[APIRouter]:
    """The routers, in matching order, for the application to include under API_PREFIX."""
    modules = (collect, use, consent, eligible, provide, erase, policy, audit)
    return [module.router for module in (*modules, requests, incidents, inquiries)]

"""GET /audit/verify: whether the audit trail is intact, and where it breaks if not."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hogo.api.deps import ClientDep, LedgerDep
from hogo.services.audit_trail import verify

router = APIRouter(tags=["audit"])


@router.get("/audit/verify")
def audit_verify(ledger: LedgerDep, client: ClientDep) -> Any:
    return verify(ledger).to_dict()

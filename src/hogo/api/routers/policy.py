"""GET /policy/versions: the published versions of the policy."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hogo.api.deps import ClientDep, LedgerDep
from hogo.services.policy_versions import versions

router = APIRouter(tags=["policy"])


@router.get("/policy/versions")
def policy_versions(ledger: LedgerDep, client: ClientDep) -> Any:
    return [v.to_dict() for v in versions(ledger)]

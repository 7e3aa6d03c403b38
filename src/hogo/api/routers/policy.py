"""GET /policy/versions and /policy/diff: the published versions and what changed between two."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hogo.api.deps import ClientDep, LedgerDep
from hogo.services.policy_changes import compare_versions
from hogo.services.policy_versions import versions

router = APIRouter(tags=["policy"])

VersionId = Annotated[int, Query(ge=1, le=2**31, description="a published version's number")]


@router.get("/policy/versions")
def policy_versions(ledger: LedgerDep, client: ClientDep) -> Any:
    return [v.to_dict() for v in versions(ledger)]


@router.get("/policy/diff")
def policy_diff(
    ledger: LedgerDep,
    client: ClientDep,
    from_id: Annotated[int, Query(alias="from", ge=1, le=2**31)],
    to: VersionId,
) -> Any:
    """Every change from one published version to another, classified as `hogo diff` does
    (editorial, notify, consent required), with whom it reaches and the notice wording."""
    return {
        "from": from_id,
        "to": to,
        "changes": [change.to_dict() for change in compare_versions(ledger, from_id, to)],
    }

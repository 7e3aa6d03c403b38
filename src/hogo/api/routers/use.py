"""POST /use: read values for a purpose, allowed or refused with a reason (both audited).

The route is a coroutine: the use itself runs on the group commit's writer thread
(`use_async`), and the event loop only waits for it, without the worker-thread hop FastAPI
makes for a plain `def` route. The answer is rendered straight to a JSONResponse: returned
as a dict, FastAPI would first walk it through `jsonable_encoder`, which cost about as
much as the use itself (docs/performance.md).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field

from hogo.api.deps import ClientDep, LedgerDep, within_scope
from hogo.api.routers.models import Body, ErrorOut, Name, SubjectId
from hogo.services.use import use_async

router = APIRouter(tags=["use"])


class UseIn(Body):
    subject_id: SubjectId
    purpose: Name
    items: Annotated[list[Name], Field(min_length=1, max_length=200)]
    lang: Literal["ja", "en"] = "en"


@router.post(
    "/use",
    responses={403: {"model": ErrorOut, "description": "refused by the policy or the key"}},
)
async def use(body: UseIn, ledger: LedgerDep, client: ClientDep) -> Any:
    """The values when the policy allows the use; 403 with the reason code otherwise."""
    within_scope(client, purposes=[body.purpose], items=body.items)
    result = await use_async(
        ledger, body.subject_id, purpose=body.purpose, items=body.items, actor=client.actor
    )
    out = result.to_dict(body.lang)
    if not result.decision.allowed:
        return JSONResponse(
            {"error": out["reason"], "message": out["message"], "decision": out}, status_code=403
        )
    return JSONResponse(out)

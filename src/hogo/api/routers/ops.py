"""What the operational routes (requests, incidents, inquiries) need: a key made with
`hogo apikey create --ops`. Any other key is refused with 403 `key_scope`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from hogo.api.deps import ClientDep
from hogo.services.api_keys import ApiClient
from hogo.services.errors import Refused


def operations_client(client: ClientDep) -> ApiClient:
    if not client.operations:
        raise Refused(
            f"the key {client.name!r} may not work requests, incidents or inquiries; "
            "create one with `hogo apikey create --ops`",
            code="key_scope",
        )
    return client


OpsDep = Annotated[ApiClient, Depends(operations_client)]

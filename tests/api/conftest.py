from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hogo.server import create_app
from hogo.services.api_keys import create_key
from hogo.services.ledger import Ledger
from tests.services.conftest import clock, db_url, ledger, settings  # noqa: F401  (fixtures)


@pytest.fixture
def client(ledger: Ledger) -> Iterator[TestClient]:  # noqa: F811
    app = create_app(ledger.settings, ledger=ledger)
    with TestClient(app, raise_server_exceptions=True) as test_client:
        yield test_client


@pytest.fixture
def shop_key(ledger: Ledger) -> str:  # noqa: F811
    token, _ = create_key(
        ledger,
        name="shop",
        purposes=["orders", "newsletter"],
        items=["name", "email", "purchases"],
        actor="officer",
    )
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

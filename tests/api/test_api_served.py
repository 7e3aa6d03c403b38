"""The API as served: uvicorn on loopback, clients at once, keys revoked while in use."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2 as httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.server import create_app
from hogo.services.api_keys import revoke_key
from hogo.services.audit_trail import verify
from hogo.services.collect import Collection, collect_many
from hogo.services.ledger import KEY_CACHE_SECONDS, Ledger, open_ledger
from tests.api.conftest import bearer

CLIENTS = 32
"""More than the engine's pool holds (5 + 10 overflow), fewer than FastAPI's 40 threads."""
CALLS = 6


@contextmanager
def served(ledger: Ledger) -> Iterator[str]:
    """The application on a free loopback port, in a thread, until the block ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    app = create_app(ledger.settings, ledger=ledger)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _uses(ledger: Ledger) -> int:
    with ledger.engine.connect() as conn:
        query = select(func.count()).select_from(t.audit).where(t.audit.c.action == "use")
        return int(conn.execute(query).scalar_one())


def test_many_clients_at_once_every_use_answered_and_audited_in_one_chain(
    ledger: Ledger, shop_key: str
) -> None:
    people = [Collection("shop", {"name": f"利用者{i}"}) for i in range(CLIENTS)]
    ids = [c.subject_id for c in collect_many(ledger, people, actor="officer")]
    statuses: list[int] = []
    values: list[Any] = []
    start_line = threading.Barrier(CLIENTS)

    def client(n: int, base: str) -> None:
        body = {"subject_id": ids[n], "purpose": "orders", "items": ["name"]}
        with httpx.Client(base_url=base, headers=bearer(shop_key), timeout=60) as session:
            start_line.wait()
            for _ in range(CALLS):
                response = session.post("/api/v1/use", json=body)
                statuses.append(response.status_code)
                values.append(response.json().get("values"))

    with served(ledger) as base:
        threads = [threading.Thread(target=client, args=(n, base)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert statuses == [200] * (CLIENTS * CALLS)
    assert sorted(v["name"] for v in values) == sorted(
        f"利用者{i}" for i in range(CLIENTS) for _ in range(CALLS)
    )
    assert _uses(ledger) == CLIENTS * CALLS
    report = verify(ledger)
    assert report.ok, report.problem
    assert report.checked == report.head_id  # ids contiguous, every entry linked


def _use(client: TestClient, key: str, subject: str) -> int:
    body = {"subject_id": subject, "purpose": "orders", "items": ["name"]}
    return client.post("/api/v1/use", json=body, headers=bearer(key)).status_code


def _subject(ledger: Ledger) -> str:
    return collect_many(ledger, [Collection("shop", {"name": "佐藤花子"})], actor="officer")[
        0
    ].subject_id


def test_a_key_revoked_by_this_process_is_refused_on_the_next_call(
    client: TestClient, ledger: Ledger, shop_key: str
) -> None:
    subject = _subject(ledger)
    assert _use(client, shop_key, subject) == 200
    revoke_key(ledger, "shop", actor="officer")
    assert _use(client, shop_key, subject) == 401


class Ticker:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_revoked_by_another_process_is_refused_within_the_bound(
    client: TestClient, ledger: Ledger, shop_key: str
) -> None:
    ticker = Ticker()
    ledger.api_clients.clock = ticker
    subject = _subject(ledger)
    assert _use(client, shop_key, subject) == 200
    other = open_ledger(ledger.settings)  # `hogo apikey revoke` on the command line
    try:
        revoke_key(other, "shop", actor="officer")
    finally:
        other.close()
    ticker.now += KEY_CACHE_SECONDS / 2
    assert _use(client, shop_key, subject) == 200
    ticker.now += KEY_CACHE_SECONDS / 2
    assert _use(client, shop_key, subject) == 401
    with ledger.engine.connect() as conn:
        outcomes = conn.execute(
            select(t.audit.c.outcome).where(t.audit.c.action == "use").order_by(t.audit.c.id)
        ).scalars()
        assert list(outcomes) == ["allowed", "allowed"]  # the refused call never reached use


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_answer_is_the_use_result_as_json(
    client: TestClient, ledger: Ledger, shop_key: str, lang: str
) -> None:
    subject = _subject(ledger)
    body = {"subject_id": subject, "purpose": "orders", "items": ["name"], "lang": lang}
    response = client.post("/api/v1/use", json=body, headers=bearer(shop_key))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    answer = response.json()
    assert answer["values"] == {"name": "佐藤花子"} and answer["allowed"] is True
    assert set(answer) == {
        "subject_id", "allowed", "reason", "message", "purpose", "items", "detail", "values"
    }  # fmt: skip
    assert ("利用目的" in answer["message"]) == (lang == "ja")

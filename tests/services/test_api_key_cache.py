"""A process remembers a checked API key for KEY_CACHE_SECONDS: revocation is honoured at
once in the revoking process and within that bound in every other one."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.services.api_keys import authenticate, create_key, remembered, revoke_key
from hogo.services.ledger import KEY_CACHE_SECONDS, Ledger, open_ledger
from hogo.services.memo import Expiring


class Ticker:
    """A monotonic clock tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker(ledger: Ledger) -> Ticker:
    ticker = Ticker()
    ledger.api_clients.clock = ticker
    return ticker


@pytest.fixture
def other_process(ledger: Ledger) -> Iterator[Ledger]:
    """A second ledger on the same database: what another process (the CLI) sees."""
    other = open_ledger(ledger.settings)
    try:
        yield other
    finally:
        other.close()


def _key(ledger: Ledger) -> str:
    token, _ = create_key(ledger, name="shop", purposes=["orders"], items=["name"], actor="o")
    return token


def test_a_checked_key_is_remembered_and_a_refused_one_is_not(
    ledger: Ledger, ticker: Ticker
) -> None:
    token = _key(ledger)
    assert remembered(ledger, token) is None
    client = authenticate(ledger, token)
    assert client is not None and remembered(ledger, token) == client
    wrong = token[:-1] + ("a" if token[-1] != "a" else "b")
    for refused in (wrong, "hogo_000000000000_" + "a" * 43, "garbage"):
        assert authenticate(ledger, refused) is None
        assert remembered(ledger, refused) is None
    assert len(ledger.api_clients) == 1  # guessing fills no memory
    ticker.now += KEY_CACHE_SECONDS
    assert remembered(ledger, token) is None  # expired: the next check reads the row


def test_revoked_in_this_process_the_key_stops_at_once(ledger: Ledger, ticker: Ticker) -> None:
    token = _key(ledger)
    assert authenticate(ledger, token) is not None
    revoke_key(ledger, "shop", actor="o")
    assert remembered(ledger, token) is None
    assert authenticate(ledger, token) is None


def test_revoked_in_another_process_the_key_stops_within_the_bound(
    ledger: Ledger, other_process: Ledger, ticker: Ticker
) -> None:
    token = _key(ledger)
    assert authenticate(ledger, token) is not None
    revoke_key(other_process, "shop", actor="o")
    assert authenticate(other_process, token) is None
    ticker.now += KEY_CACHE_SECONDS - 0.001
    assert authenticate(ledger, token) is not None  # still trusted, within the bound
    ticker.now += 0.001
    assert authenticate(ledger, token) is None
    assert authenticate(ledger, token) is None  # and a refusal is not remembered


def test_a_check_that_read_the_row_before_a_revocation_is_not_remembered() -> None:
    memory: Expiring[str, str] = Expiring(5.0, 10)
    before = memory.generation  # a check starts and reads the key's row (not yet revoked)
    memory.forget(lambda name: name == "shop")  # the revocation commits meanwhile
    memory.remember("token", "shop", generation=before)
    assert memory.get("token") is None
    memory.remember("token", "shop", generation=memory.generation)
    assert memory.get("token") == "shop"


def test_the_memory_is_bounded() -> None:
    memory: Expiring[int, int] = Expiring(5.0, 3)
    for n in range(3):
        memory.remember(n, n, generation=memory.generation)
    assert len(memory) == 3
    memory.remember(3, 3, generation=memory.generation)
    assert len(memory) == 1 and memory.get(3) == 3 and memory.get(0) is None


def test_checking_a_key_does_not_wait_for_a_writer(ledger: Ledger) -> None:
    """The key's row is read without the write lock, so a long write elsewhere (a batch
    holding the audit head) does not hold up every API call behind it."""
    token = _key(ledger)
    with ledger.engine.begin() as conn:  # BEGIN IMMEDIATE on SQLite
        conn.execute(select(t.audit_head).with_for_update())  # the head's row lock elsewhere
        answer: list[object] = []
        checker = threading.Thread(target=lambda: answer.append(authenticate(ledger, token)))
        checker.start()
        checker.join(timeout=10)
        assert not checker.is_alive() and answer and answer[0] is not None

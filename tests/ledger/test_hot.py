"""The hot path's connection: outside the engine's pool, one caller at a time, thrown
away after an error."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from hogo.ledger.hot import HotConnection


def test_the_hot_connection_does_not_count_against_the_engine_pool(engine: Engine) -> None:
    hot = HotConnection(engine)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with hot.cursor() as cursor:
            cursor.execute("SELECT 1")
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        release.set()
        holder.join(10)
        hot.close()


def test_its_users_take_turns(engine: Engine) -> None:
    hot = HotConnection(engine)
    inside = 0
    most = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        for _ in range(20):
            with hot.cursor() as cursor:
                with lock:
                    inside += 1
                    most = max(most, inside)
                cursor.execute("SELECT 1")
                with lock:
                    inside -= 1

    workers = [threading.Thread(target=work) for _ in range(5)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    hot.close()
    assert most == 1


def test_a_connection_whose_work_raised_is_not_reused(engine: Engine) -> None:
    hot = HotConnection(engine)
    with hot.cursor() as cursor:
        first = cursor.connection
    with pytest.raises(ZeroDivisionError), hot.cursor() as cursor:
        assert cursor.connection is first  # kept between callers
        raise ZeroDivisionError
    with hot.cursor() as cursor:
        assert cursor.connection is not first
    hot.close()
    with pytest.raises(RuntimeError, match="closed"), hot.cursor():
        pass

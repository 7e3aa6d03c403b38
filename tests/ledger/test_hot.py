"""Hot-path connections: outside the engine's pool, one at a time on SQLite, thrown away
after an error."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from hogo.ledger.hot import HotConnections


def test_hot_connections_do_not_count_against_the_engine_pool(engine: Engine) -> None:
    hot = HotConnections(engine)
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


@pytest.mark.parametrize("size", [1, 3])
def test_no_more_users_at_once_than_connections(engine: Engine, size: int) -> None:
    hot = HotConnections(engine, size)
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

    workers = [threading.Thread(target=work) for _ in range(hot.size + 4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    hot.close()
    assert 1 <= most <= hot.size


def test_a_connection_whose_work_raised_is_not_reused(engine: Engine) -> None:
    hot = HotConnections(engine, size=1)
    with hot.cursor() as cursor:
        first = cursor.connection
    with pytest.raises(ZeroDivisionError), hot.cursor() as cursor:
        assert cursor.connection is first  # an idle connection is reused
        raise ZeroDivisionError
    with hot.cursor() as cursor:
        assert cursor.connection is not first
    hot.close()
    with pytest.raises(RuntimeError, match="closed"), hot.cursor():
        pass

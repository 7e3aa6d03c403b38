"""Master key rotation, on SQLite and PostgreSQL: live, resumable, nothing re-encrypted."""

from __future__ import annotations

import base64
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from hogo.config import Settings
from hogo.ledger import tables as t
from hogo.services import keys as key_service
from hogo.services.collect import Collection, collect
from hogo.services.errors import BadInput, NotReady
from hogo.services.keys import rotate
from hogo.services.ledger import Ledger, open_ledger
from hogo.services.subjects import find
from hogo.services.use import use
from tests.services.conftest import FixedClock


def people(ledger: Ledger, count: int, prefix: str = "p") -> dict[str, str]:
    """Collect `count` people; returns subject id -> e-mail."""
    out = {}
    for n in range(count):
        email = f"{prefix}{n}@example.jp"
        subject = collect(
            ledger, Collection("shop", {"email": email, "name": f"名前{n}"}), actor="shop"
        ).subject_id
        out[subject] = email
    return out


def wrapped_under(ledger: Ledger) -> dict[str, str]:
    with ledger.engine.connect() as conn:
        return {
            row.subject_id: row.master_key_id
            for row in conn.execute(
                select(t.subject_keys.c.subject_id, t.subject_keys.c.master_key_id)
            )
        }


def index_key_id(ledger: Ledger) -> str:
    with ledger.engine.connect() as conn:
        return str(conn.execute(select(t.index_keys.c.master_key_id)).scalar_one())


def keyring(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.fixture
def fresh() -> Iterator[list[Ledger]]:
    """Open more ledgers on the same database and key file, as other processes would."""
    opened: list[Ledger] = []
    yield opened
    for ledger in opened:
        ledger.close()


def reopen(settings: Settings, clock: FixedClock, opened: list[Ledger]) -> Ledger:
    ledger = open_ledger(settings, clock=clock)
    opened.append(ledger)
    return ledger


def assert_all_readable(ledger: Ledger, subjects: dict[str, str]) -> None:
    for subject, email in subjects.items():
        result = use(ledger, subject, purpose="orders", items=["email"], actor="support")
        assert result.values == {"email": email}
        assert [s.subject_id for s in find(ledger, email=email.upper())] == [subject]


def test_rotation_rewraps_every_data_key_and_retires_the_old_key(
    ledger: Ledger, settings: Settings, clock: FixedClock, fresh: list[Ledger]
) -> None:
    subjects = people(ledger, 7)
    old = ledger.keys.current_key_id()
    with ledger.engine.connect() as conn:
        ciphertexts = conn.execute(select(t.records.c.id, t.records.c.ciphertext)).all()
    calls: list[tuple[int, int]] = []
    result = rotate(ledger, actor="officer", batch=3, progress=lambda d, n: calls.append((d, n)))
    assert result.added and result.key_id != old
    assert (result.rewrapped, result.index_rewrapped, result.retired) == (7, True, (old,))
    assert not result.still_needed and not result.to_remove
    assert calls == [(0, 7), (3, 7), (6, 7), (7, 7)]
    assert set(wrapped_under(ledger).values()) == {result.key_id}
    assert index_key_id(ledger) == result.key_id
    ring = keyring(settings.key_file)
    assert ring["current"] == result.key_id and list(ring["keys"]) == [result.key_id]
    with ledger.engine.connect() as conn:  # no value was re-encrypted
        assert conn.execute(select(t.records.c.id, t.records.c.ciphertext)).all() == ciphertexts
    assert_all_readable(reopen(settings, clock, fresh), subjects)  # a new process
    assert_all_readable(ledger, subjects)


def test_rotation_is_audited_with_its_counts(ledger: Ledger) -> None:
    people(ledger, 2)
    old = ledger.keys.current_key_id()
    result = rotate(ledger, actor="officer:kim")
    with ledger.engine.connect() as conn:
        entry = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()
    assert (entry.action, entry.outcome, entry.actor, entry.subject_id) == (
        "key_rotation",
        "done",
        "officer:kim",
        None,
    )
    assert entry.detail == {
        "key_id": result.key_id,
        "added": True,
        "previous": [old],
        "rewrapped": 2,
        "index_rewrapped": True,
        "retired": [old],
        "still_needed": [],
    }


def test_an_interrupted_rotation_leaves_everything_usable_and_a_second_run_finishes(
    ledger: Ledger,
    settings: Settings,
    clock: FixedClock,
    fresh: list[Ledger],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subjects = people(ledger, 5)
    old = ledger.keys.current_key_id()
    real = key_service._rewrap_batch
    calls = 0

    def dies_after_one_batch(*args: Any) -> int:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise KeyboardInterrupt  # as if the process were stopped
        return real(*args)

    monkeypatch.setattr(key_service, "_rewrap_batch", dies_after_one_batch)
    with pytest.raises(KeyboardInterrupt):
        rotate(ledger, actor="officer", batch=2)
    monkeypatch.undo()
    new = ledger.keys.current_key_id()
    under = wrapped_under(ledger)
    assert sorted(under.values()).count(new) == 2 and sorted(under.values()).count(old) == 3
    assert set(keyring(settings.key_file)["keys"]) == {old, new}
    other = reopen(settings, clock, fresh)
    assert_all_readable(other, subjects)
    late = collect(other, Collection("shop", {"email": "late@example.jp"}), actor="shop")
    assert wrapped_under(ledger)[late.subject_id] == new
    subjects[late.subject_id] = "late@example.jp"

    again = rotate(reopen(settings, clock, fresh), actor="officer", batch=2)
    assert not again.added and again.key_id == new
    assert (again.rewrapped, again.index_rewrapped, again.retired) == (3, True, (old,))
    assert set(wrapped_under(ledger).values()) == {new}
    assert list(keyring(settings.key_file)["keys"]) == [new]
    assert_all_readable(reopen(settings, clock, fresh), subjects)


def test_a_run_interrupted_after_rewrapping_only_retires_next_time(
    ledger: Ledger, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    subjects = people(ledger, 3)
    old = ledger.keys.current_key_id()

    def dies(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(key_service, "_audit", dies)
    with pytest.raises(KeyboardInterrupt):
        rotate(ledger, actor="officer")
    monkeypatch.undo()
    new = ledger.keys.current_key_id()
    assert set(wrapped_under(ledger).values()) == {new}
    assert set(keyring(settings.key_file)["keys"]) == {old, new}
    again = rotate(ledger, actor="officer")
    assert (again.added, again.rewrapped, again.index_rewrapped) == (False, 0, False)
    assert again.retired == (old,) and again.key_id == new
    assert_all_readable(ledger, subjects)


def test_collecting_and_using_between_batches_in_another_process(
    ledger: Ledger, settings: Settings, clock: FixedClock, fresh: list[Ledger]
) -> None:
    subjects = people(ledger, 6)
    old = ledger.keys.current_key_id()
    other = reopen(settings, clock, fresh)  # opened before the rotation: knows the old key only
    assert_all_readable(other, subjects)
    during: dict[str, str] = {}

    def meanwhile(done: int, total: int) -> None:
        email = f"during{done}@example.jp"
        subject = collect(other, Collection("shop", {"email": email}), actor="shop").subject_id
        during[subject] = email
        assert_all_readable(other, subjects)  # re-wrapped ones and not yet re-wrapped ones

    result = rotate(ledger, actor="officer", batch=2, progress=meanwhile)
    assert len(during) == 4 and result.rewrapped == 6 and result.retired == (old,)
    under = wrapped_under(ledger)
    assert {under[s] for s in during} == {result.key_id}  # wrapped under the new key at once
    assert set(under.values()) == {result.key_id}
    assert_all_readable(other, {**subjects, **during})
    assert_all_readable(reopen(settings, clock, fresh), {**subjects, **during})
    assert other.keys.wrap(b"k" * 32, context=b"x").master_key_id == result.key_id


def test_a_second_rotation_after_a_finished_one_adds_another_key(ledger: Ledger) -> None:
    subjects = people(ledger, 2)
    first = rotate(ledger, actor="officer")
    second = rotate(ledger, actor="officer")
    assert second.added and second.key_id != first.key_id
    assert second.retired == (first.key_id,) and second.rewrapped == 2
    assert_all_readable(ledger, subjects)


def test_rotation_of_an_empty_ledger(ledger: Ledger, settings: Settings) -> None:
    result = rotate(ledger, actor="officer")
    assert result.added and result.rewrapped == 0 and not result.index_rewrapped
    assert list(keyring(settings.key_file)["keys"]) == [result.key_id]


def test_a_data_key_under_a_lost_master_key_stops_the_rotation_before_anything(
    ledger: Ledger, settings: Settings
) -> None:
    subject = next(iter(people(ledger, 1)))
    with ledger.engine.begin() as conn:
        conn.execute(
            update(t.subject_keys)
            .where(t.subject_keys.c.subject_id == subject)
            .values(master_key_id="mk-lost")
        )
    before = settings.key_file.read_text()
    with pytest.raises(NotReady, match=r"mk-lost \(1\)"):
        rotate(ledger, actor="officer")
    assert settings.key_file.read_text() == before


def test_one_rotation_at_a_time(ledger: Ledger, settings: Settings) -> None:
    lock = settings.key_file.with_name(f".{settings.key_file.name}.rotate.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(NotReady, match="another `hogo keys rotate` is running"):
            rotate(ledger, actor="officer")
    finally:
        os.close(fd)
    assert rotate(ledger, actor="officer").added


@pytest.mark.parametrize(("batch", "actor"), [(0, "officer"), (10_001, "officer"), (10, " ")])
def test_bad_arguments(ledger: Ledger, batch: int, actor: str) -> None:
    with pytest.raises(BadInput):
        rotate(ledger, actor=actor, batch=batch)


def _env_ledger(settings: Settings, clock: FixedClock, value: str, opened: list[Ledger]) -> Ledger:
    env = Settings(
        database_url=settings.database_url,
        key_file=settings.key_file,
        policy=settings.policy,
        master_key=SecretStr(value),
    )
    ledger = open_ledger(env, clock=clock)
    opened.append(ledger)
    return ledger


def test_rotation_with_hogo_master_key(
    ledger: Ledger, settings: Settings, clock: FixedClock, fresh: list[Ledger]
) -> None:
    old_key = base64.b64encode(os.urandom(32)).decode()
    new_key = base64.b64encode(os.urandom(32)).decode()
    only_old = _env_ledger(settings, clock, old_key, fresh)
    subjects = people(only_old, 3)
    with pytest.raises(NotReady, match="HOGO_MASTER_KEY=NEWKEY,OLDKEY"):
        rotate(only_old, actor="officer")
    both = _env_ledger(settings, clock, f"{new_key},{old_key}", fresh)
    result = rotate(both, actor="officer", batch=2)
    old_id = only_old.keys.current_key_id()
    assert not result.added and result.retired == ()
    assert (result.rewrapped, result.index_rewrapped, result.to_remove) == (3, True, (old_id,))
    assert set(wrapped_under(both).values()) == {result.key_id}
    assert_all_readable(_env_ledger(settings, clock, new_key, fresh), subjects)

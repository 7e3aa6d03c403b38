"""hogo demo: a ledger of made-up people, built through the real services."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from hogo.config import Settings
from hogo.ledger import tables as t
from hogo.ledger.tables_requests import requests
from hogo.services import staff
from hogo.services.demo import OFFICER, OFFICER_PASSWORD, build_demo, showcase_text
from hogo.services.errors import Refused
from hogo.services.ledger import Ledger, open_ledger
from tests.conftest import ROOT

SMALL = 12


def opened(directory: Path) -> Ledger:
    return open_ledger(
        Settings(
            database_url=f"sqlite:///{directory / 'hogo.db'}",
            key_file=directory / "master.key",
        )
    )


def shape(directory: Path) -> tuple[Counter[str], Counter[tuple[str, bool]], list[str]]:
    ledger = opened(directory)
    try:
        with ledger.engine.connect() as conn:
            items = Counter(conn.execute(select(t.records.c.item)).scalars())
            consents = Counter(
                (r.purpose, bool(r.granted))
                for r in conn.execute(select(t.consents.c.purpose, t.consents.c.granted))
            )
            states = sorted(conn.execute(select(requests.c.state)).scalars())
    finally:
        ledger.close()
    return items, consents, states


def test_the_demo_holds_a_year_of_use(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    result = build_demo(
        tmp_path / "demo", subjects=SMALL, seed=7, progress=lambda d, n: seen.append((d, n))
    )
    assert (tmp_path / "demo" / "hogo.yaml").read_text("utf-8") == showcase_text()
    assert seen[-1][0] == seen[-1][1]
    items, consents, states = shape(tmp_path / "demo")
    assert items["name"] == SMALL
    assert ("newsletter", True) in consents
    assert states == sorted(
        ["in_progress", "answered", "refused", "withdrawn", "received", "in_progress"]
    )
    ledger = opened(tmp_path / "demo")
    try:
        user = staff.authenticate(ledger, OFFICER, OFFICER_PASSWORD)
        assert user is not None and user.role == "officer"
        with ledger.engine.connect() as conn:
            assert conn.execute(select(t.provision_records)).first() is not None
            actions = set(conn.execute(select(t.audit.c.action)).scalars())
    finally:
        ledger.close()
    assert {"collect", "consent"} <= actions
    assert result.subjects == SMALL


def test_the_same_seed_makes_the_same_people(tmp_path: Path) -> None:
    build_demo(tmp_path / "a", subjects=SMALL, seed=3)
    build_demo(tmp_path / "b", subjects=SMALL, seed=3)
    build_demo(tmp_path / "c", subjects=SMALL, seed=4)
    assert shape(tmp_path / "a") == shape(tmp_path / "b")
    assert shape(tmp_path / "a")[:2] != shape(tmp_path / "c")[:2]


def test_an_existing_demo_is_kept_unless_forced(tmp_path: Path) -> None:
    build_demo(tmp_path, subjects=SMALL)
    with pytest.raises(Refused, match="already exists"):
        build_demo(tmp_path, subjects=SMALL)
    build_demo(tmp_path, subjects=SMALL, force=True)
    assert shape(tmp_path)[0]["name"] == SMALL


def test_the_packaged_policy_is_the_showcase_example() -> None:
    assert showcase_text() == (ROOT / "examples" / "showcase" / "hogo.yaml").read_text("utf-8")

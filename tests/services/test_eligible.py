"""eligible: one SQL query that agrees with the purpose check, on both databases."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from hogo.ledger import tables as t
from hogo.services.consent import record_consent
from hogo.services.eligible import eligible
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger
from hogo.services.restrictions import lift, suspend
from hogo.services.use import use_many
from tests.services.conftest import FixedClock
from tests.services.consent_support import (
    counts,
    erase_directly,
    expire_records,
    publish_variant,
    subject,
)

PURPOSES = ("orders", "newsletter", "wellness", "list_sales")


def ids(ledger: Ledger, purpose: str) -> set[str]:
    result = eligible(ledger, purpose=purpose)
    assert result.subject_ids is not None and result.count == len(result.subject_ids)
    assert list(result.subject_ids) == sorted(result.subject_ids)
    return set(result.subject_ids)


def test_announced_purpose_reaches_every_subject_holding_its_items(ledger: Ledger) -> None:
    a = subject(ledger)
    b = subject(ledger, {"purchases": "茶"})
    outsider = subject(ledger, {"health": "良好"}, consents={"wellness": True})
    assert ids(ledger, "orders") == {a, b}
    assert outsider in ids(ledger, "wellness")
    result = eligible(ledger, purpose="orders")
    assert result.requires == "announced" and result.purpose == "orders"


def test_consent_purpose_needs_the_latest_row_granted(ledger: Ledger) -> None:
    never = subject(ledger)
    granted = subject(ledger, consents={"wellness": True})
    withdrawn = subject(ledger, consents={"wellness": True})
    record_consent(ledger, withdrawn, purpose="wellness", granted=False, actor="app")
    again = subject(ledger, consents={"wellness": True})
    record_consent(ledger, again, purpose="wellness", granted=False, actor="app")
    record_consent(ledger, again, purpose="wellness", granted=True, actor="app")
    refused_first = subject(ledger)
    record_consent(ledger, refused_first, purpose="wellness", granted=False, actor="app")
    record_consent(ledger, refused_first, purpose="wellness", granted=True, actor="app")
    assert ids(ledger, "wellness") == {granted, again, refused_first}
    assert never in ids(ledger, "orders")
    assert eligible(ledger, purpose="wellness").requires == "consent"


def test_opt_out_purpose_leaves_out_those_who_opted_out_now(ledger: Ledger) -> None:
    silent = subject(ledger)
    out = subject(ledger, consents={"newsletter": False})
    back = subject(ledger, consents={"newsletter": False})
    record_consent(ledger, back, purpose="newsletter", granted=True, actor="portal")
    late = subject(ledger, consents={"newsletter": True})
    record_consent(ledger, late, purpose="newsletter", granted=False, actor="portal")
    assert ids(ledger, "newsletter") == {silent, back}
    assert ids(ledger, "list_sales") == {silent, out, back, late}  # another opt-out purpose
    assert eligible(ledger, purpose="newsletter").requires == "no_opt_out"


def test_subjects_without_the_purposes_items_are_not_eligible(ledger: Ledger) -> None:
    buyer = subject(ledger, {"purchases": "茶"})  # orders uses purchases, newsletter does not
    assert buyer in ids(ledger, "orders")
    assert buyer not in ids(ledger, "newsletter")
    consenting = subject(ledger, {"purchases": "茶"}, consents={"wellness": True})
    assert consenting not in ids(ledger, "wellness")


def test_erased_subjects_are_not_eligible(ledger: Ledger) -> None:
    kept = subject(ledger, consents={"wellness": True})
    gone = subject(ledger, consents={"wellness": True})
    erase_directly(ledger, gone, datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    for purpose in PURPOSES:
        assert gone not in ids(ledger, purpose)
    assert kept in ids(ledger, "wellness")


def test_use_restrictions_for_all_or_one_purpose_and_lifting(ledger: Ledger) -> None:
    s = subject(ledger, consents={"wellness": True})
    other = subject(ledger)
    one = suspend(
        ledger, s, scope="use", purpose="newsletter", reason="asked", origin="request", actor="o"
    )
    assert s not in ids(ledger, "newsletter")
    assert s in ids(ledger, "orders") and s in ids(ledger, "wellness")
    every = suspend(
        ledger, s, scope="use", purpose=None, reason="hold", origin="legal_hold", actor="o"
    )
    for purpose in ("orders", "wellness", "list_sales"):
        assert s not in ids(ledger, purpose)
    assert other in ids(ledger, "orders") and other in ids(ledger, "list_sales")
    lift(ledger, every.id, reason="hold ended", actor="o")
    assert s in ids(ledger, "orders") and s not in ids(ledger, "newsletter")
    lift(ledger, one.id, reason="withdrawn", actor="o")
    assert s in ids(ledger, "newsletter")


def test_provision_restrictions_do_not_stop_use(ledger: Ledger) -> None:
    s = subject(ledger)
    suspend(
        ledger, s, scope="provision", purpose=None, reason="no sharing", origin="request", actor="o"
    )
    assert s in ids(ledger, "list_sales") and s in ids(ledger, "orders")


def test_records_past_retention_do_not_count(ledger: Ledger, clock: FixedClock) -> None:
    s = subject(ledger, {"purchases": "茶"})
    t2 = subject(ledger, {"purchases": "茶", "name": "T"})
    expire_records(ledger, s, "purchases", date(2026, 11, 24))  # due today: past
    expire_records(ledger, t2, "purchases", date(2026, 11, 24))
    assert ids(ledger, "orders") == {t2}  # t2 still has a name within retention
    expire_records(ledger, s, "purchases", date(2026, 11, 25))  # due tomorrow: still usable
    assert ids(ledger, "orders") == {s, t2}
    clock.advance_to(date(2026, 11, 25))
    assert ids(ledger, "orders") == {t2}


def test_special_care_items_make_any_purpose_need_consent(
    ledger: Ledger, clock: FixedClock, tmp_path: Path
) -> None:
    publish_variant(
        ledger,
        tmp_path,
        {"items: [name, email, purchases, card]": "items: [name, email, purchases, card, health]"},
        date(2027, 1, 1),
    )
    clock.advance_to(date(2027, 1, 2))
    plain = subject(ledger)
    consented = subject(ledger)
    record_consent(ledger, consented, purpose="orders", granted=True, actor="app")
    result = eligible(ledger, purpose="orders")
    assert result.requires == "consent" and result.subject_ids == (consented,)
    use = use_many(ledger, [plain, consented], purpose="orders", items=["health"], actor="app")
    assert use[plain].decision.reason.value == "special_care_without_consent"
    assert use[consented].decision.allowed


def test_count_and_limit(ledger: Ledger) -> None:
    made = sorted(subject(ledger) for _ in range(5))
    counted = eligible(ledger, purpose="orders", count_only=True)
    assert counted.count == 5 and counted.subject_ids is None
    assert "subject_ids" not in counted.to_dict()
    limited = eligible(ledger, purpose="orders", limit=2)
    assert limited.subject_ids == tuple(made[:2]) and limited.count == 2
    assert eligible(ledger, purpose="orders", limit=10).subject_ids == tuple(made)
    assert eligible(ledger, purpose="wellness").subject_ids == ()
    data = limited.to_dict()
    assert data["subject_ids"] == made[:2] and data["on"] == "2026-11-24"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"purpose": "nope"}, "unknown purpose 'nope'"),
        ({"purpose": "orders", "limit": 0}, "between 1 and"),
        ({"purpose": "orders", "limit": "3"}, "whole number"),
        ({"purpose": "orders", "limit": True}, "whole number"),
    ],
)
def test_bad_input(ledger: Ledger, kwargs: dict[str, Any], message: str) -> None:
    subject(ledger)
    before = counts(ledger)
    with pytest.raises(BadInput, match=message):
        eligible(ledger, **kwargs)
    assert counts(ledger) == before


def test_eligible_writes_nothing(ledger: Ledger) -> None:
    subject(ledger)
    before = counts(ledger)
    for purpose in PURPOSES:
        eligible(ledger, purpose=purpose)
        eligible(ledger, purpose=purpose, count_only=True)
    assert counts(ledger) == before


@contextmanager
def statements(ledger: Ledger) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(ledger.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(ledger.engine, "before_cursor_execute", record)


def about_people(statement: str) -> bool:
    text = statement.lower()
    return any(f" {name}" in text for name in ("subjects", "consents", "records", "restrictions"))


@pytest.mark.parametrize("purpose", PURPOSES)
@pytest.mark.parametrize("count_only", [False, True])
def test_one_query_answers(ledger: Ledger, purpose: str, count_only: bool) -> None:
    for _ in range(4):
        s = subject(ledger, consents={"wellness": True})
        record_consent(ledger, s, purpose="newsletter", granted=False, actor="app")
    eligible(ledger, purpose="orders")  # the policy version is now parsed and cached
    with statements(ledger) as seen:
        result = eligible(ledger, purpose=purpose, count_only=count_only)
    answering = [s for s in seen if about_people(s)]
    assert len(answering) == 1, seen
    assert answering[0].lstrip().upper().startswith("SELECT")
    assert all(s.lstrip().upper().startswith(("SELECT", "BEGIN")) for s in seen), seen
    assert result.count == (0 if purpose == "newsletter" else 4)


def populate(ledger: Ledger, seed: int, size: int = 50) -> list[str]:
    """`size` subjects with random items, consents, opt-outs, restrictions and erasures."""
    rnd = random.Random(seed)
    made: list[str] = []
    for n in range(size):
        values = {
            item: value
            for item, value in (
                ("name", f"N{n}"),
                ("email", f"r{n}@example.jp"),
                ("purchases", "茶"),
            )
            if rnd.random() < 0.6
        }
        consents: dict[str, bool] = {}
        if rnd.random() < 0.3:
            values["health"] = "良好"
            consents["wellness"] = True
        if not values:
            values["card"] = "4111"
        s = subject(ledger, values, consents)
        made.append(s)
        for _ in range(rnd.randrange(4)):
            purpose = rnd.choice(["newsletter", "wellness", "list_sales"])
            record_consent(ledger, s, purpose=purpose, granted=rnd.random() < 0.5, actor="app")
        roll = rnd.random()
        if roll < 0.25:
            restriction = suspend(
                ledger,
                s,
                scope=rnd.choice(["use", "use", "provision"]),
                purpose=rnd.choice([None, *PURPOSES]),
                reason="random",
                origin="request",
                actor="o",
            )
            if rnd.random() < 0.3:
                lift(ledger, restriction.id, reason="random", actor="o")
        if rnd.random() < 0.15:
            item = rnd.choice(sorted(values))
            expire_records(
                ledger, s, item, date(2026, 1, 1) if rnd.random() < 0.7 else date(2030, 1, 1)
            )
        if rnd.random() < 0.1:
            erase_directly(ledger, s, datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    return made


def live_holders(ledger: Ledger, items: set[str], today: date) -> set[str]:
    with ledger.engine.connect() as conn:
        rows = conn.execute(
            select(t.records.c.subject_id, t.records.c.item, t.records.c.retention_due)
        )
        return {
            r.subject_id
            for r in rows
            if r.item in items and (r.retention_due is None or r.retention_due > today)
        }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_eligible_agrees_with_the_purpose_check(ledger: Ledger, seed: int) -> None:
    """The contract of the module docstring, checked against `use_many` subject by subject."""
    population = populate(ledger, seed)
    items_of = {
        "orders": ["card", "email", "name", "purchases"],
        "newsletter": ["email", "name"],
        "wellness": ["health", "name"],
        "list_sales": ["email", "name"],
    }
    for purpose, items in items_of.items():
        decisions = use_many(ledger, population, purpose=purpose, items=items, actor="app")
        passing = {
            s
            for s, result in decisions.items()
            if result.decision.allowed or result.decision.reason.value == "retention_passed"
        }
        expected = passing & live_holders(ledger, set(items), ledger.today())
        assert ids(ledger, purpose) == expected, purpose
        assert eligible(ledger, purpose=purpose, count_only=True).count == len(expected)
        assert 0 < len(expected) < len(population)  # the population exercises both sides

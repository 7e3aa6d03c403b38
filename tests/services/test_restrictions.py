"""Restrictions: suspension of use or provision, honoured at once, lifted explicitly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger
from hogo.services.restrictions import (
    active,
    active_provision_suspension,
    lift,
    restrictions_of,
    suspend,
)
from hogo.services.use import use
from tests.services.conftest import FixedClock
from tests.services.consent_support import counts, erase_directly, subject


def decision(ledger: Ledger, s: str, purpose: str) -> tuple[str, str]:
    d = use(ledger, s, purpose=purpose, items=["name"], actor="app").decision
    return d.reason.value, d.detail


def provision_suspended(ledger: Ledger, s: str, purpose: str | None = None) -> bool:
    with ledger.engine.connect() as conn:
        return active_provision_suspension(conn, s, purpose)


def test_suspending_use_for_every_purpose(ledger: Ledger) -> None:
    s = subject(ledger, consents={"wellness": True})
    r = suspend(
        ledger, s, scope="use", purpose=None, reason="本人の請求", origin="request", actor="o"
    )
    assert r.active and r.purpose is None and r.scope == "use" and r.origin == "request"
    assert r.created_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    for purpose in ("orders", "newsletter", "wellness", "list_sales"):
        assert decision(ledger, s, purpose) == ("use_suspended", "*")
    other = subject(ledger)
    assert decision(ledger, other, "orders") == ("allowed", "")


def test_suspending_one_purpose_does_not_block_another(ledger: Ledger) -> None:
    s = subject(ledger)
    suspend(
        ledger,
        s,
        scope="use",
        purpose="newsletter",
        reason="stop mail",
        origin="request",
        actor="o",
    )
    assert decision(ledger, s, "newsletter") == ("use_suspended", "newsletter")
    assert decision(ledger, s, "orders") == ("allowed", "")
    assert decision(ledger, s, "list_sales") == ("allowed", "")


def test_a_lifted_restriction_no_longer_applies(ledger: Ledger, clock: FixedClock) -> None:
    s = subject(ledger)
    r = suspend(ledger, s, scope="use", purpose=None, reason="hold", origin="legal_hold", actor="o")
    clock.advance_to(date(2026, 12, 1))
    lifted = lift(ledger, r.id, reason="hold released", actor="officer:ito")
    assert not lifted.active and lifted.lift_reason == "hold released"
    assert lifted.lifted_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert lifted.created_at == r.created_at
    assert decision(ledger, s, "orders") == ("allowed", "")
    assert active(ledger, s) == []
    assert restrictions_of(ledger, s, include_lifted=True) == [lifted]


def test_two_restrictions_are_lifted_one_by_one(ledger: Ledger) -> None:
    s = subject(ledger)
    request = suspend(
        ledger, s, scope="use", purpose=None, reason="asked", origin="request", actor="o"
    )
    hold = suspend(
        ledger, s, scope="use", purpose=None, reason="court", origin="legal_hold", actor="o"
    )
    assert [r.id for r in active(ledger, s)] == [request.id, hold.id]
    lift(ledger, request.id, reason="request withdrawn", actor="o")
    assert decision(ledger, s, "orders") == ("use_suspended", "*")  # the hold still applies
    assert [r.id for r in active(ledger, s)] == [hold.id]
    lift(ledger, hold.id, reason="case closed", actor="o")
    assert decision(ledger, s, "orders") == ("allowed", "")


def test_provision_suspension_is_for_the_provision_service(ledger: Ledger) -> None:
    s = subject(ledger)
    assert not provision_suspended(ledger, s)
    one = suspend(
        ledger,
        s,
        scope="provision",
        purpose="list_sales",
        reason="no lists",
        origin="request",
        actor="o",
    )
    assert decision(ledger, s, "list_sales") == ("allowed", "")  # use is not provision
    assert provision_suspended(ledger, s)  # no purpose given: any provision suspension counts
    assert provision_suspended(ledger, s, "list_sales")
    assert not provision_suspended(ledger, s, "orders")
    every = suspend(
        ledger, s, scope="provision", purpose=None, reason="all", origin="officer", actor="o"
    )
    assert provision_suspended(ledger, s, "orders")
    lift(ledger, every.id, reason="done", actor="o")
    lift(ledger, one.id, reason="done", actor="o")
    assert not provision_suspended(ledger, s) and not provision_suspended(ledger, s, "list_sales")
    use_only = subject(ledger)
    suspend(ledger, use_only, scope="use", purpose=None, reason="use", origin="request", actor="o")
    assert not provision_suspended(ledger, use_only)


def test_suspending_and_lifting_are_audited(ledger: Ledger) -> None:
    s = subject(ledger)
    r = suspend(
        ledger,
        s,
        scope="use",
        purpose="newsletter",
        reason="asked",
        origin="request",
        actor="desk:mori",
    )
    lift(ledger, r.id, reason="asked again", actor="desk:mori")
    with ledger.engine.connect() as conn:
        entries = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(2)).all()
    lifted, restricted = entries
    assert (restricted.action, restricted.outcome, restricted.subject_id, restricted.purpose) == (
        "restrict",
        "done",
        s,
        "newsletter",
    )
    assert restricted.detail == {"restriction_id": r.id, "scope": "use", "origin": "request"}
    assert (lifted.action, lifted.actor, lifted.subject_id) == ("lift", "desk:mori", s)
    assert lifted.detail == {"restriction_id": r.id, "scope": "use"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scope": "erase"}, "unknown scope 'erase'"),
        ({"origin": "whim"}, "unknown origin 'whim'"),
        ({"purpose": "nope"}, "unknown purpose 'nope'"),
        ({"reason": ""}, "a reason is required"),
        ({"reason": "  "}, "a reason is required"),
        ({"reason": "x" * 2001}, "longer than 2,000"),
        ({"actor": ""}, "actor is required"),
    ],
)
def test_bad_input_to_suspend_writes_nothing(
    ledger: Ledger, kwargs: dict[str, Any], message: str
) -> None:
    s = subject(ledger)
    before = counts(ledger)
    arguments: dict[str, Any] = {
        "scope": "use",
        "purpose": None,
        "reason": "r",
        "origin": "request",
        "actor": "o",
        **kwargs,
    }
    with pytest.raises(BadInput, match=message):
        suspend(ledger, s, **arguments)
    assert counts(ledger) == before


def test_unknown_or_erased_subject(ledger: Ledger) -> None:
    before = counts(ledger)
    with pytest.raises(NotFound, match="no subject"):
        suspend(
            ledger, "0" * 32, scope="use", purpose=None, reason="r", origin="request", actor="o"
        )
    with pytest.raises(NotFound):
        active(ledger, "0" * 32)
    assert counts(ledger) == before
    s = subject(ledger)
    r = suspend(ledger, s, scope="use", purpose=None, reason="r", origin="request", actor="o")
    erase_directly(ledger, s, datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    before = counts(ledger)
    with pytest.raises(Refused) as info:
        suspend(ledger, s, scope="provision", purpose=None, reason="r", origin="request", actor="o")
    assert info.value.code == "erased" and counts(ledger) == before
    lift(ledger, r.id, reason="erased anyway", actor="o")  # lifting stays possible
    assert active(ledger, s) == []


def test_bad_input_to_lift_writes_nothing(ledger: Ledger) -> None:
    s = subject(ledger)
    r = suspend(ledger, s, scope="use", purpose=None, reason="r", origin="request", actor="o")
    before = counts(ledger)
    with pytest.raises(NotFound, match="no restriction 999"):
        lift(ledger, 999, reason="r", actor="o")
    with pytest.raises(BadInput, match="a reason is required"):
        lift(ledger, r.id, reason=" ", actor="o")
    with pytest.raises(BadInput, match="is a number"):
        lift(ledger, "1", reason="r", actor="o")  # type: ignore[arg-type]
    assert counts(ledger) == before
    lift(ledger, r.id, reason="r", actor="o")
    before = counts(ledger)
    with pytest.raises(BadInput, match="already lifted"):
        lift(ledger, r.id, reason="again", actor="o")
    assert counts(ledger) == before
    assert restrictions_of(ledger, s, include_lifted=True)[0].lift_reason == "r"


def test_to_dict(ledger: Ledger) -> None:
    s = subject(ledger)
    r = suspend(
        ledger, s, scope="provision", purpose="list_sales", reason="r", origin="officer", actor="o"
    )
    data = r.to_dict()
    assert data["active"] is True and data["lifted_at"] is None and data["purpose"] == "list_sales"
    assert data["created_at"] == "2026-11-24T09:00:00+00:00"

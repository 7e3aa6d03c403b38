"""Consent and opt-out: an append-only history, effective on the next use, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.services.consent import consent_history, current_consents, record_consent
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger
from hogo.services.use import use
from tests.services.conftest import FixedClock
from tests.services.consent_support import counts, erase_directly, publish_variant, subject


def reason(ledger: Ledger, subject_id: str, purpose: str, items: list[str]) -> str:
    return use(ledger, subject_id, purpose=purpose, items=items, actor="app").decision.reason.value


def last_audit(ledger: Ledger) -> Any:
    with ledger.engine.connect() as conn:
        return conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()


def test_grant_withdraw_and_grant_again_take_effect_at_once(ledger: Ledger) -> None:
    s = subject(ledger)
    assert reason(ledger, s, "wellness", ["name"]) == "consent_missing"
    granted = record_consent(
        ledger, s, purpose="wellness", granted=True, actor="portal", method="portal"
    )
    assert granted.granted and granted.method == "portal" and granted.evidence is None
    assert reason(ledger, s, "wellness", ["name"]) == "allowed"
    record_consent(ledger, s, purpose="wellness", granted=False, actor="portal")
    assert reason(ledger, s, "wellness", ["name"]) == "consent_withdrawn"
    record_consent(
        ledger,
        s,
        purpose="wellness",
        granted=True,
        actor="staff",
        evidence="form v4",
        method="form",
    )
    assert reason(ledger, s, "wellness", ["name"]) == "allowed"
    history = consent_history(ledger, s)
    assert [e.granted for e in history] == [True, False, True]
    assert [e.id for e in history] == sorted(e.id for e in history)
    assert history[-1].evidence == "form v4" and history[-1].method == "form"
    assert current_consents(ledger, s) == {"wellness": True}


def test_opt_out_and_opting_back_in(ledger: Ledger) -> None:
    s = subject(ledger)
    assert reason(ledger, s, "newsletter", ["email"]) == "allowed"  # opt-out basis: no row yet
    record_consent(ledger, s, purpose="newsletter", granted=False, actor="mailer")
    assert reason(ledger, s, "newsletter", ["email"]) == "opted_out"
    assert reason(ledger, s, "list_sales", ["email"]) == "allowed"  # only that purpose
    assert reason(ledger, s, "orders", ["email"]) == "allowed"
    record_consent(ledger, s, purpose="newsletter", granted=True, actor="portal")
    assert reason(ledger, s, "newsletter", ["email"]) == "allowed"
    assert current_consents(ledger, s) == {"newsletter": True}


def test_withdrawal_of_consent_to_special_care_data(ledger: Ledger) -> None:
    s = subject(ledger, {"name": "K", "health": "良好"}, consents={"wellness": True})
    assert use(ledger, s, purpose="wellness", items=["health"], actor="nurse").values == {
        "health": "良好"
    }
    record_consent(ledger, s, purpose="wellness", granted=False, actor="nurse")
    assert reason(ledger, s, "wellness", ["health"]) == "special_care_without_consent"


def test_each_event_is_stored_audited_and_references_the_version_in_force(
    ledger: Ledger, clock: FixedClock, tmp_path: Path
) -> None:
    s = subject(ledger)
    first = record_consent(ledger, s, purpose="wellness", granted=True, actor="staff:aiko")
    with ledger.engine.connect() as conn:
        version_1 = conn.execute(select(t.policy_versions.c.id)).scalar_one()
    assert first.policy_version_id == version_1
    assert first.at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    entry = last_audit(ledger)
    assert (entry.action, entry.outcome, entry.actor, entry.subject_id, entry.purpose) == (
        "consent",
        "done",
        "staff:aiko",
        s,
        "wellness",
    )
    assert entry.detail["granted"] is True and entry.detail["consent_id"] == first.id
    assert entry.detail["policy_version_id"] == version_1 and entry.detail["basis"] == "consent"

    version_2 = publish_variant(
        ledger, tmp_path, {'version: "2.0"': 'version: "2.1"'}, date(2027, 1, 1)
    )
    clock.advance_to(date(2027, 1, 2))
    second = record_consent(ledger, s, purpose="wellness", granted=False, actor="staff:aiko")
    assert second.policy_version_id == version_2 != version_1
    stored = consent_history(ledger, s, "wellness")
    assert [e.policy_version_id for e in stored] == [version_1, version_2]
    assert stored[1] == second
    assert last_audit(ledger).detail["granted"] is False


def test_history_is_append_only(ledger: Ledger) -> None:
    s = subject(ledger)
    for granted in (True, False, True, False):
        record_consent(ledger, s, purpose="wellness", granted=granted, actor="app")
    record_consent(ledger, s, purpose="newsletter", granted=False, actor="app")
    assert counts(ledger)["consents"] == 5
    assert [e.granted for e in consent_history(ledger, s, "wellness")] == [True, False, True, False]
    assert [e.purpose for e in consent_history(ledger, s, "newsletter")] == ["newsletter"]
    assert consent_history(ledger, s, "list_sales") == []
    assert current_consents(ledger, s) == {"wellness": False, "newsletter": False}


def test_consents_given_at_collection_are_part_of_the_history(ledger: Ledger) -> None:
    s = subject(ledger, {"email": "c@example.jp"}, consents={"newsletter": False})
    record_consent(ledger, s, purpose="newsletter", granted=True, actor="portal")
    assert [e.granted for e in consent_history(ledger, s)] == [False, True]
    assert current_consents(ledger, s) == {"newsletter": True}


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"purpose": "nope"}, BadInput, "unknown purpose 'nope'"),
        ({"purpose": "orders"}, BadInput, "is announced"),
        ({"method": "pigeon"}, BadInput, "unknown method 'pigeon'"),
        ({"evidence": "x" * 2001}, BadInput, "longer than 2,000"),
        ({"evidence": "a\x00b"}, BadInput, "NUL"),
        ({"granted": "yes"}, BadInput, "true or false"),
        ({"actor": " "}, BadInput, "actor is required"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    ledger: Ledger, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    s = subject(ledger)
    before = counts(ledger)
    arguments: dict[str, Any] = {"purpose": "wellness", "granted": True, "actor": "app", **kwargs}
    with pytest.raises(error, match=message):
        record_consent(ledger, s, **arguments)
    assert counts(ledger) == before


def test_evidence_of_exactly_the_limit_and_every_method_are_accepted(ledger: Ledger) -> None:
    s = subject(ledger)
    for method in ("form", "portal", "api", "paper"):
        event = record_consent(
            ledger,
            s,
            purpose="wellness",
            granted=True,
            actor="app",
            method=method,
            evidence="e" * 2000,
        )
        assert event.method == method and event.evidence == "e" * 2000


def test_unknown_subject_is_not_found(ledger: Ledger) -> None:
    before = counts(ledger)
    with pytest.raises(NotFound, match="no subject"):
        record_consent(ledger, "0" * 32, purpose="wellness", granted=True, actor="app")
    with pytest.raises(NotFound):
        consent_history(ledger, "0" * 32)
    with pytest.raises(NotFound):
        current_consents(ledger, "0" * 32)
    assert counts(ledger) == before


def test_erased_subject_is_refused_but_its_history_stays_readable(ledger: Ledger) -> None:
    s = subject(ledger)
    record_consent(ledger, s, purpose="wellness", granted=True, actor="app")
    erase_directly(ledger, s, datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    before = counts(ledger)
    with pytest.raises(Refused, match="erased") as info:
        record_consent(ledger, s, purpose="wellness", granted=False, actor="app")
    assert info.value.code == "erased"
    assert counts(ledger) == before
    assert current_consents(ledger, s) == {"wellness": True}


def test_an_announced_purpose_using_special_care_items_takes_consent(
    ledger: Ledger, clock: FixedClock, tmp_path: Path
) -> None:
    publish_variant(
        ledger,
        tmp_path,
        {"items: [name, email, purchases, card]": "items: [name, email, purchases, card, health]"},
        date(2027, 1, 1),
    )
    clock.advance_to(date(2027, 1, 2))
    s = subject(ledger, {"name": "H", "health": "良好"}, consents={"wellness": True})
    assert reason(ledger, s, "orders", ["health"]) == "special_care_without_consent"
    record_consent(ledger, s, purpose="orders", granted=True, actor="app")
    assert reason(ledger, s, "orders", ["health"]) == "allowed"

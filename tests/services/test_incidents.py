"""The incident register and its scope, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.ledger import tables_incidents as ti
from hogo.services.collect import Collection, collect_many
from hogo.services.erasure import erase
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.incidents import (
    DeadlineState,
    Trigger,
    close_incident,
    list_incidents,
    scope_by_access,
    scope_by_items,
    scope_by_source,
    show_incident,
    update_incident,
)
from hogo.services.ledger import Ledger
from hogo.services.use import use
from tests.services.conftest import FixedClock
from tests.services.incident_support import KNOWN, counts, incident, person

# --- opening, updating, closing -----------------------------------------------------------


def test_a_new_incident_has_its_deadlines_and_keeps_its_text_encrypted(ledger: Ledger) -> None:
    opened = incident(ledger, occurred_at=date(2026, 11, 20), discovered="監視アラート")
    assert opened.state == "open" and opened.known_on == KNOWN
    assert opened.preliminary_due == date(2026, 11, 26)  # day 3, a Thursday
    assert opened.final_due == date(2026, 12, 23)  # day 30
    assert opened.text("discovered_how") == "監視アラート"
    with ledger.engine.connect() as conn:
        row = conn.execute(select(ti.incidents)).one()
        event = conn.execute(select(ti.incident_events)).one()
        audit = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()
    assert "不正アクセス".encode() not in row.summary and b"\xe7\x9b\xa3" not in row.discovered_how
    assert event.kind == "open" and event.actor == "officer"
    assert (audit.action, audit.outcome) == ("incident_open", "done")
    assert audit.detail["incident_id"] == opened.id


def test_a_suspected_unlawful_purpose_gives_sixty_days(ledger: Ledger) -> None:
    opened = incident(ledger, unlawful_purpose=True)
    assert opened.final_due == date(2027, 1, 22)
    cleared = update_incident(ledger, opened.id, unlawful_purpose=False, actor="officer")
    assert cleared.final_due == date(2026, 12, 23) and not cleared.unlawful_purpose_suspected
    again = update_incident(ledger, opened.id, unlawful_purpose=True, actor="officer")
    assert again.final_due == date(2027, 1, 22)


def test_the_preliminary_period_comes_from_the_settings(ledger: Ledger) -> None:
    ledger.settings = ledger.settings.model_copy(update={"incident_preliminary_days": 5})
    assert incident(ledger).preliminary_due == date(2026, 11, 30)  # day 5 is a Saturday


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"known_at": date(2026, 11, 25)}, "in the future"),
        ({"summary": "   "}, "summary is empty"),
        ({"summary": "x" * 20_001}, "at most 20,000"),
        ({"summary": "a\x00b"}, "control characters"),
        ({"vendor": "nobody"}, "unknown vendor 'nobody'"),
        ({"occurred_at": date(2026, 11, 24), "known_at": date(2026, 11, 23)}, "after the day"),
        ({"discovered_on": date(2026, 11, 24), "known_at": date(2026, 11, 20)}, "after the day"),
        ({"unlawful_purpose": "yes"}, "true or false"),
        ({"known_at": "2026-11-24"}, "must be a date"),
        ({"actor": ""}, "actor is required"),
    ],
)
def test_bad_input_opens_nothing(ledger: Ledger, changes: dict[str, object], message: str) -> None:
    before = counts(ledger)
    with pytest.raises(BadInput, match=message):
        incident(ledger, **changes)
    assert counts(ledger) == before


def test_update_records_what_was_found_encrypted_with_its_history(ledger: Ledger) -> None:
    opened = incident(ledger, vendor="courier")
    updated = update_incident(
        ledger,
        opened.id,
        texts={"cause": "VPN機器の脆弱性", "prevention_planned": "多要素認証の導入"},
        preliminary_filed_on=date(2026, 11, 24),
        actor="officer",
    )
    assert updated.text("cause") == "VPN機器の脆弱性" and updated.vendor == "courier"
    assert updated.preliminary_filed_on == date(2026, 11, 24)
    with ledger.engine.connect() as conn:
        row = conn.execute(select(ti.incidents)).one()
        events = conn.execute(select(ti.incident_events).order_by(ti.incident_events.c.id)).all()
    assert "脆弱性".encode() not in row.cause
    assert [e.kind for e in events] == ["open", "update"]
    assert events[1].detail["fields"] == ["cause", "preliminary_filed_on", "prevention_planned"]
    view = show_incident(ledger, opened.id)
    assert view.preliminary.state is DeadlineState.FILED


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, BadInput, "nothing to update"),
        ({"texts": {"colour": "red"}}, BadInput, "unknown field 'colour'"),
        ({"texts": {"cause": ""}}, BadInput, "cause is empty"),
        ({"occurred_at": date(2026, 11, 25)}, BadInput, "in the future"),
        ({"final_filed_on": date(2026, 11, 1)}, BadInput, "before the day of knowing"),
        ({"vendor": "ghost"}, BadInput, "unknown vendor"),
        ({"strongly_encrypted": 1}, BadInput, "true or false"),
    ],
)
def test_bad_updates_change_nothing(
    ledger: Ledger, kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    opened = incident(ledger)
    before = counts(ledger)
    with pytest.raises(error, match=message):
        update_incident(ledger, opened.id, actor="officer", **kwargs)  # type: ignore[arg-type]
    assert counts(ledger) == before
    assert show_incident(ledger, opened.id).incident == opened


def test_unknown_incidents_are_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotFound, match="no incident 9"):
        update_incident(ledger, 9, texts={"cause": "x"}, actor="officer")
    with pytest.raises(NotFound):
        show_incident(ledger, 9)
    with pytest.raises(BadInput, match="positive number"):
        close_incident(ledger, 0, actor="officer")


def test_a_closed_incident_changes_no_more(ledger: Ledger) -> None:
    opened = incident(ledger, unlawful_purpose=True)
    person(ledger, 1)
    scope_by_items(ledger, opened.id, items=["email"], actor="officer")
    closed = close_incident(ledger, opened.id, actor="officer")
    assert closed.state == "closed" and closed.closed_at is not None
    before = counts(ledger)
    with pytest.raises(Refused, match="closed") as refused:
        update_incident(ledger, opened.id, texts={"cause": "x"}, actor="officer")
    assert refused.value.code == "closed"
    with pytest.raises(Refused):
        close_incident(ledger, opened.id, actor="officer")
    with pytest.raises(Refused):
        scope_by_items(ledger, opened.id, items=["name"], actor="officer")
    assert counts(ledger) == before
    view = show_incident(ledger, opened.id, today=date(2027, 3, 1))
    assert view.final.state is DeadlineState.NOT_REQUIRED  # no countdown once closed


def test_show_counts_down_and_turns_overdue(ledger: Ledger) -> None:
    opened = incident(ledger, unlawful_purpose=True)
    view = show_incident(ledger, opened.id)
    assert view.assessment.required and view.assessment.triggers == (Trigger.UNLAWFUL_PURPOSE,)
    assert view.preliminary.days_left == 2 and view.final.days_left == 59
    late = show_incident(ledger, opened.id, today=date(2026, 11, 27))
    assert late.preliminary.state is DeadlineState.OVERDUE and late.preliminary.days_left == -1
    assert late.final.state is DeadlineState.DUE
    assert {i.key for i in view.pending} >= {"cause", "items", "people", "other"}


def test_an_incident_with_nothing_reportable_counts_down_nothing(ledger: Ledger) -> None:
    opened = incident(ledger)
    person(ledger, 1)
    scope_by_items(ledger, opened.id, items=["name"], actor="officer")
    view = show_incident(ledger, opened.id)
    assert not view.assessment.required and view.assessment.triggers == ()
    assert view.preliminary.state is DeadlineState.NOT_REQUIRED


def test_list_puts_open_incidents_first_by_deadline(ledger: Ledger, clock: FixedClock) -> None:
    first = incident(ledger, known_at=date(2026, 11, 20))
    second = incident(ledger, known_at=date(2026, 11, 10))
    third = incident(ledger, known_at=date(2026, 11, 1))
    close_incident(ledger, third.id, actor="officer")
    assert [v.incident.id for v in list_incidents(ledger)] == [second.id, first.id, third.id]
    assert [v.incident.id for v in list_incidents(ledger, state="closed")] == [third.id]
    with pytest.raises(BadInput, match="unknown state"):
        list_incidents(ledger, state="pending")


# --- scope --------------------------------------------------------------------------------


def test_scope_by_items_takes_the_holders_and_is_idempotent(ledger: Ledger) -> None:
    opened = incident(ledger)
    ill = person(ledger, 1, health=True)
    payer = person(ledger, 2, card=True)
    person(ledger, 3)
    result = scope_by_items(ledger, opened.id, items=["health", "card"], actor="officer")
    assert (result.found, result.added, result.widened, result.people) == (2, 2, 0, 2)
    again = scope_by_items(ledger, opened.id, items=["health", "card"], actor="officer")
    assert (again.found, again.added, again.widened, again.people) == (2, 0, 0, 2)
    view = show_incident(ledger, opened.id)
    assert view.scope.people == 2
    assert view.assessment.triggers == (Trigger.SPECIAL_CARE, Trigger.FINANCIAL_RISK)
    with ledger.engine.connect() as conn:
        rows = dict(
            conn.execute(
                select(ti.incident_subjects.c.subject_id, ti.incident_subjects.c["items"])
            ).all()
        )
    assert rows == {ill: ["health"], payer: ["card"]}


def test_a_second_scope_merges_items_and_counts_each_person_once(ledger: Ledger) -> None:
    opened = incident(ledger)
    ill = person(ledger, 1, health=True)
    person(ledger, 2)
    scope_by_items(ledger, opened.id, items=["health"], actor="officer")
    wider = scope_by_items(ledger, opened.id, items=["email"], actor="officer")
    assert (wider.found, wider.added, wider.widened, wider.people) == (2, 1, 1, 2)
    view = show_incident(ledger, opened.id)
    counted = {c.item.id: c.people for c in view.scope.items}
    assert counted == {"email": 2, "health": 1}
    with ledger.engine.connect() as conn:
        items = conn.execute(
            select(ti.incident_subjects.c["items"]).where(ti.incident_subjects.c.subject_id == ill)
        ).scalar_one()
    assert items == ["email", "health"]


def test_scope_by_source_takes_what_the_source_collected(ledger: Ledger) -> None:
    opened = incident(ledger)
    a, b = person(ledger, 1), person(ledger, 2, card=True)
    result = scope_by_source(ledger, opened.id, source="shop", actor="officer")
    assert (result.found, result.added) == (2, 2)
    view = show_incident(ledger, opened.id)
    assert {c.item.id: c.people for c in view.scope.items} == {"name": 2, "email": 2, "card": 1}
    assert view.scope.subject_kinds == {"customer": 2}
    assert {a, b} == _scoped(ledger)


def _scoped(ledger: Ledger) -> set[str]:
    with ledger.engine.connect() as conn:
        return set(conn.execute(select(ti.incident_subjects.c.subject_id)).scalars())


def _at(clock: FixedClock, hour: int, minute: int = 0) -> datetime:
    clock.now = datetime(2026, 11, 24, hour, minute, tzinfo=UTC)
    return clock.now


def test_scope_by_access_follows_the_audit_trail_in_a_time_window(
    ledger: Ledger, clock: FixedClock
) -> None:
    s1, s2, s3, s4 = (person(ledger, n, health=n == 4) for n in range(1, 5))
    _at(clock, 10)
    assert use(ledger, s1, purpose="orders", items=["name"], actor="support:aiko").decision.allowed
    _at(clock, 11)
    assert use(ledger, s2, purpose="orders", items=["name", "email", "card"], actor="support:aiko")
    _at(clock, 11, 30)
    allowed = use(ledger, s4, purpose="wellness", items=["health"], actor="support:aiko")
    assert allowed.decision.allowed  # consent was given at collection
    refused = use(ledger, s3, purpose="wellness", items=["health"], actor="support:aiko")
    assert not refused.decision.allowed  # no consent: nothing reached the actor
    use(ledger, s3, purpose="orders", items=["name"], actor="support:ken")  # another actor
    _at(clock, 13)
    use(ledger, s3, purpose="orders", items=["name"], actor="support:aiko")  # after the window
    opened = incident(ledger, unlawful_purpose=True)
    jst = timezone(timedelta(hours=9))
    result = scope_by_access(
        ledger,
        opened.id,
        accessed_by="support:aiko",
        start=datetime(2026, 11, 24, 19, 30, tzinfo=jst),  # 10:30 UTC
        end=datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
        actor="officer",
    )
    assert (result.found, result.added) == (2, 2)
    assert _scoped(ledger) == {s2, s4}
    view = show_incident(ledger, opened.id)
    # s2 held no card, so the card asked for did not leak; s4's health result did.
    assert {c.item.id: c.people for c in view.scope.items} == {"name": 1, "email": 1, "health": 1}
    assert Trigger.FINANCIAL_RISK not in view.assessment.triggers
    assert Trigger.SPECIAL_CARE in view.assessment.triggers


def test_scope_by_access_keeps_the_items_of_a_subject_erased_since(
    ledger: Ledger, clock: FixedClock
) -> None:
    gone = person(ledger, 1)
    _at(clock, 10)
    use(ledger, gone, purpose="orders", items=["name", "email"], actor="support:aiko")
    _at(clock, 11)
    erase(ledger, gone, actor="officer")
    opened = incident(ledger)
    scope_by_access(
        ledger,
        opened.id,
        accessed_by="support:aiko",
        start=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
        end=datetime(2026, 11, 24, 10, 30, tzinfo=UTC),
        actor="officer",
    )
    view = show_incident(ledger, opened.id)
    assert view.scope.people == 1 and view.scope.erased == 1
    assert {c.item.id for c in view.scope.items} == {"name", "email"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda lg, i: scope_by_items(lg, i, items=["shoe_size"], actor="o"), "unknown item"),
        (lambda lg, i: scope_by_items(lg, i, items=[], actor="o"), "no items given"),
        (lambda lg, i: scope_by_source(lg, i, source="fax", actor="o"), "unknown source 'fax'"),
        (
            lambda lg, i: scope_by_access(
                lg, i, accessed_by="a", start=datetime(2026, 11, 24), end=datetime(2026, 11, 25),
                actor="o",
            ),
            "no time zone",
        ),
        (
            lambda lg, i: scope_by_access(
                lg, i, accessed_by="a", start=datetime(2026, 11, 24, tzinfo=UTC),
                end=datetime(2026, 11, 24, tzinfo=UTC), actor="o",
            ),
            "not before its end",
        ),
        (
            lambda lg, i: scope_by_access(
                lg, i, accessed_by=" ", start=datetime(2026, 11, 24, tzinfo=UTC),
                end=datetime(2026, 11, 25, tzinfo=UTC), actor="o",
            ),
            "name the actor",
        ),
        (lambda lg, i: scope_by_items(lg, i, items=["name"], actor=""), "actor is required"),
        (lambda lg, i: scope_by_items(lg, 999, items=["name"], actor="o"), "no incident 999"),
    ],
)  # fmt: skip
def test_bad_scopes_write_nothing(ledger: Ledger, call: object, message: str) -> None:
    opened = incident(ledger)
    person(ledger, 1)
    before = counts(ledger)
    with pytest.raises(BadInput, match=message):
        call(ledger, opened.id)  # type: ignore[operator]
    assert counts(ledger) == before


def test_more_than_a_thousand_people_makes_a_leak_of_names_reportable(ledger: Ledger) -> None:
    batch = [Collection("shop", {"email": f"c{n}@example.jp"}) for n in range(1_000)]
    collect_many(ledger, batch, actor="import")
    opened = incident(ledger)
    scope_by_items(ledger, opened.id, items=["email"], actor="officer")
    at_threshold = show_incident(ledger, opened.id)
    assert at_threshold.scope.people == 1_000 and not at_threshold.assessment.required
    person(ledger, 9_999)
    scope_by_items(ledger, opened.id, items=["email"], actor="officer")
    over = show_incident(ledger, opened.id)
    assert over.scope.people == 1_001
    assert over.assessment.required and over.assessment.triggers == (Trigger.MANY_PEOPLE,)


def test_strong_encryption_exempts_a_scope_that_would_be_reportable(ledger: Ledger) -> None:
    opened = incident(ledger, strongly_encrypted=True)
    person(ledger, 1, health=True)
    scope_by_items(ledger, opened.id, items=["health"], actor="officer")
    view = show_incident(ledger, opened.id)
    assert view.assessment.exempt and not view.assessment.required
    assert view.assessment.triggers == (Trigger.SPECIAL_CARE,)
    update_incident(ledger, opened.id, strongly_encrypted=False, actor="officer")
    assert show_incident(ledger, opened.id).assessment.required

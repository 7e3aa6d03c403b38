"""A revision that needs consent again: uses refused until a fresh consent, eligible agrees."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.services.collect import Collection, collect
from hogo.services.consent import record_consent
from hogo.services.eligible import eligible
from hogo.services.errors import BadInput, Refused
from hogo.services.ledger import Ledger
from hogo.services.use import use, use_many
from tests.services.conftest import FixedClock
from tests.services.consent_support import subject
from tests.services.policy_change_support import (
    ADS_PURPOSE,
    NEWSLETTER_ITEMS,
    WELLNESS_ITEMS,
    notices,
    revise,
)
from tests.services.test_eligible import live_holders, populate

TODAY = date(2026, 11, 24)


def audit_tail(ledger: Ledger) -> tuple[object, ...]:
    """The last audit entry as both read paths must write it (its id and hashes aside)."""
    with ledger.engine.connect() as conn:
        r = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()
    return (r.actor, r.action, r.outcome, r.subject_id, r.purpose, r.items, r.reason, r.detail)


def reason(ledger: Ledger, subject_id: str, purpose: str, items: tuple[str, ...]) -> str:
    """The answer of both read paths, which must agree (the general path first, so that the
    version in force is parsed and SQLite's hot path answers the second)."""
    general = use_many(ledger, [subject_id], purpose=purpose, items=list(items), actor="app")
    general_audit = audit_tail(ledger)
    fast = use(ledger, subject_id, purpose=purpose, items=list(items), actor="app")
    assert fast == general[subject_id]
    assert audit_tail(ledger) == general_audit
    return fast.decision.reason.value


def ids(ledger: Ledger, purpose: str) -> set[str]:
    found = eligible(ledger, purpose=purpose).subject_ids
    assert found is not None
    return set(found)


def wellness_subject(ledger: Ledger, n: int) -> str:
    values = {"name": f"W{n}", "email": f"w{n}@example.jp", "health": "良好"}
    return collect(
        ledger, Collection("shop", values, consents={"wellness": True}), actor="app"
    ).subject_id


def test_a_consent_change_refuses_old_consents_until_a_fresh_one(
    ledger: Ledger, tmp_path: Path
) -> None:
    old = wellness_subject(ledger, 1)
    assert reason(ledger, old, "wellness", ("name",)) == "allowed"
    published = revise(ledger, tmp_path, WELLNESS_ITEMS, effective=TODAY)
    assert published.revision is not None and published.revision.highest == "consent"
    assert [r.purpose for r in published.revision.requirements] == ["wellness"]
    assert published.revision.requirements[0].article == "APPI Art. 18(1)"
    result = use(ledger, old, purpose="wellness", items=["name"], actor="app")
    assert result.decision.reason.value == "reconsent_required" and result.values is None
    assert "改定後に本人から改めて同意を得るまで利用できません" in result.decision.sentence("ja")
    assert old not in ids(ledger, "wellness")
    # the notice tells the person what stops and where to consent again
    message = notices(ledger)[old]
    assert message is not None
    assert "■ 改めて同意をお願いする事項" in message.body and "・健康サービス" in message.body
    assert "http://127.0.0.1:8000/preferences" in message.body
    # other purposes are untouched; a fresh consent lifts the refusal
    assert reason(ledger, old, "orders", ("name",)) == "allowed"
    record_consent(ledger, old, purpose="wellness", granted=True, actor="portal")
    assert reason(ledger, old, "wellness", ("name", "health")) == "allowed"
    assert old in ids(ledger, "wellness")
    # someone collected under the revised version consented to the revised purpose
    new = wellness_subject(ledger, 2)
    assert reason(ledger, new, "wellness", ("name", "purchases")) == "allowed"
    assert new in ids(ledger, "wellness")


def test_the_requirement_binds_from_the_day_the_version_applies(
    ledger: Ledger, tmp_path: Path, clock: FixedClock
) -> None:
    old = wellness_subject(ledger, 1)
    revise(ledger, tmp_path, WELLNESS_ITEMS, effective=date(2026, 12, 1))
    assert reason(ledger, old, "wellness", ("name",)) == "allowed"
    assert old in ids(ledger, "wellness")
    clock.advance_to(date(2026, 12, 1))
    assert reason(ledger, old, "wellness", ("name",)) == "reconsent_required"
    assert old not in ids(ledger, "wellness")


def test_a_consent_given_after_publication_counts_before_the_change_applies(
    ledger: Ledger, tmp_path: Path, clock: FixedClock
) -> None:
    old = wellness_subject(ledger, 1)
    revise(ledger, tmp_path, WELLNESS_ITEMS, effective=date(2026, 12, 1))
    record_consent(ledger, old, purpose="wellness", granted=True, actor="portal")
    clock.advance_to(date(2026, 12, 1))
    assert reason(ledger, old, "wellness", ("name", "purchases")) == "allowed"


def test_a_new_unrelated_announced_purpose_needs_consent_for_data_held_before(
    ledger: Ledger, tmp_path: Path
) -> None:
    old = subject(ledger)
    with pytest.raises(BadInput, match="announced"):
        record_consent(ledger, old, purpose="orders", granted=True, actor="portal")
    revise(ledger, tmp_path, ADS_PURPOSE, effective=TODAY)
    assert reason(ledger, old, "ads", ("email",)) == "reconsent_required"
    assert reason(ledger, old, "orders", ("email",)) == "allowed"
    assert ids(ledger, "ads") == set()
    record_consent(ledger, old, purpose="ads", granted=True, actor="portal")
    assert reason(ledger, old, "ads", ("email",)) == "allowed"
    record_consent(ledger, old, purpose="ads", granted=False, actor="portal")
    assert reason(ledger, old, "ads", ("email",)) == "reconsent_required"
    # announced to those collected under the revision: no consent needed
    new = subject(ledger)
    assert reason(ledger, new, "ads", ("email",)) == "allowed"
    assert ids(ledger, "ads") == {new}


def test_an_opt_out_purpose_changed_beyond_its_scope_needs_an_opt_in(
    ledger: Ledger, tmp_path: Path
) -> None:
    quiet, opted = subject(ledger), subject(ledger)
    record_consent(ledger, opted, purpose="newsletter", granted=False, actor="mailer")
    revise(ledger, tmp_path, NEWSLETTER_ITEMS, effective=TODAY)
    assert reason(ledger, quiet, "newsletter", ("email",)) == "reconsent_required"
    assert reason(ledger, opted, "newsletter", ("email",)) == "opted_out"
    record_consent(ledger, quiet, purpose="newsletter", granted=True, actor="mailer")
    assert reason(ledger, quiet, "newsletter", ("email",)) == "allowed"
    new = subject(ledger)
    assert reason(ledger, new, "newsletter", ("email",)) == "allowed"
    assert ids(ledger, "newsletter") == {quiet, new}


@pytest.mark.parametrize("seed", [4, 5])
def test_eligible_agrees_with_the_purpose_check_after_a_revision(
    ledger: Ledger, tmp_path: Path, seed: int
) -> None:
    before = populate(ledger, seed, size=30)
    revise(ledger, tmp_path, WELLNESS_ITEMS, NEWSLETTER_ITEMS, ADS_PURPOSE, effective=TODAY)
    rnd = random.Random(seed)
    for s in before:
        if rnd.random() < 0.4:
            purpose = rnd.choice(["newsletter", "wellness", "ads"])
            try:
                record_consent(ledger, s, purpose=purpose, granted=rnd.random() < 0.7, actor="a")
            except Refused:  # an erased subject cannot consent
                continue
    after = populate(ledger, seed + 100, size=10)
    population = before + after
    with ledger.engine.connect() as conn:
        compiled = ledger.policy_in_force(conn).compiled
    for purpose in ("orders", "newsletter", "wellness", "list_sales", "ads"):
        items = sorted(compiled.purposes[purpose].items)
        decisions = use_many(ledger, population, purpose=purpose, items=items, actor="app")
        passing = {
            s
            for s, result in decisions.items()
            if result.decision.allowed or result.decision.reason.value == "retention_passed"
        }
        expected = passing & live_holders(ledger, set(items), ledger.today())
        assert ids(ledger, purpose) == expected, purpose
        if purpose in ("newsletter", "wellness", "ads"):
            refused = {
                s for s, r in decisions.items() if r.decision.reason.value == "reconsent_required"
            }
            assert refused, purpose  # the population exercises the new rule

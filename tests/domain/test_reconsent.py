"""Rule 8 of the purpose check: a purpose changed beyond its old scope needs consent again."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hogo.domain.purpose_check import (
    CompiledPolicy,
    CompiledPurpose,
    Decision,
    ReasonCode,
    Reconsent,
    SubjectState,
    decide,
)

R = ReasonCode
CHANGE = Reconsent(version_id=3, after=10, version="2.1")
"""Published as version #3 ("2.1") when the last consent row had id 10."""

POLICY = CompiledPolicy(
    {
        "orders": CompiledPurpose("orders", frozenset({"name", "email"}), "announced", None),
        "survey": CompiledPurpose("survey", frozenset({"email"}), "consent"),
        "newsletter": CompiledPurpose("newsletter", frozenset({"email"}), "opt_out"),
        "wellness": CompiledPurpose(
            "wellness", frozenset({"name", "health"}), "announced", None, frozenset({"health"})
        ),
    }
)
CHANGED = CompiledPolicy(
    {pid: replace(purpose, reconsent=CHANGE) for pid, purpose in POLICY.purposes.items()}
)


def ask(state: SubjectState, purpose: str = "orders", policy: CompiledPolicy = CHANGED) -> Decision:
    items = tuple(sorted(policy.purposes[purpose].items))
    return decide(policy, state, purpose=purpose, items=items, actor="x")


def granted(
    purpose: str, row_id: int, collected_under: int = 0, expired: frozenset[str] = frozenset()
) -> SubjectState:
    """The latest row for `purpose` is a grant with id `row_id`."""
    return SubjectState(
        consents={purpose: True},
        consent_ids={purpose: row_id},
        collected_under=collected_under,
        expired_items=expired,
    )


@pytest.mark.parametrize("purpose", ["orders", "newsletter"])
def test_fires_for_a_subject_who_never_consented(purpose: str) -> None:
    decision = ask(SubjectState(collected_under=1), purpose)
    assert not decision.allowed
    assert decision.reason is R.RECONSENT_REQUIRED
    assert decision.detail == "2.1"


@pytest.mark.parametrize("purpose", ["orders", "survey", "newsletter", "wellness"])
def test_fires_when_the_latest_grant_predates_the_change(purpose: str) -> None:
    assert ask(granted(purpose, 10, collected_under=2), purpose).reason is R.RECONSENT_REQUIRED
    assert ask(granted(purpose, 4), purpose).reason is R.RECONSENT_REQUIRED


def test_fires_when_a_fresh_consent_is_withdrawn_for_an_announced_purpose() -> None:
    state = SubjectState(consents={"orders": False}, consent_ids={"orders": 12})
    assert ask(state).reason is R.RECONSENT_REQUIRED


def test_fires_when_the_grant_has_no_known_position() -> None:
    # a state built without consent_ids cannot show that the grant is recent
    assert ask(SubjectState(consents={"orders": True})).reason is R.RECONSENT_REQUIRED


@pytest.mark.parametrize("purpose", ["orders", "survey", "newsletter", "wellness"])
def test_does_not_fire_after_a_grant_given_after_the_change(purpose: str) -> None:
    decision = ask(granted(purpose, 11, collected_under=2), purpose)
    assert decision.allowed and decision.reason is R.ALLOWED


@pytest.mark.parametrize("version", [3, 4])
def test_does_not_fire_for_subjects_collected_under_the_changed_version(version: int) -> None:
    # they were told of the changed purpose when their data was acquired (Art. 21)
    assert ask(SubjectState(collected_under=version)).allowed
    assert ask(SubjectState(collected_under=version), "newsletter").allowed


def test_does_not_fire_without_a_change_or_for_another_purpose() -> None:
    assert ask(SubjectState(), policy=POLICY).allowed
    only_orders = CompiledPolicy(
        {**POLICY.purposes, "orders": replace(POLICY.purposes["orders"], reconsent=CHANGE)}
    )
    assert ask(SubjectState(), "newsletter", only_orders).allowed
    assert ask(SubjectState(), "orders", only_orders).reason is R.RECONSENT_REQUIRED


def test_the_basis_reasons_speak_first() -> None:
    # a consent never given or withdrawn, or an opt-out, is reported as such
    assert ask(SubjectState(), "survey").reason is R.CONSENT_MISSING
    withdrawn = SubjectState(consents={"survey": False}, consent_ids={"survey": 12})
    assert ask(withdrawn, "survey").reason is R.CONSENT_WITHDRAWN
    opted = SubjectState(
        consents={"newsletter": False},
        consent_ids={"newsletter": 12},
        opted_out=frozenset({"newsletter"}),
    )
    assert ask(opted, "newsletter").reason is R.OPTED_OUT
    assert ask(SubjectState(), "wellness").reason is R.SPECIAL_CARE_WITHOUT_CONSENT


def test_it_speaks_before_retention_and_after_suspension() -> None:
    expired = SubjectState(expired_items=frozenset({"email"}))
    assert ask(expired).reason is R.RECONSENT_REQUIRED
    assert ask(granted("orders", 11, expired=frozenset({"email"}))).reason is (R.RETENTION_PASSED)
    assert ask(SubjectState(suspended_all=True)).reason is R.USE_SUSPENDED


def test_the_sentences_say_what_to_do() -> None:
    decision = ask(SubjectState())
    assert decision.sentence("ja") == (
        "利用目的「orders」はプライバシーポリシーの改定（2.1版）により変更されたため、"
        "改定後に本人から改めて同意を得るまで利用できません。"
    )
    assert "consent again" in decision.sentence("en") and "2.1" in decision.sentence("en")
    unnamed = replace(CHANGED.purposes["orders"], reconsent=Reconsent(7, 0))
    decision = ask(SubjectState(), policy=CompiledPolicy({"orders": unnamed}))
    assert decision.detail == "7"

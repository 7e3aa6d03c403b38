"""The purpose check as a pure function: every reason code, its near miss, and the order."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hogo.domain import purpose_check
from hogo.domain.purpose_check import (
    ALL_PURPOSES,
    Basis,
    CompiledPolicy,
    CompiledPurpose,
    Decision,
    ReasonCode,
    Reconsent,
    SubjectState,
    decide,
    decide_many,
)

R = ReasonCode

POLICY = CompiledPolicy(
    {
        "orders": CompiledPurpose(
            "orders", frozenset({"name", "email", "address", "purchases"}), "announced"
        ),
        "support": CompiledPurpose(
            "support",
            frozenset({"name", "email"}),
            "announced",
            actors=frozenset({"helpdesk", "crm"}),
        ),
        "wellness": CompiledPurpose(
            "wellness",
            frozenset({"name", "health"}),
            "consent",
            special_care=frozenset({"health"}),
        ),
        "research": CompiledPurpose(
            "research",
            frozenset({"name", "health", "purchases"}),
            "announced",
            special_care=frozenset({"health"}),
        ),
        "survey": CompiledPurpose("survey", frozenset({"email", "purchases"}), "consent"),
        "newsletter": CompiledPurpose("newsletter", frozenset({"name", "email"}), "opt_out"),
    },
    digest="test",
)

CLEAN = SubjectState()


def check(
    state: SubjectState = CLEAN,
    purpose: str = "orders",
    items: tuple[str, ...] = ("name", "email"),
    actor: str = "crm",
) -> Decision:
    return decide(POLICY, state, purpose=purpose, items=items, actor=actor)


def assert_allowed(decision: Decision) -> None:
    assert decision.allowed, decision
    assert decision.reason is R.ALLOWED
    assert decision.detail == ""


def assert_refused(decision: Decision, reason: ReasonCode, detail: str = "") -> None:
    assert not decision.allowed, decision
    assert decision.reason is reason
    assert decision.detail == detail


# --- every reason code: where it fires, and a near miss where it does not ---------------


def test_allowed_carries_the_question() -> None:
    decision = check(items=("email", "name"))
    assert_allowed(decision)
    assert decision.purpose == "orders"
    assert decision.items == ("email", "name")


def test_purpose_unknown() -> None:
    assert_refused(check(purpose="orderz"), R.PURPOSE_UNKNOWN)


def test_purpose_unknown_near_miss_is_case_sensitive_exact_id() -> None:
    assert_allowed(check(purpose="orders"))
    assert_refused(check(purpose="Orders"), R.PURPOSE_UNKNOWN)


def test_erased() -> None:
    assert_refused(check(SubjectState(erased=True)), R.ERASED)


def test_erased_near_miss() -> None:
    assert_allowed(check(SubjectState(erased=False)))


def test_item_not_mapped_names_the_first_unmapped_item_in_request_order() -> None:
    assert_refused(
        check(purpose="support", items=("name", "purchases")), R.ITEM_NOT_MAPPED, "purchases"
    )
    assert_refused(
        check(purpose="support", items=("health", "name", "purchases")), R.ITEM_NOT_MAPPED, "health"
    )


def test_item_not_mapped_near_miss_item_of_another_purpose_is_fine_where_mapped() -> None:
    assert_allowed(check(purpose="orders", items=("name", "purchases")))


def test_actor_not_allowed() -> None:
    assert_refused(check(purpose="support", actor="marketing"), R.ACTOR_NOT_ALLOWED, "marketing")


def test_actor_near_miss_listed_actor_and_purpose_without_actor_list() -> None:
    assert_allowed(check(purpose="support", actor="helpdesk"))
    assert_allowed(check(purpose="orders", actor="marketing"))  # no list: any actor


def test_use_suspended_for_all_purposes() -> None:
    decision = check(SubjectState(suspended_all=True))
    assert_refused(decision, R.USE_SUSPENDED, ALL_PURPOSES)


def test_use_suspended_for_this_purpose() -> None:
    decision = check(SubjectState(suspended_purposes=frozenset({"orders"})))
    assert_refused(decision, R.USE_SUSPENDED, "orders")


def test_use_suspended_near_miss_suspension_of_another_purpose_does_not_block() -> None:
    assert_allowed(check(SubjectState(suspended_purposes=frozenset({"newsletter", "survey"}))))


def test_special_care_without_consent_even_for_an_announced_purpose() -> None:
    decision = check(purpose="research", items=("name", "health"))
    assert_refused(decision, R.SPECIAL_CARE_WITHOUT_CONSENT, "health")


def test_special_care_withdrawn_consent_is_no_consent() -> None:
    state = SubjectState(consents={"research": False})
    decision = check(state, purpose="research", items=("health",))
    assert_refused(decision, R.SPECIAL_CARE_WITHOUT_CONSENT, "health")


def test_special_care_near_misses() -> None:
    consented = SubjectState(consents={"research": True})
    assert_allowed(check(consented, purpose="research", items=("name", "health")))
    # the purpose may use health data, but this request does not ask for it
    assert_allowed(check(purpose="research", items=("name", "purchases")))
    # consent to another purpose does not count
    other = SubjectState(consents={"wellness": True})
    assert_refused(
        check(other, purpose="research", items=("health",)),
        R.SPECIAL_CARE_WITHOUT_CONSENT,
        "health",
    )


def test_special_care_beats_the_consent_basis_reasons() -> None:
    # wellness is consent-based and health is special care: the special care rule speaks first
    assert_refused(
        check(purpose="wellness", items=("health",)), R.SPECIAL_CARE_WITHOUT_CONSENT, "health"
    )
    withdrawn = SubjectState(consents={"wellness": False})
    assert_refused(
        check(withdrawn, purpose="wellness", items=("health",)),
        R.SPECIAL_CARE_WITHOUT_CONSENT,
        "health",
    )
    assert_allowed(
        check(SubjectState(consents={"wellness": True}), purpose="wellness", items=("health",))
    )


def test_consent_missing() -> None:
    assert_refused(check(purpose="survey", items=("email",)), R.CONSENT_MISSING)


def test_consent_withdrawn() -> None:
    state = SubjectState(consents={"survey": False})
    assert_refused(check(state, purpose="survey", items=("email",)), R.CONSENT_WITHDRAWN)


def test_consent_near_misses() -> None:
    assert_allowed(
        check(SubjectState(consents={"survey": True}), purpose="survey", items=("email",))
    )
    # consent to another purpose is not consent to this one
    assert_refused(
        check(SubjectState(consents={"wellness": True}), purpose="survey", items=("email",)),
        R.CONSENT_MISSING,
    )
    # an announced purpose needs no consent, and a withdrawn consent elsewhere does not matter
    assert_allowed(check(SubjectState(consents={"orders": False, "survey": False})))


def test_opted_out() -> None:
    state = SubjectState(opted_out=frozenset({"newsletter"}))
    assert_refused(check(state, purpose="newsletter"), R.OPTED_OUT)


def test_opted_out_near_misses() -> None:
    assert_allowed(check(purpose="newsletter"))  # opt-out purpose, not opted out
    other = SubjectState(opted_out=frozenset({"list_sales"}))
    assert_allowed(check(other, purpose="newsletter"))
    # an opt-out recorded against an announced purpose does not turn it into an opt-out one
    assert_allowed(check(SubjectState(opted_out=frozenset({"orders"}))))


def test_opt_out_applies_even_with_special_care_consent() -> None:
    policy = CompiledPolicy(
        {
            "care_mail": CompiledPurpose(
                "care_mail", frozenset({"health"}), "opt_out", None, frozenset({"health"})
            )
        }
    )
    state = SubjectState(consents={"care_mail": True}, opted_out=frozenset({"care_mail"}))
    decision = decide(policy, state, purpose="care_mail", items=("health",), actor="x")
    assert_refused(decision, R.OPTED_OUT)


def test_retention_passed_names_the_first_expired_requested_item() -> None:
    state = SubjectState(expired_items=frozenset({"purchases", "address"}))
    assert_refused(
        check(state, items=("name", "address", "purchases")), R.RETENTION_PASSED, "address"
    )
    assert_refused(check(state, items=("purchases", "address")), R.RETENTION_PASSED, "purchases")


def test_retention_near_miss_expired_item_not_requested() -> None:
    state = SubjectState(expired_items=frozenset({"purchases", "health"}))
    assert_allowed(check(state, items=("name", "email")))


# --- the order of the checks -------------------------------------------------------------


def test_order_purpose_unknown_beats_erased() -> None:
    assert_refused(check(SubjectState(erased=True), purpose="nope"), R.PURPOSE_UNKNOWN)


def test_order_erased_beats_item_not_mapped_and_actor() -> None:
    erased = SubjectState(erased=True)
    assert_refused(check(erased, purpose="support", items=("purchases",)), R.ERASED)
    assert_refused(check(erased, purpose="support", actor="marketing"), R.ERASED)


def test_order_item_not_mapped_beats_actor_not_allowed() -> None:
    decision = check(purpose="support", items=("health",), actor="marketing")
    assert_refused(decision, R.ITEM_NOT_MAPPED, "health")


def test_order_actor_beats_suspension() -> None:
    state = SubjectState(suspended_all=True)
    assert_refused(
        check(state, purpose="support", actor="marketing"), R.ACTOR_NOT_ALLOWED, "marketing"
    )


def test_order_suspension_beats_special_care_and_basis() -> None:
    state = SubjectState(suspended_purposes=frozenset({"wellness"}))
    assert_refused(check(state, purpose="wellness", items=("health",)), R.USE_SUSPENDED, "wellness")
    assert_refused(check(state, purpose="wellness", items=("name",)), R.USE_SUSPENDED, "wellness")


def test_order_basis_beats_retention() -> None:
    state = SubjectState(consents={"survey": False}, expired_items=frozenset({"email"}))
    assert_refused(check(state, purpose="survey", items=("email",)), R.CONSENT_WITHDRAWN)
    opted = SubjectState(opted_out=frozenset({"newsletter"}), expired_items=frozenset({"email"}))
    assert_refused(check(opted, purpose="newsletter"), R.OPTED_OUT)


# --- sentences ---------------------------------------------------------------------------

EXAMPLES: dict[ReasonCode, Decision] = {
    R.ALLOWED: check(),
    R.PURPOSE_UNKNOWN: check(purpose="lottery"),
    R.ERASED: check(SubjectState(erased=True)),
    R.ITEM_NOT_MAPPED: check(purpose="support", items=("purchases",)),
    R.ACTOR_NOT_ALLOWED: check(purpose="support", actor="marketing"),
    R.USE_SUSPENDED: check(SubjectState(suspended_purposes=frozenset({"orders"}))),
    R.SPECIAL_CARE_WITHOUT_CONSENT: check(purpose="research", items=("health",)),
    R.CONSENT_MISSING: check(purpose="survey", items=("email",)),
    R.CONSENT_WITHDRAWN: check(
        SubjectState(consents={"survey": False}), purpose="survey", items=("email",)
    ),
    R.OPTED_OUT: check(SubjectState(opted_out=frozenset({"newsletter"})), purpose="newsletter"),
    R.RETENTION_PASSED: check(SubjectState(expired_items=frozenset({"email"}))),
    R.RECONSENT_REQUIRED: decide(
        CompiledPolicy(
            {"orders": replace(POLICY.purposes["orders"], reconsent=Reconsent(3, 10, "2.1"))}
        ),
        CLEAN,
        purpose="orders",
        items=("name",),
        actor="crm",
    ),
}


def test_every_reason_code_has_an_example() -> None:
    assert set(EXAMPLES) == set(ReasonCode)
    assert all(decision.reason is reason for reason, decision in EXAMPLES.items())


@pytest.mark.parametrize("reason", list(ReasonCode))
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sentence_in_both_languages_mentions_purpose_and_detail(
    reason: ReasonCode, lang: str
) -> None:
    decision = EXAMPLES[reason]
    sentence = decision.sentence(lang)  # type: ignore[arg-type]
    assert decision.purpose in sentence
    if decision.detail:
        assert decision.detail in sentence
    assert "{" not in sentence
    if lang == "ja":
        assert sentence.endswith("。")
        assert ("できません" in sentence) != decision.allowed
    else:
        assert sentence.endswith(".")
        assert ("cannot" in sentence) != decision.allowed


def test_sentences_read_naturally() -> None:
    assert (
        EXAMPLES[R.ITEM_NOT_MAPPED].sentence("ja")
        == "利用目的「support」に項目「purchases」は含まれていないため、利用できません。"
    )
    assert (
        EXAMPLES[R.ITEM_NOT_MAPPED].sentence("en")
        == "The purpose “support” does not include the item “purchases”, so it cannot be used."
    )
    assert (
        EXAMPLES[R.ALLOWED].sentence("ja")
        == "利用目的「orders」のため、項目「name、email」を利用できます。"
    )


def test_suspension_of_every_purpose_says_so() -> None:
    decision = check(SubjectState(suspended_all=True))
    assert "すべての利用目的" in decision.sentence("ja")
    assert "every purpose" in decision.sentence("en")
    assert "every purpose" not in EXAMPLES[R.USE_SUSPENDED].sentence("en")


def test_sentence_refuses_other_languages() -> None:
    with pytest.raises(ValueError, match="fr"):
        check().sentence("fr")  # type: ignore[arg-type]


# --- the API's shape ---------------------------------------------------------------------


def test_items_may_be_any_collection_but_not_a_string() -> None:
    assert check().items == ("name", "email")
    assert decide(POLICY, CLEAN, purpose="orders", items=["name", "email"], actor="x") == check()
    with pytest.raises(TypeError, match="not one string"):
        decide(POLICY, CLEAN, purpose="orders", items="name", actor="x")
    with pytest.raises(TypeError, match="not one string"):
        decide_many(POLICY, {"s": CLEAN}, purpose="orders", items="name", actor="x")


def test_no_items_asks_about_no_data() -> None:
    assert_allowed(check(items=()))
    assert_refused(check(SubjectState(erased=True), items=()), R.ERASED)


def test_values_are_frozen_and_the_policy_read_only() -> None:
    with pytest.raises(FrozenInstanceError):
        check().allowed = False  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        CLEAN.erased = True  # type: ignore[misc]
    assert isinstance(POLICY.purposes, MappingProxyType)
    with pytest.raises(TypeError):
        POLICY.purposes["x"] = POLICY.purposes["orders"]  # type: ignore[index]


def test_compiled_values_are_checked() -> None:
    with pytest.raises(ValueError, match="basis"):
        CompiledPurpose("p", frozenset({"a"}), "maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="special care"):
        CompiledPurpose("p", frozenset({"a"}), special_care=frozenset({"b"}))
    with pytest.raises(ValueError, match="filed under"):
        CompiledPolicy({"q": CompiledPurpose("p", frozenset())})


def test_the_plan_table_is_bounded_and_changes_no_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(purpose_check, "MAX_PLANS", 3)
    policy = replace(POLICY)  # a fresh, empty table
    for n in range(10):
        items = ("name", "email")[: n % 3]
        decision = decide(policy, CLEAN, purpose="orders", items=items, actor=f"a{n}")
        assert decision == Decision(True, R.ALLOWED, "orders", items)
        assert len(policy._plans) <= 3


def test_answers_are_shared_not_rebuilt() -> None:
    assert check() is check()
    assert check(purpose="support", items=("x",)) is check(purpose="support", items=("x",))


# --- decide_many ---------------------------------------------------------------------------

STATES: dict[str, SubjectState] = {
    "clean": CLEAN,
    "erased": SubjectState(erased=True),
    "suspended": SubjectState(suspended_all=True),
    "consented": SubjectState(consents={"survey": True, "wellness": True, "research": True}),
    "withdrawn": SubjectState(consents={"survey": False, "wellness": False}),
    "opted_out": SubjectState(opted_out=frozenset({"newsletter"})),
    "expired": SubjectState(expired_items=frozenset({"email", "health"})),
}

QUESTIONS = [
    ("orders", ("name", "email"), "crm"),
    ("support", ("name",), "helpdesk"),
    ("support", ("name",), "marketing"),
    ("survey", ("email", "purchases"), "x"),
    ("wellness", ("health",), "x"),
    ("research", ("purchases", "health"), "x"),
    ("newsletter", ("email",), "x"),
    ("unknown", ("email",), "x"),
    ("orders", ("health",), "x"),
]


@pytest.mark.parametrize(("purpose", "items", "actor"), QUESTIONS)
def test_decide_many_equals_decide_per_subject(
    purpose: str, items: tuple[str, ...], actor: str
) -> None:
    many = decide_many(POLICY, STATES, purpose=purpose, items=items, actor=actor)
    assert list(many) == list(STATES)
    for subject, state in STATES.items():
        assert many[subject] == decide(POLICY, state, purpose=purpose, items=items, actor=actor)


def test_decide_many_of_no_subjects() -> None:
    assert decide_many(POLICY, {}, purpose="orders", items=("name",), actor="x") == {}


# --- property: allowed iff no condition holds (an independent oracle) ---------------------

ITEMS = ["name", "email", "address", "purchases", "health", "card"]
PURPOSES = ["p0", "p1", "p2", "p3"]
ACTORS = ["alice", "bob", "carol"]

ORDER = [
    R.PURPOSE_UNKNOWN,
    R.ERASED,
    R.ITEM_NOT_MAPPED,
    R.ACTOR_NOT_ALLOWED,
    R.USE_SUSPENDED,
    R.SPECIAL_CARE_WITHOUT_CONSENT,
    R.CONSENT_MISSING,
    R.CONSENT_WITHDRAWN,
    R.OPTED_OUT,
    R.RECONSENT_REQUIRED,
    R.RETENTION_PASSED,
]


@st.composite
def compiled_purposes(draw: st.DrawFn, pid: str) -> CompiledPurpose:
    items = draw(st.frozensets(st.sampled_from(ITEMS)))
    special = draw(st.frozensets(st.sampled_from(sorted(items)))) if items else frozenset()
    actors = draw(st.none() | st.frozensets(st.sampled_from(ACTORS)))
    bases: list[Basis] = ["announced", "consent", "opt_out"]
    basis = draw(st.sampled_from(bases))
    reconsent = draw(st.none() | st.builds(Reconsent, st.integers(1, 4), st.integers(0, 6)))
    return CompiledPurpose(pid, items, basis, actors, special, reconsent)


@st.composite
def policies(draw: st.DrawFn) -> CompiledPolicy:
    ids = draw(st.lists(st.sampled_from(PURPOSES), unique=True, max_size=3))
    return CompiledPolicy({pid: draw(compiled_purposes(pid)) for pid in ids})


purpose_sets = st.frozensets(st.sampled_from(PURPOSES))
states = st.builds(
    SubjectState,
    erased=st.booleans(),
    consents=st.dictionaries(st.sampled_from(PURPOSES), st.booleans()),
    opted_out=purpose_sets,
    suspended_all=st.booleans(),
    suspended_purposes=purpose_sets,
    expired_items=st.frozensets(st.sampled_from(ITEMS)),
    consent_ids=st.dictionaries(st.sampled_from(PURPOSES), st.integers(1, 8)),
    collected_under=st.integers(0, 5),
)


def conditions(
    policy: CompiledPolicy, state: SubjectState, purpose: str, items: list[str], actor: str
) -> set[ReasonCode]:
    """Every refusal condition that holds, each judged on its own, in no order."""
    known = purpose in policy.purposes
    p = policy.purposes.get(purpose)
    held = set()
    if not known:
        held.add(R.PURPOSE_UNKNOWN)
    if state.erased:
        held.add(R.ERASED)
    if p is not None:
        if set(items) - p.items:
            held.add(R.ITEM_NOT_MAPPED)
        if p.actors is not None and actor not in p.actors:
            held.add(R.ACTOR_NOT_ALLOWED)
        if set(items) & p.special_care and state.consents.get(purpose) is not True:
            held.add(R.SPECIAL_CARE_WITHOUT_CONSENT)
        if p.basis == "consent" and purpose not in state.consents:
            held.add(R.CONSENT_MISSING)
        if p.basis == "consent" and state.consents.get(purpose) is False:
            held.add(R.CONSENT_WITHDRAWN)
        if p.basis == "opt_out" and purpose in state.opted_out:
            held.add(R.OPTED_OUT)
        change = p.reconsent
        if change is not None and state.collected_under < change.version_id:
            fresh = state.consents.get(purpose) is True and (
                state.consent_ids.get(purpose, 0) > change.after
            )
            if not fresh:
                held.add(R.RECONSENT_REQUIRED)
    if state.suspended_all or purpose in state.suspended_purposes:
        held.add(R.USE_SUSPENDED)
    if set(items) & state.expired_items:
        held.add(R.RETENTION_PASSED)
    return held


@settings(max_examples=500, deadline=None)
@given(
    policy=policies(),
    state=states,
    purpose=st.sampled_from(PURPOSES),
    items=st.lists(st.sampled_from(ITEMS), max_size=4),
    actor=st.sampled_from(ACTORS),
)
def test_allowed_iff_no_condition_holds(
    policy: CompiledPolicy, state: SubjectState, purpose: str, items: list[str], actor: str
) -> None:
    held = conditions(policy, state, purpose, items, actor)
    decision = decide(policy, state, purpose=purpose, items=items, actor=actor)
    assert decision.allowed == (not held)
    assert decision.items == tuple(items)
    assert decision.purpose == purpose
    if held:
        assert decision.reason == min(held, key=ORDER.index)
    else:
        assert decision.reason is R.ALLOWED
    many = decide_many(policy, {"s": state}, purpose=purpose, items=items, actor=actor)
    assert many == {"s": decision}

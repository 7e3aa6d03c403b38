"""Request rules: every transition legal and illegal, due dates, the queue order, the repeat
window, refusal grounds per kind and the fee rule, each shown firing and not firing."""

from __future__ import annotations

from datetime import date

import pytest

from hogo.domain.requests import (
    CHANNELS,
    CLOSED_STATES,
    DEFAULT_RESPONSE_DAYS,
    FEE_KINDS,
    GROUNDS,
    OPEN_STATES,
    TRANSITIONS,
    Action,
    Earlier,
    IllegalTransition,
    InvalidGround,
    RefusalGround,
    RequestKind,
    RequestState,
    channel_of,
    check_ground,
    due_date,
    fee_for,
    find_repeat,
    ground_text,
    is_overdue,
    kind_label,
    kind_of,
    queue_key,
    state_of,
    transition,
)
from hogo.policy.schema.procedures import RequestChannel
from hogo.policy.schema.procedures import RequestKind as PolicyRequestKind

S = RequestState
EXPECTED = {
    (Action.START_VERIFICATION, S.RECEIVED): S.VERIFYING,
    (Action.VERIFY, S.RECEIVED): S.IN_PROGRESS,
    (Action.VERIFY, S.VERIFYING): S.IN_PROGRESS,
    (Action.FULFIL, S.IN_PROGRESS): S.ANSWERED,
    **{(Action.REFUSE, s): S.REFUSED for s in (S.RECEIVED, S.VERIFYING, S.IN_PROGRESS)},
    **{(Action.WITHDRAW, s): S.WITHDRAWN for s in (S.RECEIVED, S.VERIFYING, S.IN_PROGRESS)},
}


def test_domain_kinds_are_the_policy_kinds() -> None:
    assert {k.value for k in RequestKind} == {k.value for k in PolicyRequestKind}


def test_domain_channels_are_the_policy_channels() -> None:
    assert set(CHANNELS) == {c.value for c in RequestChannel}


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("state", list(RequestState))
def test_every_transition(action: Action, state: RequestState) -> None:
    expected = EXPECTED.get((action, state))
    if expected is not None:
        assert transition("R1", state, action) is expected
    else:
        with pytest.raises(
            IllegalTransition, match=f"request R1 is {state.value.replace('_', ' ')}"
        ):
            transition("R1", state, action)


def test_the_table_is_the_expected_one() -> None:
    table = {(a, s): t for a, by_state in TRANSITIONS.items() for s, t in by_state.items()}
    assert table == EXPECTED


def test_the_refusal_names_the_state_and_the_action() -> None:
    with pytest.raises(IllegalTransition) as caught:
        transition("RABC", S.ANSWERED, Action.VERIFY)
    assert str(caught.value).startswith("request RABC is answered; it cannot be verified")
    assert "received or verifying" in str(caught.value)
    with pytest.raises(IllegalTransition, match="is in progress; it cannot be put under"):
        transition("RABC", S.IN_PROGRESS, Action.START_VERIFICATION)


def test_closed_states_are_final() -> None:
    assert {S.ANSWERED, S.REFUSED, S.WITHDRAWN} == CLOSED_STATES
    for state in CLOSED_STATES:
        for action in Action:
            with pytest.raises(IllegalTransition):
                transition("R", state, action)
    assert all(s not in OPEN_STATES for s in CLOSED_STATES)


def test_due_date_counts_the_target_days() -> None:
    assert DEFAULT_RESPONSE_DAYS == 14
    assert due_date(date(2026, 11, 24)) == date(2026, 12, 8)
    assert due_date(date(2026, 11, 24), 30) == date(2026, 12, 24)
    assert due_date(date(2026, 12, 31), 1) == date(2027, 1, 1)
    with pytest.raises(ValueError, match="at least 1 day"):
        due_date(date(2026, 11, 24), 0)


def test_overdue_only_after_the_due_day_and_only_while_open() -> None:
    due = date(2026, 12, 8)
    assert not is_overdue(S.RECEIVED, due, date(2026, 12, 8))
    assert is_overdue(S.RECEIVED, due, date(2026, 12, 9))
    assert is_overdue(S.IN_PROGRESS, due, date(2027, 1, 1))
    assert not is_overdue(S.ANSWERED, due, date(2027, 1, 1))
    assert not is_overdue(S.WITHDRAWN, due, date(2027, 1, 1))


def test_queue_puts_overdue_first_then_by_due_date() -> None:
    today = date(2026, 12, 10)
    rows = [
        ("soon", S.RECEIVED, date(2026, 12, 11), date(2026, 11, 27)),
        ("late_recent", S.VERIFYING, date(2026, 12, 9), date(2026, 11, 25)),
        ("later", S.IN_PROGRESS, date(2026, 12, 20), date(2026, 12, 6)),
        ("late_old", S.RECEIVED, date(2026, 12, 1), date(2026, 11, 17)),
        ("closed_old", S.ANSWERED, date(2026, 11, 1), date(2026, 10, 18)),
    ]
    ordered = sorted(rows, key=lambda r: queue_key(r[1], r[2], r[3], r[0], today))
    assert [r[0] for r in ordered] == ["late_old", "late_recent", "closed_old", "soon", "later"]
    # With nothing overdue the order is simply by due date.
    early = date(2026, 11, 1)
    ordered = sorted(rows, key=lambda r: queue_key(r[1], r[2], r[3], r[0], early))
    assert [r[0] for r in ordered] == ["closed_old", "late_old", "late_recent", "soon", "later"]


def earlier(id_: str, kind: RequestKind, on: date, state: RequestState = S.ANSWERED) -> Earlier:
    return Earlier(id_, kind, on, state)


def test_repeat_fires_within_the_window() -> None:
    today = date(2026, 11, 24)
    before = [earlier("A", RequestKind.DISCLOSURE, date(2026, 6, 1))]
    assert find_repeat(RequestKind.DISCLOSURE, today, before, 180) == "A"
    # The latest of several is named.
    before.append(earlier("B", RequestKind.DISCLOSURE, date(2026, 10, 1), S.REFUSED))
    assert find_repeat(RequestKind.DISCLOSURE, today, before, 180) == "B"
    # Exactly on the window's edge still counts.
    edge = [earlier("E", RequestKind.DISCLOSURE, date(2026, 5, 28))]
    assert find_repeat(RequestKind.DISCLOSURE, today, edge, 180) == "E"


def test_repeat_does_not_fire() -> None:
    today = date(2026, 11, 24)
    # One day outside the window.
    assert find_repeat(RequestKind.DISCLOSURE, today, [earlier("A", RequestKind.DISCLOSURE, date(2026, 5, 27))], 180) is None  # fmt: skip
    # Another kind.
    assert find_repeat(RequestKind.DISCLOSURE, today, [earlier("A", RequestKind.CORRECTION, today)], 180) is None  # fmt: skip
    # A withdrawn request was never answered.
    assert find_repeat(RequestKind.DISCLOSURE, today, [earlier("A", RequestKind.DISCLOSURE, today, S.WITHDRAWN)], 180) is None  # fmt: skip
    # Window 0 turns the rule off.
    assert find_repeat(RequestKind.DISCLOSURE, today, [earlier("A", RequestKind.DISCLOSURE, today)], 0) is None  # fmt: skip
    # Nothing before.
    assert find_repeat(RequestKind.DISCLOSURE, today, [], 180) is None


def test_fees_only_for_notice_and_disclosure() -> None:
    amounts = {k.value: 1000 for k in RequestKind}
    for kind in RequestKind:
        expected = 1000 if kind in FEE_KINDS else None
        assert fee_for(kind, amounts) == expected, kind
    assert {
        RequestKind.PURPOSE_NOTICE,
        RequestKind.DISCLOSURE,
        RequestKind.PROVISION_RECORDS,
    } == FEE_KINDS
    # No amount set, or zero: no fee.
    assert fee_for(RequestKind.DISCLOSURE, {}) is None
    assert fee_for(RequestKind.DISCLOSURE, {"disclosure": 0}) is None
    assert fee_for(RequestKind.PURPOSE_NOTICE, {"purpose_notice": 500}) == 500


@pytest.mark.parametrize(
    ("kind", "ground"),
    [
        (RequestKind.DISCLOSURE, "harm"),
        (RequestKind.DISCLOSURE, "business_disruption"),
        (RequestKind.PROVISION_RECORDS, "other_law"),
        (RequestKind.PURPOSE_NOTICE, "purpose_public"),
        (RequestKind.PURPOSE_NOTICE, "harm"),
        (RequestKind.CORRECTION, "data_true"),
        (RequestKind.DELETION, "data_true"),
        (RequestKind.ERASURE, "no_art35_ground"),
        (RequestKind.STOP_PROVISION, "no_art35_ground"),
        (RequestKind.ADDITION, "repeated"),
        (RequestKind.SUSPENSION_OF_USE, "not_retained"),
        (RequestKind.CORRECTION, "identity_not_verified"),
    ],
)
def test_grounds_that_apply(kind: RequestKind, ground: str) -> None:
    assert check_ground(kind, ground) is RefusalGround(ground)


@pytest.mark.parametrize(
    ("kind", "ground"),
    [
        (RequestKind.CORRECTION, "harm"),
        (RequestKind.ERASURE, "business_disruption"),
        (RequestKind.DISCLOSURE, "purpose_public"),
        (RequestKind.DISCLOSURE, "data_true"),
        (RequestKind.CORRECTION, "no_art35_ground"),
        (RequestKind.PURPOSE_NOTICE, "other_law"),
    ],
)
def test_grounds_that_do_not_apply(kind: RequestKind, ground: str) -> None:
    with pytest.raises(InvalidGround, match=f"does not apply to {kind.value} requests"):
        check_ground(kind, ground)


def test_unknown_ground() -> None:
    with pytest.raises(InvalidGround, match="unknown refusal ground 'because'"):
        check_ground(RequestKind.DISCLOSURE, "because")


def test_every_ground_has_both_languages_and_an_article() -> None:
    for ground, spec in GROUNDS.items():
        assert spec.kinds and spec.article.startswith("APPI Art.")
        assert ground_text(ground, "ja") == spec.ja and ground_text(ground, "en") == spec.en
        assert spec.ja.endswith("ため")
    assert set(GROUNDS) == set(RefusalGround)


def test_labels_and_parsing() -> None:
    assert kind_label(RequestKind.DISCLOSURE, "ja") == "開示"
    assert kind_label(RequestKind.DISCLOSURE, "en") == "disclosure"
    assert kind_of("erasure") is RequestKind.ERASURE
    with pytest.raises(ValueError, match="unknown request kind 'delete'"):
        kind_of("delete")
    assert state_of("in_progress") is S.IN_PROGRESS
    with pytest.raises(ValueError, match="unknown request state 'open'"):
        state_of("open")


def test_channels() -> None:
    assert channel_of("portal") == "portal"
    assert channel_of("mail") == "post"
    assert channel_of("email") == "email"
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        channel_of("fax")

"""Leak triggers (Rules Art. 7), report deadlines (Art. 8) and countdowns: plain rules."""

from __future__ import annotations

from datetime import date

import pytest

from hogo.domain.incident_report import (
    NOTICE_ITEMS,
    REPORT_ITEMS,
    ReportKind,
    notice_items,
    unknown_items,
)
from hogo.domain.incidents import (
    FINAL_REPORT_DAYS,
    FINAL_REPORT_DAYS_UNLAWFUL,
    PEOPLE_THRESHOLD,
    DeadlineState,
    IncidentFacts,
    LeakedItem,
    Trigger,
    assess,
    countdown,
    report_deadlines,
)

NAME = LeakedItem("name", label_ja="氏名", label_en="name")
HEALTH = LeakedItem("health", special_care=True, label_ja="健康診断の結果", label_en="health")
CARD = LeakedItem("card", financial_risk=True, label_ja="カード番号", label_en="card number")


# --- triggers -----------------------------------------------------------------------------


def test_special_care_data_fires_for_a_single_person() -> None:
    result = assess(IncidentFacts(people=1, items=[NAME, HEALTH]))
    assert result.required and result.triggers == (Trigger.SPECIAL_CARE,)
    assert "健康診断の結果" in result.findings[0].ja and "規則第7条第1号" in result.findings[0].ja
    assert "health" in result.findings[0].en and "Rules Art. 7(i)" in result.findings[0].en


def test_special_care_does_not_fire_without_such_an_item() -> None:
    result = assess(IncidentFacts(people=1, items=[NAME, CARD]))
    assert Trigger.SPECIAL_CARE not in result.triggers


def test_financial_risk_fires_for_a_single_person() -> None:
    result = assess(IncidentFacts(people=1, items=[CARD]))
    assert result.required and result.triggers == (Trigger.FINANCIAL_RISK,)
    assert "カード番号" in result.findings[0].ja and "7(ii)" in result.findings[0].en


def test_financial_risk_does_not_fire_for_ordinary_items() -> None:
    result = assess(IncidentFacts(people=1, items=[NAME, HEALTH]))
    assert Trigger.FINANCIAL_RISK not in result.triggers


def test_unlawful_purpose_fires_on_the_flag_even_for_one_person() -> None:
    result = assess(IncidentFacts(people=1, items=[NAME], unlawful_purpose_suspected=True))
    assert result.required and result.triggers == (Trigger.UNLAWFUL_PURPOSE,)
    assert "不正アクセス" in result.findings[0].ja and "7(iii)" in result.findings[0].en


def test_unlawful_purpose_does_not_fire_without_the_flag() -> None:
    result = assess(IncidentFacts(people=1, items=[NAME], unlawful_purpose_suspected=False))
    assert not result.required and result.triggers == ()


def test_more_than_a_thousand_people_fires_but_exactly_a_thousand_does_not() -> None:
    assert PEOPLE_THRESHOLD == 1_000
    at = assess(IncidentFacts(people=1_000, items=[NAME]))
    assert not at.required and Trigger.MANY_PEOPLE not in at.triggers
    over = assess(IncidentFacts(people=1_001, items=[NAME]))
    assert over.required and over.triggers == (Trigger.MANY_PEOPLE,)
    assert "1,001人" in over.findings[0].ja and "1,001 people" in over.findings[0].en


def test_every_trigger_at_once_is_listed_in_the_order_of_the_article() -> None:
    facts = IncidentFacts(5_000, [CARD, HEALTH, NAME], unlawful_purpose_suspected=True)
    result = assess(facts)
    assert result.triggers == tuple(Trigger)
    assert "第1号・第2号・第3号・第4号" in result.ja
    assert "Rules Art. 7(i), (ii), (iii) and (iv) apply" in result.en
    one = assess(IncidentFacts(people=1, items=[CARD]))
    assert "Rules Art. 7(ii) applies" in one.en


def test_nothing_reportable_says_so_in_both_languages() -> None:
    result = assess(IncidentFacts(people=3, items=[NAME]))
    assert not result.required and not result.exempt
    assert "義務ではありません" in result.sentence("ja")
    assert "neither a report" in result.sentence("en")


def test_strong_encryption_exempts_a_leak_that_would_be_reportable() -> None:
    facts = IncidentFacts(2_000, [HEALTH], unlawful_purpose_suspected=True, strongly_encrypted=True)
    result = assess(facts)
    assert not result.required and result.exempt
    assert result.triggers == (Trigger.SPECIAL_CARE, Trigger.UNLAWFUL_PURPOSE, Trigger.MANY_PEOPLE)
    assert "高度な暗号化" in result.ja and "strong encryption" in result.en


def test_without_the_encryption_flag_the_same_leak_is_reportable() -> None:
    facts = IncidentFacts(2_000, [HEALTH], strongly_encrypted=False)
    result = assess(facts)
    assert result.required and not result.exempt


def test_encryption_flag_alone_exempts_nothing_when_nothing_applies() -> None:
    result = assess(IncidentFacts(1, [NAME], strongly_encrypted=True))
    assert not result.required and not result.exempt


def test_a_negative_count_is_an_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        assess(IncidentFacts(-1))


def test_item_labels_fall_back_to_the_id() -> None:
    assert LeakedItem("x").label("ja") == "x" and NAME.label("en") == "name"


# --- deadlines ----------------------------------------------------------------------------


def test_deadlines_count_the_day_of_knowing_as_day_one() -> None:
    known = date(2026, 11, 24)  # Tuesday
    result = report_deadlines(known, preliminary_days=3, unlawful_purpose=False)
    assert result.preliminary == date(2026, 11, 26)  # Thursday: a working day, not moved
    assert result.final == date(2026, 12, 23) and result.final_days == FINAL_REPORT_DAYS


def test_unlawful_purpose_gives_sixty_days_for_the_final_report() -> None:
    known = date(2026, 11, 24)
    result = report_deadlines(known, preliminary_days=3, unlawful_purpose=True)
    assert result.final == date(2027, 1, 22) and result.final_days == FINAL_REPORT_DAYS_UNLAWFUL
    assert result.preliminary == date(2026, 11, 26)


def test_a_preliminary_deadline_on_a_saturday_moves_to_monday() -> None:
    fired = report_deadlines(date(2026, 11, 26), preliminary_days=3, unlawful_purpose=False)
    assert fired.preliminary == date(2026, 11, 30)  # Sat 28 -> Mon 30
    not_fired = report_deadlines(date(2026, 11, 25), preliminary_days=3, unlawful_purpose=False)
    assert not_fired.preliminary == date(2026, 11, 27)  # Friday stays


def test_a_deadline_on_a_national_holiday_moves_to_the_next_working_day() -> None:
    # Known Sat 21 Nov 2026: day 3 is Mon 23 Nov, Labour Thanksgiving Day.
    fired = report_deadlines(date(2026, 11, 21), preliminary_days=3, unlawful_purpose=False)
    assert fired.preliminary == date(2026, 11, 24)
    # The final deadline from 25 Oct: day 30 is 23 Nov as well.
    assert report_deadlines(
        date(2026, 10, 25), preliminary_days=3, unlawful_purpose=False
    ).final == (date(2026, 11, 24))
    # Silver Week 2026: 21, 22 (citizens' holiday), 23 September.
    silver = report_deadlines(date(2026, 9, 19), preliminary_days=3, unlawful_purpose=False)
    assert silver.preliminary == date(2026, 9, 24)
    not_fired = report_deadlines(date(2026, 10, 26), preliminary_days=3, unlawful_purpose=False)
    assert not_fired.final == date(2026, 11, 24)  # day 30 is itself Tuesday 24


def test_a_final_deadline_in_the_year_end_break_moves_to_january_4th() -> None:
    fired = report_deadlines(date(2026, 12, 3), preliminary_days=3, unlawful_purpose=False)
    assert fired.final == date(2027, 1, 4)  # day 30 is 1 January
    not_fired = report_deadlines(date(2026, 11, 27), preliminary_days=3, unlawful_purpose=False)
    assert not_fired.final == date(2026, 12, 28)  # Monday 28 December is still a working day


def test_a_preliminary_deadline_in_the_year_end_break_moves_to_january_4th() -> None:
    fired = report_deadlines(date(2026, 12, 27), preliminary_days=3, unlawful_purpose=False)
    assert fired.preliminary == date(2027, 1, 4)  # day 3 is 29 December
    not_fired = report_deadlines(date(2026, 12, 24), preliminary_days=3, unlawful_purpose=False)
    assert not_fired.preliminary == date(2026, 12, 28)  # Sat 26 -> Mon 28, before the break


def test_the_preliminary_period_follows_the_setting() -> None:
    five = report_deadlines(date(2026, 11, 24), preliminary_days=5, unlawful_purpose=False)
    assert five.preliminary == date(2026, 11, 30)  # day 5 is Saturday 28 -> Monday 30


# --- countdown ----------------------------------------------------------------------------


def test_countdown_days_left_due_today_and_overdue() -> None:
    due = date(2026, 11, 26)
    left = countdown(due, date(2026, 11, 24))
    assert left.state is DeadlineState.DUE and left.days_left == 2
    assert left.sentence("ja") == "残り2日" and left.sentence("en") == "2 days left"
    today = countdown(due, due)
    assert today.state is DeadlineState.DUE_TODAY and today.days_left == 0
    assert today.sentence("ja") == "本日が期限"
    late = countdown(due, date(2026, 11, 27))
    assert late.state is DeadlineState.OVERDUE and late.days_left == -1
    assert late.sentence("en") == "1 day overdue" and late.sentence("ja") == "期限を1日経過"


def test_countdown_of_a_filed_report_is_not_overdue() -> None:
    due = date(2026, 11, 26)
    on_time = countdown(due, date(2026, 12, 10), filed_on=date(2026, 11, 25))
    assert on_time.state is DeadlineState.FILED and on_time.days_left is None
    late = countdown(due, date(2026, 12, 10), filed_on=date(2026, 11, 27))
    assert late.state is DeadlineState.FILED_LATE and "(late)" in late.sentence("en")


def test_countdown_of_a_report_not_required() -> None:
    result = countdown(date(2026, 11, 26), date(2026, 12, 10), required=False)
    assert result.state is DeadlineState.NOT_REQUIRED and result.sentence("ja") == "報告義務なし"


# --- report items -------------------------------------------------------------------------


def test_the_report_has_the_nine_items_of_rule_8_and_the_notice_five_of_them() -> None:
    assert [i.number for i in REPORT_ITEMS] == list(range(1, 10))
    assert REPORT_ITEMS[3].ja == "原因" and REPORT_ITEMS[8].en == "Other matters for reference"
    assert NOTICE_ITEMS == (1, 2, 4, 5, 9)
    assert [i.key for i in notice_items()] == [
        "overview",
        "items",
        "cause",
        "secondary_damage",
        "other",
    ]


def test_unknown_items_lists_what_is_still_under_investigation() -> None:
    known = {item.key: True for item in REPORT_ITEMS}
    assert unknown_items(known) == ()
    known["cause"] = False
    assert [i.key for i in unknown_items(known)] == ["cause"]


def test_report_kinds_have_their_japanese_names() -> None:
    assert ReportKind.PRELIMINARY.label("ja") == "速報" and ReportKind.FINAL.label("ja") == "確報"
    assert ReportKind.FINAL.label("en") == "final report"

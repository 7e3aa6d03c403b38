"""hogo stats as a service: the purpose check, the promise of min_cell, suppression, audit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from hogo.domain.suppression import TOTAL, Reason
from hogo.ledger import tables as t
from hogo.services import statistics as stats_module
from hogo.services.collect import Collection, collect
from hogo.services.consent import record_consent
from hogo.services.errors import BadInput, Refused
from hogo.services.ledger import Ledger
from hogo.services.restrictions import suspend
from hogo.services.statistics import parse_by, statistics
from hogo.services.statistics_result import UNKNOWN
from tests.services.consent_support import counts, erase_directly, expire_records
from tests.services.statistics_support import born, people, publish_research

ANALYST = "analyst:hanako"


@pytest.fixture
def research(ledger: Ledger, tmp_path: Path) -> Ledger:
    publish_research(ledger, tmp_path)
    return ledger


def crowd(ledger: Ledger) -> list[str]:
    """34 people: 12 in their thirties in Tokyo, 3 in Osaka; 8 in their forties in Tokyo, 11
    in Osaka."""
    rows = []
    for age, address, n in (
        (33, "東京都港区芝公園4-2-8", 12),
        (35, "大阪府大阪市北区梅田1-1-1", 3),
        (44, "東京千代田区千代田1-1", 8),
        (47, "大阪市中央区本町1-1", 11),
    ):
        rows += [{"birth_date": born(age), "address": address} for _ in range(n)]
    return people(ledger, rows)


def audit_rows(ledger: Ledger) -> list[dict[str, object]]:
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(t.audit).where(t.audit.c.action == "statistics")).all()
    return [dict(row._mapping) for row in rows]


def test_counts_by_age_band_and_prefecture_with_complementary_suppression(
    research: Ledger,
) -> None:
    crowd(research)
    result = statistics(
        research,
        purpose="research",
        by="birth_date:age10,address:prefecture",
        actor=ANALYST,
        min_cell=10,
    )
    assert [d.categories for d in result.dimensions] == [("30-39", "40-49"), ("東京都", "大阪府")]
    assert result.hidden == {
        ("30-39", "大阪府"): Reason.PRIMARY,
        ("40-49", "東京都"): Reason.PRIMARY,
        ("30-39", "東京都"): Reason.COMPLEMENTARY,
        ("40-49", "大阪府"): Reason.COMPLEMENTARY,
    }
    assert result.value(("30-39", TOTAL)) == 15
    assert result.value((TOTAL, "大阪府")) == 14
    assert result.value((TOTAL, TOTAL)) == 34
    assert result.value(("30-39", "東京都")) is None
    assert result.subjects_read == 34 and result.excluded == {}
    assert result.release == "buying_by_region" and result.promise == 5
    assert result.dimensions[1].heading == {
        "ja": "住所（都道府県）",
        "en": "address (prefecture)",
    }


def test_the_release_sets_min_cell_and_a_higher_one_is_allowed(research: Ledger) -> None:
    crowd(research)
    default = statistics(research, purpose="research", by="address:region", actor=ANALYST)
    assert default.min_cell == 5 and default.hidden == {}
    assert default.value(("関東",)) == 20 and default.value(("近畿",)) == 14
    higher = statistics(
        research, purpose="research", by="address:region", actor=ANALYST, min_cell=15
    )
    assert higher.hidden[("近畿",)] is Reason.PRIMARY
    assert higher.hidden[("関東",)] is Reason.COMPLEMENTARY


def test_a_min_cell_below_the_promise_is_refused_and_audited(research: Ledger) -> None:
    crowd(research)
    before = counts(research)
    with pytest.raises(Refused, match="below the 5 that the policy's statistics release") as err:
        statistics(research, purpose="research", by="birth_date:age5", actor=ANALYST, min_cell=4)
    assert err.value.code == "min_cell_below_promise"
    # postal_code is in no release: hogo's floor of ten is the promise
    with pytest.raises(Refused, match="below the 10 that hogo keeps"):
        statistics(
            research, purpose="research", by="postal_code:postal3", actor=ANALYST, min_cell=9
        )
    after = counts(research)
    assert after["audit"] == before["audit"] + 2
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    refused = audit_rows(research)
    assert [row["outcome"] for row in refused] == ["refused", "refused"]
    assert refused[0]["reason"] == "min_cell_below_promise"
    assert refused[0]["subject_id"] is None


def test_the_promise_is_not_refused_when_met(research: Ledger) -> None:
    crowd(research)
    result = statistics(
        research, purpose="research", by="birth_date:age5", actor=ANALYST, min_cell=5
    )
    assert result.min_cell == 5


@pytest.mark.parametrize(
    ("purpose", "by", "actor", "code"),
    [
        ("statistics", "birth_date:age5", ANALYST, "purpose_unknown"),
        ("research", "name", ANALYST, "item_not_mapped"),
        ("research", "birth_date:age5,card", ANALYST, "item_not_mapped"),
        ("research", "birth_date:age5", "marketing:taro", "actor_not_allowed"),
    ],
)
def test_the_purpose_check_refuses_the_whole_run(
    research: Ledger, purpose: str, by: str, actor: str, code: str
) -> None:
    crowd(research)
    with pytest.raises(Refused) as err:
        statistics(research, purpose=purpose, by=by, actor=actor)
    assert err.value.code == code
    [row] = audit_rows(research)
    assert (row["outcome"], row["reason"], row["purpose"]) == ("refused", code, purpose)


def test_people_the_purpose_check_refuses_are_left_out_and_counted(research: Ledger) -> None:
    ids = crowd(research)
    record_consent(research, ids[0], purpose="research", granted=False, actor="portal")
    record_consent(research, ids[1], purpose="research", granted=False, actor="portal")
    record_consent(research, ids[1], purpose="research", granted=True, actor="portal")
    suspend(
        research, ids[2], scope="use", purpose=None, reason="request", origin="request",
        actor="officer",
    )  # fmt: skip
    erase_directly(research, ids[3], research.now())
    expire_records(research, ids[4], "address", date(2026, 6, 1))
    result = statistics(research, purpose="research", by="address:prefecture", actor=ANALYST)
    assert result.excluded == {
        "opted_out": 1,
        "use_suspended": 1,
        "erased": 1,
        "retention_passed": 1,
    }
    assert result.subjects_read == 30
    assert result.value((TOTAL,)) == 30  # opted back in: counted
    [row] = audit_rows(research)
    assert row["outcome"] == "done" and row["subject_id"] is None
    assert row["items"] == ["address"]
    detail = row["detail"]
    assert isinstance(detail, dict)
    assert detail["subjects_read"] == 30
    assert detail["excluded"] == result.excluded


def test_values_that_do_not_generalize_go_to_unknown(research: Ledger) -> None:
    rows = [{"birth_date": born(30), "address": "東京都港区"} for _ in range(10)]
    rows += [{"birth_date": born(30), "address": "どこか遠く"} for _ in range(6)]
    rows += [{"birth_date": born(30)} for _ in range(5)]  # no address held
    people(research, rows)
    result = statistics(
        research, purpose="research", by="birth_date:age10,address:prefecture", actor=ANALYST
    )
    assert result.dimensions[1].categories == ("東京都", UNKNOWN)
    assert result.dimensions[1].unknown == 11
    assert result.value(("30-39", UNKNOWN)) == 11
    assert result.to_dict("ja")["run"] == {
        "subjects_read": 21,
        "records_counted": 21,
        "excluded": {},
        "unknown": {"birth_date:age10": 0, "address:prefecture": 11},
        "note": "for the person who ran the statistics; not for publication",
    }


def test_open_ended_categories_held_by_few_are_not_named(research: Ledger) -> None:
    rows = [{"email": f"p{n}@big.example.jp", "birth_date": born(40)} for n in range(12)]
    rows += [{"email": f"q{n}@yamada-family.example", "birth_date": born(40)} for n in range(2)]
    people(research, rows)
    result = statistics(research, purpose="research", by="email:email_domain", actor=ANALYST)
    dim = result.dimensions[0]
    assert dim.categories == ("big.example.jp",) and dim.withheld == 1
    data = result.to_dict()
    assert "yamada-family.example" not in str(data)
    assert b"yamada-family.example" not in result.to_csv("en")
    # the shown category is hidden as the complement of the withheld one
    assert data["statistics"]["suppressed"] == [  # type: ignore[index]
        {"key": ["big.example.jp"], "reason": "complementary"}
    ]


def test_counting_records_suppresses_by_the_people_behind_them(research: Ledger) -> None:
    heavy = people(research, [{"purchases": "家電", "birth_date": born(30)}])[0]
    for _ in range(11):
        collect(research, Collection("shop", {"purchases": "家電"}, subject_id=heavy), actor="app")
    people(research, [{"purchases": "食品", "birth_date": born(30)} for _ in range(6)])
    result = statistics(
        research, purpose="research", by="purchases,birth_date:age10", actor=ANALYST,
        count="records",
    )  # fmt: skip
    assert result.records == 18
    assert result.table.counts[("家電", "30-39")] == 12
    assert result.table.people[("家電", "30-39")] == 1
    assert result.hidden[("家電", "30-39")] is Reason.PRIMARY
    assert result.dimensions[0].categories == ("食品",)  # 家電: one person; not named
    by_subject = statistics(research, purpose="research", by="purchases", actor=ANALYST)
    assert by_subject.records == 7


def test_batches_and_progress_do_not_change_the_answer(research: Ledger) -> None:
    crowd(research)
    seen: list[tuple[int, int]] = []
    small = statistics(
        research, purpose="research", by="birth_date:age10,address:region", actor=ANALYST,
        batch=5, progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    whole = statistics(
        research, purpose="research", by="birth_date:age10,address:region", actor=ANALYST
    )
    assert small.table == whole.table and small.hidden == whole.hidden
    assert seen[0] == (0, 34) and seen[-1] == (34, 34) and len(seen) == 1 + 7


def test_an_oversized_table_is_refused_after_reading_and_the_failure_audited(
    research: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    crowd(research)
    monkeypatch.setattr(stats_module, "MAX_ENTRIES", 5)
    with pytest.raises(
        BadInput, match=r"would have 9 cells and totals \(at most 5\): birth_date:age10 has 2"
    ):
        statistics(
            research, purpose="research", by="birth_date:age10,address:prefecture", actor=ANALYST
        )
    [row] = audit_rows(research)
    assert (row["outcome"], row["reason"]) == ("failed", "too_many_cells")


@pytest.mark.parametrize(
    ("by", "message"),
    [
        ("", "at least one item"),
        ("birth_date:", "is not ITEM or ITEM:GENERALIZATION"),
        ("birth_date:age7", "no generalization 'age7'"),
        ("birth_date:age5,birth_date:age5", "given twice"),
        ("email,birth_date,address,postal_code", "at most 3 dimensions"),
    ],
)
def test_bad_dimensions_are_refused_before_anything_is_read(by: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        parse_by(by)


def test_a_generalization_must_fit_the_item(research: Ledger) -> None:
    before = counts(research)
    with pytest.raises(BadInput, match="age5 reads date or text values; the item 'postal_code'"):
        statistics(research, purpose="research", by="postal_code:age5", actor=ANALYST)
    with pytest.raises(BadInput, match="--count 'people'"):
        statistics(research, purpose="research", by="email", actor=ANALYST, count="people")
    with pytest.raises(BadInput, match="at least 1"):
        statistics(research, purpose="research", by="email", actor=ANALYST, min_cell=0)
    with pytest.raises(BadInput, match="actor is required"):
        statistics(research, purpose="research", by="email", actor=" ")
    assert counts(research) == before


def test_csv_is_the_table_alone_with_a_bom(research: Ledger) -> None:
    crowd(research)
    result = statistics(
        research, purpose="research", by="birth_date:age10,address:prefecture", actor=ANALYST,
        min_cell=10,
    )  # fmt: skip
    text = result.to_csv("ja").decode("utf-8")
    assert text.startswith("\ufeff生年月日（年齢・10歳階級）,住所（都道府県）,人数,秘匿\r\n")
    assert "30-39,東京都,,*\r\n" in text
    assert "計,計,34,\r\n" in text
    assert "complementary" not in text and "opted" not in text
    english = result.to_csv("en").decode("utf-8")
    assert "30-39,Tokyo,,*\r\n" in english and "Total,Total,34,\r\n" in english

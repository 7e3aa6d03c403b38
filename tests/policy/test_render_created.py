"""Anonymised datasets the ledger made are announced in the policy (APPI Art. 43(3))."""

from __future__ import annotations

from datetime import date

from hogo.policy.announcements import CreatedDataset, group_creations
from hogo.policy.loader import load_policy
from hogo.policy.render import render_html, render_markdown
from hogo.policy.schema import Policy, Text
from tests.conftest import ROOT

SHOWCASE = ROOT / "examples" / "showcase" / "hogo.yaml"


def _policy() -> Policy:
    return load_policy(SHOWCASE).policy


def _t(ja: str, en: str) -> Text:
    return Text(ja=ja, en=en)


BIRTH = _t("生年月日", "date of birth")
GENDER = _t("性別", "gender")


def _made(dataset: str, day: date, *labels: Text, label: Text | None = None) -> CreatedDataset:
    return CreatedDataset(
        dataset=dataset,
        label=label or _t("購買データ", "purchase data"),
        created_on=day,
        items=tuple(lab.en for lab in labels),
        item_labels=labels,
    )


def test_no_creations_render_as_before() -> None:
    policy = _policy()
    for lang in ("ja", "en"):
        assert render_markdown(policy, lang) == render_markdown(policy, lang, created=())


def test_a_creation_is_announced_with_its_date_and_items() -> None:
    made = [_made("purchase_dataset", date(2026, 11, 24), BIRTH, GENDER)]
    ja = render_markdown(_policy(), "ja", created=made)
    en = render_markdown(_policy(), "en", created=made)
    assert "- 作成日：2026年11月24日\n  - 含まれる項目：生年月日、性別" in ja
    assert (
        "   - Created: November 24, 2026\n     - Items it contains: date of birth and gender" in en
    )
    html = render_html(_policy(), "en", created=made)
    assert "November 24, 2026" in html and "date of birth and gender" in html


def test_creations_with_the_same_items_are_announced_together() -> None:
    made = [_made("purchase_dataset", date(2026, month, 1), BIRTH, GENDER) for month in (9, 10, 11)]
    ja = render_markdown(_policy(), "ja", created=made)
    assert "作成日：2026年9月1日、2026年10月1日、2026年11月1日" in ja
    many = [_made("purchase_dataset", date(2026, month, 1), BIRTH) for month in range(1, 13)]
    ja = render_markdown(_policy(), "ja", created=many)
    en = render_markdown(_policy(), "en", created=many)
    assert "作成日：2026年1月1日から2026年12月1日まで（12回）" in ja
    assert "Created: 12 times between January 1, 2026 and December 1, 2026" in en


def test_a_dataset_the_policy_dropped_stays_announced_under_its_own_label() -> None:
    old = _made("old_survey", date(2026, 3, 1), GENDER, label=_t("旧調査データ", "old survey data"))
    ja = render_markdown(_policy(), "ja", created=[old])
    en = render_markdown(_policy(), "en", created=[old])
    assert "（2）旧調査データ" in ja and "2026年3月1日" in ja
    assert "2. Old survey data" in en and "March 1, 2026" in en


def test_a_policy_without_anonymised_datasets_gets_the_section_from_creations() -> None:
    policy = _policy().model_copy(update={"anonymized": [], "statistics": []})
    assert "### 匿名加工情報" not in render_markdown(policy, "ja")
    made = [_made("purchase_dataset", date(2026, 11, 24), BIRTH)]
    assert "### 匿名加工情報" in render_markdown(policy, "ja", created=made)


def test_grouping_orders_by_first_creation() -> None:
    groups = group_creations(
        [
            _made("b", date(2026, 5, 1), BIRTH),
            _made("a", date(2026, 6, 1), BIRTH),
            _made("b", date(2026, 4, 1), GENDER),
        ]
    )
    assert list(groups) == ["b", "a"]
    assert [g.dates for g in groups["b"].groups] == [(date(2026, 4, 1),), (date(2026, 5, 1),)]

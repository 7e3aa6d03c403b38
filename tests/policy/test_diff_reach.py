"""Whom each change reaches, which purposes need consent again, and what people are told."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from hogo.policy.diff import Change, Reach, Words, diff_policies, plain, reach
from hogo.policy.schema import Policy
from tests.policy.test_diff import (
    AD_PURPOSE,
    CASES,
    ITEM_FAX,
    MODULE,
    OBSCURE,
    RECIPIENT,
    RICH,
    SOURCE,
    Mutation,
    add,
    drop,
    policy_of,
    put,
    text,
)


def changes_of(new: Mutation, old: Mutation | None = None) -> list[tuple[Change, Policy, Policy]]:
    before = copy.deepcopy(RICH)
    if old is not None:
        old(before)
    after = copy.deepcopy(before)
    new(after)
    o, n = policy_of(before), policy_of(after)
    return [(c, o, n) for c in diff_policies(o, n).changes]


def only(new: Mutation, old: Mutation | None = None) -> tuple[Change, Reach, Words]:
    """The one change `new` makes, whom it reaches and what people are told of it."""
    found = changes_of(new, old)
    assert len(found) == 1, [c.path for c, _, _ in found]
    change, o, n = found[0]
    return change, reach(change, o, n), plain(change, o, n)


# --- reach: fires and near misses ------------------------------------------------------


def test_a_purpose_change_reaches_the_holders_of_its_items() -> None:
    change, found, words = only(put("purposes[newsletter].label", text("News", "お知らせ")))
    assert change.change_class.value == "notify"
    assert found == Reach(
        "holders", purposes=frozenset({"newsletter"}), items=frozenset({"name", "email"})
    )
    assert found.reconsent == frozenset()  # notify: no consent again
    assert words.ja == "利用目的「お知らせ」の内容を変更します。"


def test_items_added_to_a_purpose_need_consent_again_for_that_purpose() -> None:
    change, found, words = only(add("purposes[newsletter].items", "age"))
    assert change.change_class.value == "consent"
    assert found.reconsent == frozenset({"newsletter"})
    assert found.items == frozenset({"name", "email", "age"})
    assert words.ja == "利用目的「ニュースレターの送付」に利用する項目として「年齢」を加えます。"
    assert words.en == "The purpose “Sending the newsletter” will also use “age”."


def test_items_removed_from_a_purpose_need_only_notice() -> None:
    _, found, words = only(drop("purposes[newsletter].items", "name"))
    assert found.reconsent == frozenset() and found.items == frozenset({"name", "email"})
    assert words.en == "The purpose “Sending the newsletter” will no longer use “name”."


def test_a_new_unrelated_purpose_needs_consent_a_related_one_does_not() -> None:
    _, found, words = only(add("purposes", AD_PURPOSE))
    assert found.reconsent == frozenset({"ads"}) and found.items == frozenset({"email"})
    assert words.ja == "利用目的「広告配信」を追加します。"
    related = {**AD_PURPOSE, "related_to": ["newsletter"]}
    change, found, _ = only(add("purposes", related))
    assert change.change_class.value == "notify" and found.reconsent == frozenset()


def test_a_removed_purpose_needs_no_consent_again() -> None:
    _, found, words = only(drop("purposes[newsletter]"))
    assert found.reconsent == frozenset() and found.purposes == frozenset({"newsletter"})
    assert words.en == "We end the purpose “Sending the newsletter”."


def test_a_weaker_basis_needs_consent_again() -> None:
    _, found, words = only(put("purposes[newsletter].basis", "opt_out"))
    assert found.reconsent == frozenset({"newsletter"})
    assert words.ja.endswith("オプトアウト）で行うものとします。")
    _, found, _ = only(put("purposes[inquiry_response].basis", "consent"))
    assert found.reconsent == frozenset()  # stronger: notice only


def test_an_item_turned_special_care_needs_consent_for_the_purposes_using_it() -> None:
    uses_age = add("purposes[newsletter].items", "age")
    change, found, words = only(put("items[age].special_care", True), old=uses_age)
    assert change.change_class.value == "consent"
    assert found.items == frozenset({"age"}) and found.reconsent == frozenset({"newsletter"})
    assert words.ja == "「年齢」を要配慮個人情報として取り扱います。"
    _, found, _ = only(
        put("items[age].special_care", False), old=put("items[age].special_care", True)
    )
    assert found.reconsent == frozenset()


def test_a_joint_use_change_needs_consent_for_the_purposes_it_serves() -> None:
    _, found, _ = only(add("joint_use[group].items", "phone"))
    assert found.reconsent == frozenset({"inquiry_response"})
    assert found.items == frozenset({"name", "email", "phone"})
    _, found, _ = only(put("joint_use[group].label", text("Group", "グループ")))
    assert found.reconsent == frozenset()  # editorial


def test_a_new_recipient_reaches_holders_but_stops_no_use() -> None:
    change, found, words = only(add("third_party.recipients", RECIPIENT))
    assert change.change_class.value == "consent"
    assert found.items == frozenset({"name"}) and found.reconsent == frozenset()
    assert words.ja == "「リセラー社」への個人データの提供を始めます。"


def test_retention_sources_and_opt_out_reach_their_holders() -> None:
    _, found, _ = only(put("retention[inquiry_3y].period", "5y"))
    assert found.who == "holders" and "newsletter" in found.purposes
    _, found, _ = only(add("sources", SOURCE), old=add("items", ITEM_FAX))
    assert found == Reach("holders", sources=frozenset({"event"}))
    _, found, words = only(put("third_party.opt_out.update_method", text("weekly")))
    assert found.purposes == frozenset({"newsletter"}) and found.items >= {"name", "email"}
    assert words.en == "We change our provision to third parties by opt-out."


@pytest.mark.parametrize(
    ("mutation", "who"),
    [
        (put("organization.name", text("New K.K.", "新株式会社")), "everyone"),
        (put("requests.response_days", 10), "everyone"),
        (put("third_party.exceptions", ["law"]), "everyone"),
        (add("modules", MODULE), "nobody"),
        (put("anonymized[usage].items", ["age", "email"]), "nobody"),
        (put("statistics[monthly].items", ["email"]), "nobody"),
    ],
)
def test_general_changes_reach_everyone_and_website_ones_nobody(
    mutation: Mutation, who: str
) -> None:
    found = [reach(c, o, n) for c, o, n in changes_of(mutation)]
    assert found and {r.who for r in found} == {who}
    assert all(r.reconsent == frozenset() for r in found)


# --- every rule's case: a reach and a sentence in each language --------------------------


@pytest.mark.parametrize(("new", "old", "expected"), [*CASES, *((m, None, []) for m in OBSCURE)])
def test_every_change_gets_a_reach_and_plain_words(
    new: Mutation, old: Mutation | None, expected: Any
) -> None:
    for change, o, n in changes_of(new, old):
        found = reach(change, o, n)
        assert found.who in ("everyone", "holders", "nobody")
        if found.reconsent:
            assert change.change_class.value == "consent", change.path
            assert all(n.purpose(p) is not None for p in found.reconsent)
        words = plain(change, o, n)
        assert words.ja.endswith("。") and words.en.endswith("."), (change.path, words)
        assert "[" not in words.ja + words.en, words  # no paths in what people read
        assert words["ja"] == words.ja and words["en"] == words.en

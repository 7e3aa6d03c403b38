"""Providing an anonymised dataset: only as announced, recorded, with the notice (Art. 43(4))."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.services.anonymized.provide import provide
from hogo.services.anonymized.register import list_creations, show_creation
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger
from tests.services.anonymized_support import (
    anonymizing,
    make_creation,
    publish_variant,
    table_counts,
)


@pytest.fixture
def made(ledger: Ledger, tmp_path: Path) -> int:
    return make_creation(ledger, tmp_path)


def test_a_provision_is_recorded_with_the_notice_in_both_languages(
    ledger: Ledger, made: int
) -> None:
    done = provide(ledger, made, recipient="東都大学", method="SFTP", actor="officer:sato")
    ja, en = done.notices["ja"], done.notices["en"]
    assert "匿名加工情報の提供について" in ja.subject and "東都大学 御中" in ja.body
    assert "匿名加工情報です" in ja.body and "同条第4項" in ja.body
    assert "生年月日、性別、郵便番号、年間購入金額" in ja.body
    assert (
        "暗号化した電子ファイルを手渡しで提供します。" in ja.body
        and "今回の提供手段：SFTP" in ja.body
    )
    assert "2026年11月24日" in ja.body and "第45条" in ja.body
    assert "anonymously processed information" in en.body and "To: 東都大学" in en.body
    assert "Means used this time: SFTP" in en.body
    assert "date of birth, gender, postal code and yearly spending" in en.body
    assert "Article 43(4)" in en.subject + en.body
    (creation,) = list_creations(ledger)
    (provision,) = creation.provisions
    assert provision.id == done.provision.id and provision.recipient == "東都大学"
    assert provision.method == "SFTP" and provision.items == creation.items
    assert show_creation(ledger, made).provisions == (provision,)
    with ledger.engine.connect() as conn:
        (entry,) = conn.execute(
            select(t.audit).where(t.audit.c.action == "anonymized_provide")
        ).all()
    assert entry.actor == "officer:sato" and entry.detail["creation_id"] == made


def _unannounced(data: dict[str, Any]) -> None:
    data["anonymized"][0]["provided_to"] = []


def _no_method(data: dict[str, Any]) -> None:
    data["anonymized"][0].pop("provision_method")


def _dropped(data: dict[str, Any]) -> None:
    data["anonymized"] = []


def _fewer_items(data: dict[str, Any]) -> None:
    data["anonymized"][0]["items"].remove("spend")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (_unannounced, "provision_not_announced"),
        (_no_method, "provision_method_not_announced"),
        (_dropped, "provision_not_announced"),
        (_fewer_items, "items_not_announced"),
    ],
)
def test_a_provision_the_policy_does_not_announce_is_refused(
    ledger: Ledger, made: int, tmp_path: Path, change: Any, code: str
) -> None:
    publish_variant(ledger, tmp_path, anonymizing, change, name="later")
    before = table_counts(ledger)
    with pytest.raises(Refused) as refused:
        provide(ledger, made, recipient="東都大学", actor="officer")
    assert refused.value.code == code
    assert table_counts(ledger) == before  # no record, no audit entry


@pytest.mark.parametrize(
    ("creation", "recipient", "method", "error"),
    [
        (999, "東都大学", None, NotFound),
        (0, "東都大学", None, BadInput),
        (1, "  ", None, BadInput),
        (1, "x" * 501, None, BadInput),
        (1, "東都大学", "", BadInput),
        (1, "東都大学", "a\x00b", BadInput),
    ],
)
def test_bad_provisions_are_refused(
    ledger: Ledger, made: int, creation: int, recipient: str, method: str | None,
    error: type[Exception],
) -> None:  # fmt: skip
    before = table_counts(ledger)
    with pytest.raises(error):
        provide(ledger, creation, recipient=recipient, method=method, actor="officer")
    assert table_counts(ledger) == before

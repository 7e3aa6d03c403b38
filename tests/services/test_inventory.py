"""The inventory report (JIS Q 15001 personal information ledger): policy and ledger facts,
counted in one query, rendered as Markdown, escaped HTML and CSV with a BOM."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, select

from hogo.ledger import tables as t
from hogo.services.errors import BadInput
from hogo.services.inventory import held_counts, inventory, render_inventory
from hogo.services.ledger import Ledger
from tests.services.consent_support import erase_directly, publish_variant, subject


def rows_by_item(ledger: Ledger) -> dict[str, Any]:
    return {row.item: row for row in inventory(ledger, actor="officer").rows}


def test_counts_subjects_and_records_held_now(ledger: Ledger) -> None:
    subject(ledger, {"name": "山田", "email": "a@example.jp"})
    subject(ledger, {"name": "田中", "email": "b@example.jp", "purchases": "x"})
    subject(ledger, {"name": "佐藤"})
    gone = subject(ledger, {"name": "鈴木", "purchases": "y"})
    erase_directly(ledger, gone, datetime(2026, 11, 24, tzinfo=UTC))
    rows = rows_by_item(ledger)
    assert (rows["name"].subjects, rows["name"].records) == (3, 3)
    assert (rows["email"].subjects, rows["email"].records) == (2, 2)
    assert (rows["purchases"].subjects, rows["purchases"].records) == (1, 1)
    assert (rows["card"].subjects, rows["card"].records) == (0, 0)


def test_the_counts_are_one_grouped_query(ledger: Ledger) -> None:
    for n in range(5):
        subject(ledger, {"name": f"N{n}", "email": f"p{n}@example.jp"})
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    event.listen(ledger.engine, "before_cursor_execute", seen)
    try:
        with ledger.engine.connect() as conn:
            counted = held_counts(conn)
    finally:
        event.remove(ledger.engine, "before_cursor_execute", seen)
    assert counted == {"name": (5, 5), "email": (5, 5)}
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "GROUP BY" in selects[0]


def test_policy_facts_per_item(ledger: Ledger) -> None:
    rows = rows_by_item(ledger)
    name = rows["name"]
    assert [p.id for p in name.purposes] == ["orders", "newsletter", "wellness", "list_sales"]
    assert [s.id for s in name.sources] == ["shop"]
    assert [v.id for v in name.vendors] == ["courier"]
    assert name.countries == ("US",)
    assert name.actors is None
    retention = {p.id: r["en"] for p, r in name.retention}
    assert retention["orders"] == "7 years from the end of the contract"
    assert retention["newsletter"] == "until consent is withdrawn"
    assert rows["email"].vendors == ()
    assert rows["health"].special_care and not rows["health"].financial_risk
    assert rows["card"].financial_risk and not rows["card"].special_care


def test_actors_are_listed_only_when_every_purpose_names_them(
    ledger: Ledger, tmp_path: Path
) -> None:
    publish_variant(
        ledger,
        tmp_path,
        {
            "    items: [name, email, purchases, card]\n    retention: seven_years\n": (
                "    items: [name, email, purchases, card]\n    retention: seven_years\n"
                "    actors: [support, billing]\n"
            )
        },
        date(2026, 2, 1),
    )
    rows = rows_by_item(ledger)
    assert rows["card"].actors == ("billing", "support")
    assert rows["name"].actors is None  # the newsletter lets any actor act


def test_an_item_held_but_no_longer_declared_is_listed(ledger: Ledger) -> None:
    person = subject(ledger)
    with ledger.engine.begin() as conn:
        conn.execute(
            insert(t.records).values(
                subject_id=person,
                item="fax",
                source="shop",
                ciphertext=b"x",
                collected_at=datetime(2026, 11, 1, tzinfo=UTC),
                policy_version_id=1,
                legal_hold=False,
            )
        )
    fax = rows_by_item(ledger)["fax"]
    assert (fax.in_policy, fax.subjects, fax.records) == (False, 1, 1)
    inv = inventory(ledger, actor="officer")
    assert "現行の方針に定めのない項目" in render_inventory(inv, fmt="md", lang="ja").decode()


def test_the_report_is_audited(ledger: Ledger) -> None:
    inventory(ledger, actor="officer")
    with ledger.engine.connect() as conn:
        last = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()
    assert last.action == "report" and last.detail["report"] == "inventory"


def test_markdown_in_japanese_and_english(ledger: Ledger) -> None:
    subject(ledger, {"name": "山田", "email": "a@example.jp"})
    inv = inventory(ledger, actor="officer")
    ja = render_inventory(inv, fmt="md", lang="ja").decode()
    assert ja.startswith("# 個人情報管理台帳\n")
    assert "- 事業者：株式会社フル" in ja
    assert "| 項目 | 要配慮個人情報 | 財産的被害のおそれ | 利用目的 |" in ja
    assert "| 健康診断の結果 | あり | なし | 健康サービス |" in ja
    assert "配送社（委託先）、米国（外国）" in ja
    en = render_inventory(inv, fmt="md", lang="en").decode()
    assert en.startswith("# Personal Information Ledger\n")
    assert "| name | no | no | Processing orders; Newsletter;" in en
    assert "| 1 | 1 |" in en


def test_html_is_standalone_and_escaped(ledger: Ledger, tmp_path: Path) -> None:
    publish_variant(
        ledger,
        tmp_path,
        {
            "{id: name, label: {ja: 氏名, en: name}": '{id: name, label: {ja: 氏名, en: "<b>name</b> | x"}'
        },
        date(2026, 2, 1),
    )
    inv = inventory(ledger, actor="officer")
    page = render_inventory(inv, fmt="html", lang="en").decode()
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "&lt;b&gt;name&lt;/b&gt; | x" in page and "<b>name" not in page
    md = render_inventory(inv, fmt="md", lang="en").decode()
    assert "\\<b\\>name\\</b\\> \\| x" in md


def test_csv_has_a_bom_and_reads_back(ledger: Ledger) -> None:
    subject(ledger, {"name": "山田", "email": "a@example.jp"})
    data = render_inventory(inventory(ledger, actor="officer"), fmt="csv", lang="ja")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["項目ID", "項目", "要配慮個人情報"]
    assert rows[0][-2:] == ["本人数", "件数"]
    assert rows[1][:2] == ["name", "氏名"] and rows[1][-2:] == ["1", "1"]
    assert len(rows) == 6


def test_unknown_format_or_language(ledger: Ledger) -> None:
    inv = inventory(ledger, actor="officer")
    with pytest.raises(BadInput, match="unknown format 'pdf'"):
        render_inventory(inv, fmt="pdf", lang="ja")
    with pytest.raises(BadInput, match="unknown language 'fr'"):
        render_inventory(inv, fmt="md", lang="fr")

"""Report drafts (Rules Art. 8) and notices to the people (Art. 10), on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import json
from datetime import date

import pytest
from sqlalchemy import select, update

from hogo.domain.incident_report import REPORT_ITEMS
from hogo.ledger import tables as t
from hogo.ledger import tables_incidents as ti
from hogo.services.collect import Collection, collect
from hogo.services.erasure import erase
from hogo.services.errors import BadInput, Refused
from hogo.services.incidents import (
    close_incident,
    draft_report,
    notify,
    scope_by_items,
    update_incident,
)
from hogo.services.ledger import Ledger
from hogo.services.outbox import open_message
from tests.services.incident_support import counts, incident, person

FINDINGS = {
    "cause": "VPN機器の既知の脆弱性を悪用されたため",
    "secondary_damage": "現時点で二次被害は確認されていません",
    "measures": "専用のお問い合わせ窓口を設置しました",
    "publication": "2026年11月25日に当社ウェブサイトで公表しました",
    "prevention": "VPN機器のファームウェアを更新しました",
    "prevention_planned": "多要素認証を導入します",
    "other": "警察に相談しています",
    "medium": "電子媒体（顧客管理データベース）",
    "discovered": "外部の監視サービスからの通報により判明しました",
}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("kind", ["preliminary", "final"])
def test_the_draft_carries_every_rule_8_item_and_the_reporter(
    ledger: Ledger, lang: str, kind: str
) -> None:
    opened = incident(ledger, unlawful_purpose=True, vendor="courier")
    person(ledger, 1, health=True)
    scope_by_items(ledger, opened.id, items=["health"], actor="officer")
    draft = draft_report(ledger, opened.id, kind=kind, lang=lang)
    text = draft.text
    for item in REPORT_ITEMS:
        assert f"## {item.number}. {item.heading(lang)}" in text
    if lang == "ja":
        assert f"報告書（{'速報' if kind == 'preliminary' else '確報'}）" in text
        assert "株式会社フル" in text and "東京都港区芝公園四丁目2番8号" in text
        assert "代表取締役 佐藤花子" in text
        assert "| 第1号 | 要配慮個人情報が含まれる個人データの漏えい等 | 該当 |" in text
        assert "| 第4号 | 個人データに係る本人の数が1,000人を超える漏えい等 | 非該当 |" in text
        assert "委託先：配送社" in text and "健康診断の結果" in text
        assert "実施済みの措置" in text and "今後実施予定の措置" in text
        assert text.count("調査中") >= 8  # cause, damage, measures, publication, …
        assert text.rstrip().endswith("以上")
    else:
        assert "Full K.K." in text and "Hanako Sato, Representative Director" in text
        assert "| Rules Art. 7(iii) | possibly done for an unlawful purpose | yes |" in text
        assert "Courier Co." in text and "health check results" in text
        assert text.count("Under investigation") >= 8
    due = "2026年11月26日" if lang == "ja" and kind == "preliminary" else None
    if due:
        assert due in text and "残り2日" in text
    assert "cause" in draft.pending and "items" not in draft.pending


def test_what_is_recorded_replaces_under_investigation(ledger: Ledger) -> None:
    opened = incident(ledger, occurred_at=date(2026, 11, 20), discovered_on=date(2026, 11, 22))
    person(ledger, 1, card=True)
    scope_by_items(ledger, opened.id, items=["card"], actor="officer")
    update_incident(ledger, opened.id, texts=FINDINGS, actor="officer")
    text = draft_report(ledger, opened.id, kind="final", lang="ja").text
    assert "調査中" not in text
    for value in FINDINGS.values():
        assert value in text
    assert "2026年11月20日" in text and "2026年11月22日" in text
    assert "未確定の事項" not in text
    assert "財産的被害が生じるおそれのある情報" in text


def test_the_final_draft_names_what_is_still_open(ledger: Ledger) -> None:
    opened = incident(ledger)
    text = draft_report(ledger, opened.id, kind="final", lang="en").text
    assert "**Still open**" in text and "Cause" in text.split("**Still open**")[1].split("\n")[0]
    assert "Items:" in text and "Under investigation" in text


def test_a_draft_of_an_incident_that_needs_no_report_says_so(ledger: Ledger) -> None:
    opened = incident(ledger)
    person(ledger, 1)
    scope_by_items(ledger, opened.id, items=["name"], actor="officer")
    text = draft_report(ledger, opened.id, kind="preliminary", lang="ja").text
    assert "報告義務の判定" in text and "義務ではありません" in text
    assert "報告義務なし" in text


def test_text_from_the_register_cannot_become_markup(ledger: Ledger) -> None:
    opened = incident(ledger, summary="<script>alert(1)</script> | *強調* [link](javascript:x)")
    md = draft_report(ledger, opened.id, kind="preliminary", lang="en").text
    assert "\\<script\\>" in md and "\\|" in md
    html = draft_report(ledger, opened.id, kind="preliminary", lang="ja", fmt="html").text
    assert html.startswith("<!doctype html>") and '<html lang="ja">' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<title>【下書き】個人データの漏えい等に関する報告書（速報）</title>" in html
    for item in REPORT_ITEMS:
        assert f"{item.number}. {item.ja}</h2>" in html


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "interim", "lang": "ja"}, "unknown report kind"),
        ({"kind": "final", "lang": "fr"}, "unknown language"),
        ({"kind": "final", "lang": "ja", "fmt": "pdf"}, "unknown format"),
    ],
)
def test_bad_report_options_are_refused(
    ledger: Ledger, kwargs: dict[str, str], message: str
) -> None:
    opened = incident(ledger)
    with pytest.raises(BadInput, match=message):
        draft_report(ledger, opened.id, **kwargs)


# --- notices ------------------------------------------------------------------------------


def _messages(ledger: Ledger) -> dict[str, object]:
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(t.outbox).order_by(t.outbox.c.id)).all()
        return {row.subject_id: (row, open_message(ledger, conn, row)) for row in rows}


def test_notify_queues_one_notice_per_reachable_person_in_their_language(ledger: Ledger) -> None:
    opened = incident(ledger, unlawful_purpose=True)
    hanako = person(ledger, 1, health=True)
    john = person(ledger, 2)
    with ledger.engine.begin() as conn:
        conn.execute(update(t.subjects).where(t.subjects.c.id == john).values(lang="en"))
    no_address = collect(ledger, Collection("shop", {"name": "山田太郎"}), actor="app").subject_id
    gone = person(ledger, 3)
    scope_by_items(ledger, opened.id, items=["name", "health"], actor="officer")
    erase(ledger, gone, actor="officer")
    update_incident(ledger, opened.id, texts={"cause": "VPN機器の脆弱性"}, actor="officer")

    result = notify(ledger, opened.id, actor="officer")
    assert (result.people, result.queued, result.already, result.unreachable) == (4, 2, 0, 2)
    assert result.publication_needed
    messages = _messages(ledger)
    assert set(messages) == {hanako, john}
    row, ja = messages[hanako]  # type: ignore[misc]
    assert row.lang == "ja" and row.kind == "incident_notice"
    assert row.dedupe_key == f"incident:{opened.id}:subject:{hanako}"
    assert ja.subject == "【株式会社フル】個人情報の漏えい等に関するお詫びとお知らせ"
    assert ja.to == "p1@example.jp"
    for heading in ("1. 概要", "2. 漏えい等が発生し", "3. 原因", "4. 二次被害", "5. その他"):
        assert heading in ja.body
    assert "氏名、健康診断の結果" in ja.body and "VPN機器の脆弱性" in ja.body
    assert "不正アクセス" in ja.body and "調査中" in ja.body  # summary; damage unknown
    assert "privacy@full.example" in ja.body
    row, en = messages[john]  # type: ignore[misc]
    assert row.lang == "en" and en.subject.startswith("[Full K.K.] Notice of a leak")
    assert "2. Your personal information involved\nname\n" in en.body
    assert "health" not in en.body.split("2. Your personal information")[1].split("3.")[0]
    assert no_address not in messages and gone not in messages
    with ledger.engine.connect() as conn:
        notified = dict(
            conn.execute(
                select(ti.incident_subjects.c.subject_id, ti.incident_subjects.c.notified_at)
            ).all()
        )
        contacts = conn.execute(select(t.audit).where(t.audit.c.action == "contact")).all()
    assert {s for s, at in notified.items() if at is not None} == {hanako, john}
    assert {a.subject_id for a in contacts} == {hanako, john}


def test_notify_again_writes_to_no_one_twice(ledger: Ledger) -> None:
    opened = incident(ledger)
    first, second = person(ledger, 1), person(ledger, 2)
    scope_by_items(ledger, opened.id, items=["email"], actor="officer")
    assert notify(ledger, opened.id, actor="officer").queued == 2
    again = notify(ledger, opened.id, actor="officer")
    assert (again.queued, again.already, again.unreachable) == (0, 2, 0)
    third = person(ledger, 3)
    scope_by_items(ledger, opened.id, items=["email"], actor="officer")
    grown = notify(ledger, opened.id, actor="officer")
    assert (grown.queued, grown.already) == (1, 2)
    assert set(_messages(ledger)) == {first, second, third}


def test_a_notice_already_queued_is_not_queued_again(ledger: Ledger) -> None:
    """The outbox's dedupe key holds even if the scope row lost its notified mark."""
    opened = incident(ledger)
    person(ledger, 1)
    scope_by_items(ledger, opened.id, items=["email"], actor="officer")
    notify(ledger, opened.id, actor="officer")
    with ledger.engine.begin() as conn:
        conn.execute(update(ti.incident_subjects).values(notified_at=None))
    notify(ledger, opened.id, actor="officer")
    assert len(_messages(ledger)) == 1


def test_notify_needs_people_and_an_open_incident(ledger: Ledger) -> None:
    opened = incident(ledger)
    before = counts(ledger)
    with pytest.raises(Refused, match="no one in its scope") as refused:
        notify(ledger, opened.id, actor="officer")
    assert refused.value.code == "empty_scope"
    assert counts(ledger) == before
    person(ledger, 1)
    scope_by_items(ledger, opened.id, items=["email"], actor="officer")
    close_incident(ledger, opened.id, actor="officer")
    before = counts(ledger)
    with pytest.raises(Refused, match="closed"):
        notify(ledger, opened.id, actor="officer")
    with pytest.raises(BadInput, match="actor"):
        notify(ledger, opened.id, actor=" ")
    assert counts(ledger) == before


def test_notices_are_batched_and_report_progress(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.import_module("hogo.services.incidents.notify"), "BATCH", 2)
    opened = incident(ledger)
    for n in range(5):
        person(ledger, n)
    scope_by_items(ledger, opened.id, items=["email"], actor="officer")
    seen: list[tuple[int, int]] = []
    result = notify(ledger, opened.id, actor="officer", progress=lambda d, n: seen.append((d, n)))
    assert result.queued == 5 and seen == [(2, 5), (4, 5), (5, 5)]
    with ledger.engine.connect() as conn:
        events = conn.execute(
            select(ti.incident_events.c.detail).where(ti.incident_events.c.kind == "notify")
        ).scalars()
        assert [json.loads(e) if isinstance(e, str) else e for e in events] == [
            {"queued": 2, "unreachable": 0},
            {"queued": 2, "unreachable": 0},
            {"queued": 1, "unreachable": 0},
        ]

"""hogo inquiry, hogo vendors, hogo report inventory: exit codes, JSON, nothing written on
bad input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.support import hogo


def rows(env: dict[str, str], table: str) -> int:
    path = env["HOGO_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"select count(*) from {table}").fetchone()[0])


def test_inquiry_new_list_answer_show(ready: dict[str, str]) -> None:
    code, out, err = hogo(
        ready,
        "inquiry",
        "new",
        "--kind",
        "complaint",
        "--channel",
        "email",
        "--email",
        "taro@example.jp",
        "--text",
        "メールマガジンの配信を止めたのに届きます。",
        "--received-at",
        "2026-11-17T11:00",
        "--json",
    )
    assert code == 0, err
    created = json.loads(out)
    assert created["ok"] and created["acknowledged"] == "within_hours"
    assert created["received_at"] == "2026-11-17T02:00:00+00:00"
    assert "text" not in created
    inquiry = str(created["id"])
    code, out, _ = hogo(
        ready,
        "inquiry",
        "new",
        "--kind",
        "question",
        "--channel",
        "phone",
        "--text",
        "土曜日の電話の内容",
        "--received-at",
        "2026-11-21T12:00",
    )
    assert code == 0 and "outside the reception hours; the desk has opened since" in out
    code, out, _ = hogo(ready, "inquiry", "list", "--kind", "complaint")
    assert code == 0 and f"#{inquiry}  2026-11-17 11:00 JST  complaint" in out and "open" in out
    code, out, _ = hogo(ready, "inquiry", "answer", inquiry, "--text", "配信を停止しました。")
    assert code == 0 and "answer queued to the outbox" in out
    assert rows(ready, "outbox") == 1
    code, out, _ = hogo(ready, "inquiry", "list", "--open", "--json")
    listing = json.loads(out)["inquiries"]
    assert [i["kind"] for i in listing] == ["question"]
    code, out, _ = hogo(ready, "inquiry", "show", inquiry)
    assert code == 0
    assert "メールマガジンの配信を止めたのに届きます。" in out and "配信を停止しました。" in out
    assert "taro@example.jp" in out
    code, out, _ = hogo(ready, "inquiry", "show", inquiry, "--json")
    assert json.loads(out)["answer"] == "配信を停止しました。"


def test_inquiry_bad_input_exits_2_and_writes_nothing(ready: dict[str, str]) -> None:
    before = (rows(ready, "inquiries"), rows(ready, "audit"), rows(ready, "outbox"))
    for args in (
        ["new", "--kind", "praise", "--channel", "email", "--text", "x"],
        ["new", "--kind", "question", "--channel", "fax", "--text", "x"],
        ["new", "--kind", "question", "--channel", "email", "--text", "x", "--email", "nope"],
        ["new", "--kind", "question", "--channel", "email", "--text", "x", "--received-at", "soon"],
        ["new", "--kind", "question", "--channel", "email", "--text", "x", "--subject", "nobody"],
        ["answer", "99", "--text", "x"],
        ["show", "99"],
        ["list", "--kind", "praise"],
    ):
        code, out, _ = hogo(ready, "inquiry", *args, "--json")
        assert code == 2, args
        assert json.loads(out)["ok"] is False
    assert (rows(ready, "inquiries"), rows(ready, "audit"), rows(ready, "outbox")) == before


def test_vendors_list_audit_history(ready: dict[str, str]) -> None:
    code, out, _ = hogo(ready, "vendors", "list", "--today", "2026-11-24")
    assert code == 0
    assert "courier" in out and "last audit 2026-03-01 (as the policy states)" in out
    assert "next audit due 2027-03-01 (97 days left)" in out
    code, out, _ = hogo(ready, "vendors", "list", "--today", "2027-03-03", "--json")
    [courier] = json.loads(out)["vendors"]
    assert courier["overdue"] is True and courier["days_left"] == -2
    code, out, _ = hogo(ready, "vendors", "list", "--today", "2026-11-24", "--due-within", "30")
    assert code == 0 and "no audits due" in out
    code, out, err = hogo(
        ready,
        "vendors",
        "audit",
        "courier",
        "--date",
        "2026-11-20",
        "--result",
        "findings",
        "--note",
        "施錠の不備",
    )
    assert code == 0, err
    assert "last audit 2026-11-20 (findings); next audit due 2027-11-20" in out
    code, out, _ = hogo(ready, "vendors", "history", "courier", "--json")
    [audit] = json.loads(out)["audits"]
    assert audit["note"] == "施錠の不備" and audit["result"] == "findings"
    code, out, _ = hogo(ready, "vendors", "history", "courier")
    assert code == 0 and "2026-11-20  findings" in out


def test_vendors_bad_input_exits_2_and_writes_nothing(ready: dict[str, str]) -> None:
    before = (rows(ready, "vendor_audits"), rows(ready, "audit"))
    code, out, _ = hogo(
        ready, "vendors", "audit", "nobody", "--date", "2026-11-01", "--result", "pass", "--json"
    )
    assert code == 2 and "the policy in force names: courier" in json.loads(out)["message"]
    code, _, _ = hogo(
        ready, "vendors", "audit", "courier", "--date", "2099-01-01", "--result", "pass"
    )
    assert code == 2
    code, _, _ = hogo(
        ready, "vendors", "audit", "courier", "--date", "2026-11-01", "--result", "ok"
    )
    assert code == 2
    code, _, _ = hogo(ready, "vendors", "audit", "courier", "--date", "1 Nov", "--result", "pass")
    assert code == 2
    assert (rows(ready, "vendor_audits"), rows(ready, "audit")) == before


def test_report_inventory_formats(ready: dict[str, str], tmp_path: Path) -> None:
    code, out, _ = hogo(ready, "report", "inventory")
    assert code == 0 and out.startswith("# 個人情報管理台帳\n")
    code, out, _ = hogo(ready, "report", "inventory", "--lang", "en", "--format", "html")
    assert code == 0 and out.startswith("<!DOCTYPE html>") and "Personal Information Ledger" in out
    target = tmp_path / "inventory.csv"
    code, _, err = hogo(ready, "report", "inventory", "--format", "csv", "-o", str(target))
    assert code == 0 and "wrote" in err
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "項目ID,項目".encode() in data


def test_report_bad_input_exits_2_and_writes_nothing(ready: dict[str, str], tmp_path: Path) -> None:
    before = rows(ready, "audit")
    code, out, _ = hogo(ready, "report", "inventory", "--format", "pdf", "--json")
    assert code == 2 and "unknown format 'pdf'" in json.loads(out)["message"]
    code, _, _ = hogo(ready, "report", "inventory", "--lang", "fr")
    assert code == 2
    assert rows(ready, "audit") == before
    code, _, err = hogo(
        ready, "report", "inventory", "--output", str(tmp_path / "missing" / "x.md")
    )
    assert code == 2 and "cannot write" in err

"""hogo request new|verify|fulfil|refuse|withdraw|list|show: exit codes 0/2/3, JSON, files."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.cli.support import hogo


def collect(env: dict[str, str], email: str, name: str = "佐藤花子") -> str:
    code, out, err = hogo(
        env, "collect", "--source", "shop", "--value", f"email={email}", "--value", f"name={name}"
    )
    assert code == 0, err
    return out.strip()


def run_json(env: dict[str, str], *args: str) -> dict[str, Any]:
    code, out, err = hogo(env, *args, "--json")
    assert code == 0, (out, err)
    data: dict[str, Any] = json.loads(out)
    assert data["ok"]
    return data


def test_a_disclosure_from_request_to_package(ready: dict[str, str], tmp_path: Path) -> None:
    s = collect(ready, "hanako@example.jp", "<b>花子</b>")
    new = run_json(
        ready, "request", "new", "--kind", "disclosure", "--email", "hanako@example.jp",
        "--channel", "mail", "--lang", "en", "--actor", "portal",
    )  # fmt: skip
    rid = new["id"]
    assert new["subject_id"] == s and new["channel"] == "post" and new["lang"] == "en"
    assert new["fee_yen"] == 1000 and new["state"] == "received" and new["acknowledged"]
    assert date.fromisoformat(new["due_on"]) - date.fromisoformat(new["received_at"][:10]) == timedelta(days=14)  # fmt: skip
    code, out, err = hogo(
        ready, "request", "verify", rid, "--method", "held_items", "--evidence", "一致",
        "--items", "name,card",
    )  # fmt: skip
    assert code == 2 and "never ask the person for more than is already held" in err
    code, out, _ = hogo(
        ready, "request", "verify", rid, "--method", "held_items", "--evidence", "一致",
        "--items", "name,email",
    )  # fmt: skip
    assert code == 0 and f"{rid}  in_progress" in out
    target = tmp_path / "answer"
    code, out, err = hogo(ready, "request", "fulfil", rid, "--out", str(target), "--actor", "desk")
    assert code == 0, err
    assert "answered" in out and "package.html" in out
    package = json.loads((target / "package.json").read_text("utf-8"))
    assert {r["item"]: r["value"] for r in package["items"]} == {
        "name": "<b>花子</b>",
        "email": "hanako@example.jp",
    }
    html = (target / "package.html").read_text("utf-8")
    assert '<html lang="en">' in html and "&lt;b&gt;花子&lt;/b&gt;" in html
    shown = run_json(ready, "request", "show", rid, "--out", str(tmp_path / "again"))
    assert [e["action"] for e in shown["events"]] == ["new", "verify", "fulfil"]
    assert shown["contact"] == "hanako@example.jp" and shown["answer"]["items"]
    assert (tmp_path / "again" / "package.html").read_text("utf-8") == html
    code, out, _ = hogo(ready, "request", "show", rid)
    assert code == 0 and "#3" in out and "fulfil: in_progress -> answered" in out


def test_correction_refusal_withdrawal_and_the_queue(ready: dict[str, str]) -> None:
    s = collect(ready, "hanako@example.jp")
    ids = {}
    for kind in ("correction", "erasure", "suspension_of_use", "purpose_notice"):
        ids[kind] = run_json(ready, "request", "new", "--kind", kind, "--subject", s)["id"]
    fix = ids["correction"]
    run_json(ready, "request", "verify", fix, "--method", "in_person", "--evidence", "窓口")
    done = run_json(ready, "request", "fulfil", fix, "--value", "name=佐藤 花子")
    assert done["answer"] == {"corrected": ["name"]} and done["notified"]
    code, out, _ = hogo(ready, "use", s, "--purpose", "orders", "--items", "name", "--actor", "a")
    assert "佐藤 花子" in out
    code, _, err = hogo(ready, "request", "fulfil", fix)
    assert code == 2 and "is answered; it cannot be fulfilled" in err
    code, _, err = hogo(
        ready, "request", "refuse", ids["erasure"], "--ground", "harm", "--reason", "x"
    )
    assert code == 2 and "ground 'harm' does not apply to erasure requests" in err
    refused = run_json(
        ready, "request", "refuse", ids["erasure"], "--ground", "no_art35_ground",
        "--reason", "契約期間中のため消去できません。",
    )  # fmt: skip
    assert refused["state"] == "refused" and refused["refusal_ground"] == "no_art35_ground"
    assert run_json(ready, "request", "withdraw", ids["suspension_of_use"])["state"] == "withdrawn"
    listing = run_json(ready, "request", "list", "--state", "received")
    assert [r["id"] for r in listing["requests"]] == [ids["purpose_notice"]]
    later = (date.today() + timedelta(days=30)).isoformat()
    listing = run_json(ready, "request", "list", "--today", later)
    assert listing["requests"][0]["id"] == ids["purpose_notice"]
    assert listing["requests"][0]["overdue"] and not listing["requests"][1]["overdue"]
    code, out, _ = hogo(ready, "request", "list", "--today", later)
    assert code == 0 and "OVERDUE" in out.splitlines()[0]
    soon = (date.today() + timedelta(days=1)).isoformat()
    assert run_json(ready, "request", "list", "--due-before", soon)["requests"] == []
    code, _, err = hogo(ready, "request", "list", "--state", "open")
    assert code == 2 and "unknown request state" in err


def test_suspension_makes_use_refused(ready: dict[str, str]) -> None:
    s = collect(ready, "hanako@example.jp")
    rid = run_json(ready, "request", "new", "--kind", "suspension_of_use", "--subject", s)["id"]
    run_json(ready, "request", "verify", rid, "--method", "portal_login", "--evidence", "ログイン")
    done = run_json(ready, "request", "fulfil", rid, "--purpose", "orders")
    assert done["answer"]["scope"] == "use" and done["answer"]["purposes"] == ["orders"]
    code, _, _ = hogo(ready, "use", s, "--purpose", "orders", "--items", "name", "--actor", "a")
    assert code == 3


def test_errors_exit_2_or_3_and_write_nothing(ready: dict[str, str]) -> None:
    s = collect(ready, "hanako@example.jp")
    code, _, err = hogo(ready, "request", "new", "--kind", "delete", "--subject", s)
    assert code == 2 and "unknown request kind" in err
    code, out, _ = hogo(ready, "request", "new", "--kind", "disclosure", "--json")
    assert code == 2 and json.loads(out) == {
        "ok": False,
        "error": "bad_input",
        "message": "say who asks: a subject id, or an e-mail address",
    }
    code, _, err = hogo(
        ready, "request", "new", "--kind", "erasure", "--subject", s, "--agent", "x"
    )
    assert code == 2 and "authority" in err
    assert run_json(ready, "request", "list")["requests"] == []
    code, _, err = hogo(ready, "request", "show", "RNOPE")
    assert code == 2 and "no request RNOPE" in err
    rid = run_json(ready, "request", "new", "--kind", "erasure", "--subject", s)["id"]
    run_json(ready, "request", "verify", rid, "--method", "id_document", "--evidence", "免許証")
    code, _, err = hogo(ready, "request", "fulfil", rid, "--value", "name")
    assert code == 2 and "not ITEM=VALUE" in err
    code, _, _ = hogo(ready, "erase", s)
    assert code == 0
    code, _, err = hogo(ready, "request", "new", "--kind", "disclosure", "--subject", s)
    assert code == 3 and "erased" in err


def test_an_agent_request(ready: dict[str, str]) -> None:
    s = collect(ready, "hanako@example.jp")
    new = run_json(
        ready, "request", "new", "--kind", "disclosure", "--subject", s,
        "--email", "yamada@lawfirm.example", "--agent", "弁護士 山田太郎",
        "--authority", "委任状", "--channel", "counter",
    )  # fmt: skip
    assert new["agent"] and new["channel"] == "counter"
    shown = run_json(ready, "request", "show", new["id"], "--actor", "auditor")
    assert shown["agent_name"] == "弁護士 山田太郎" and shown["agent_authority"] == "委任状"

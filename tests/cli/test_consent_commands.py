"""consent, consents, eligible, restrict, lift, restrictions: exit codes 0/1/2/3 and JSON."""

from __future__ import annotations

import json
import sqlite3

from tests.cli.support import hogo


def collect(env: dict[str, str], email: str) -> str:
    code, out, err = hogo(
        env, "collect", "--source", "shop", "--value", f"email={email}", "--value", "name=N"
    )
    assert code == 0, err
    return out.strip()


def use_reason(env: dict[str, str], subject: str, purpose: str) -> str:
    _, out, _ = hogo(
        env, "use", subject, "--purpose", purpose, "--items", "email", "--actor", "a", "--json"
    )
    return str(json.loads(out)["reason"])


def test_consent_grant_withdraw_and_history(ready: dict[str, str]) -> None:
    s = collect(ready, "a@example.jp")
    assert use_reason(ready, s, "newsletter") == "allowed"
    code, out, _ = hogo(ready, "consent", s, "--purpose", "newsletter", "withdraw")
    assert code == 0 and "newsletter: withdrawn" in out
    assert use_reason(ready, s, "newsletter") == "opted_out"
    code, out, _ = hogo(
        ready,
        "consent",
        s,
        "grant",
        "--purpose",
        "wellness",
        "--evidence",
        "form v3",
        "--method",
        "form",
        "--actor",
        "staff:aiko",
        "--json",
    )
    assert code == 0
    event = json.loads(out)
    assert event["ok"] and event["granted"] and event["method"] == "form"
    assert event["evidence"] == "form v3" and event["subject_id"] == s
    code, out, _ = hogo(ready, "consents", s, "--json")
    listing = json.loads(out)
    assert code == 0 and listing["current"] == {"newsletter": False, "wellness": True}
    assert [e["purpose"] for e in listing["history"]] == ["newsletter", "wellness"]
    code, out, _ = hogo(ready, "consents", s, "--purpose", "wellness")
    assert code == 0 and "wellness" in out and "form v3" in out and "newsletter" not in out
    other = collect(ready, "b@example.jp")
    code, out, _ = hogo(ready, "consents", other)
    assert code == 0 and "no consent recorded" in out


def test_consent_bad_input_exits_2(ready: dict[str, str]) -> None:
    s = collect(ready, "a@example.jp")
    code, _, err = hogo(ready, "consent", s, "--purpose", "orders", "grant")
    assert code == 2 and "is announced" in err
    code, out, _ = hogo(ready, "consent", s, "--purpose", "nope", "grant", "--json")
    assert code == 2 and json.loads(out) == {
        "ok": False,
        "error": "bad_input",
        "message": json.loads(out)["message"],
    }
    assert "unknown purpose 'nope'" in json.loads(out)["message"]
    code, _, err = hogo(ready, "consent", s, "--purpose", "wellness", "grant", "--method", "fax")
    assert code == 2 and "unknown method" in err
    code, _, _ = hogo(ready, "consent", s, "--purpose", "wellness", "maybe")
    assert code == 2
    code, _, err = hogo(ready, "consent", "0" * 32, "--purpose", "wellness", "grant")
    assert code == 2 and "not_found" in err
    code, out, _ = hogo(ready, "consents", s, "--json")
    assert json.loads(out)["history"] == []


def test_eligible_lists_and_counts(ready: dict[str, str]) -> None:
    a = collect(ready, "a@example.jp")
    b = collect(ready, "b@example.jp")
    assert hogo(ready, "consent", b, "--purpose", "newsletter", "withdraw")[0] == 0
    code, out, _ = hogo(ready, "eligible", "--purpose", "newsletter")
    assert code == 0 and out.split() == [a]
    code, out, _ = hogo(ready, "eligible", "--purpose", "orders", "--count")
    assert code == 0 and out.strip() == "2"
    code, out, _ = hogo(ready, "eligible", "--purpose", "orders", "--limit", "1", "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] and data["subject_ids"] == [min(a, b)] and data["count"] == 1
    assert data["requires"] == "announced"
    code, out, _ = hogo(ready, "eligible", "--purpose", "wellness")
    assert code == 0 and out == ""
    code, out, _ = hogo(ready, "eligible", "--purpose", "wellness", "--count", "--json")
    assert json.loads(out)["count"] == 0 and "subject_ids" not in json.loads(out)
    code, _, err = hogo(ready, "eligible", "--purpose", "nope")
    assert code == 2 and "unknown purpose" in err
    code, _, _ = hogo(ready, "eligible", "--purpose", "orders", "--limit", "0")
    assert code == 2


def test_restrict_lift_and_list(ready: dict[str, str]) -> None:
    s = collect(ready, "a@example.jp")
    code, out, _ = hogo(
        ready,
        "restrict",
        s,
        "--scope",
        "use",
        "--purpose",
        "newsletter",
        "--reason",
        "本人の請求",
        "--origin",
        "request",
    )
    assert code == 0
    first = int(out.strip())
    assert use_reason(ready, s, "newsletter") == "use_suspended"
    assert use_reason(ready, s, "orders") == "allowed"
    code, out, _ = hogo(
        ready,
        "restrict",
        s,
        "--scope",
        "provision",
        "--reason",
        "hold",
        "--origin",
        "legal_hold",
        "--actor",
        "officer:ito",
        "--json",
    )
    second = json.loads(out)
    assert code == 0 and second["scope"] == "provision" and second["purpose"] is None
    code, out, _ = hogo(ready, "restrictions", s)
    assert code == 0 and "use of newsletter" in out and "provision of every purpose" in out
    code, out, _ = hogo(ready, "lift", str(first), "--reason", "request withdrawn")
    assert code == 0 and "lifted" in out
    assert use_reason(ready, s, "newsletter") == "allowed"
    code, out, _ = hogo(ready, "restrictions", s, "--json")
    assert [r["id"] for r in json.loads(out)["restrictions"]] == [second["id"]]
    code, out, _ = hogo(ready, "restrictions", s, "--all", "--json")
    listed = json.loads(out)["restrictions"]
    assert [r["active"] for r in listed] == [False, True]
    assert listed[0]["lift_reason"] == "request withdrawn"
    code, out, _ = hogo(ready, "lift", str(second["id"]), "--reason", "done", "--json")
    assert code == 0 and json.loads(out)["active"] is False
    code, out, _ = hogo(ready, "restrictions", s)
    assert code == 0 and "no active restriction" in out


def test_restriction_bad_input_exits_2(ready: dict[str, str]) -> None:
    s = collect(ready, "a@example.jp")
    base = ["restrict", s, "--reason", "r", "--origin", "request"]
    code, _, err = hogo(ready, *base, "--scope", "erase")
    assert code == 2 and "unknown scope" in err
    code, _, err = hogo(ready, *base, "--scope", "use", "--purpose", "nope")
    assert code == 2 and "unknown purpose" in err
    code, _, err = hogo(ready, "restrict", s, "--scope", "use", "--reason", "r", "--origin", "x")
    assert code == 2 and "unknown origin" in err
    code, _, err = hogo(
        ready, "restrict", s, "--scope", "use", "--reason", "", "--origin", "request"
    )
    assert code == 2 and "reason is required" in err
    code, out, _ = hogo(ready, "restrictions", s, "--all", "--json")
    assert json.loads(out)["restrictions"] == []
    code, out, _ = hogo(ready, "lift", "42", "--reason", "r", "--json")
    assert code == 2 and json.loads(out)["error"] == "not_found"
    code, _, _ = hogo(ready, "lift", "abc", "--reason", "r")
    assert code == 2
    code, _, err = hogo(ready, "restrictions", "0" * 32)
    assert code == 2 and "no subject" in err


def test_before_setup_the_commands_say_what_to_do(env: dict[str, str]) -> None:
    code, _, err = hogo(env, "eligible", "--purpose", "orders")
    assert code == 1 and "hogo db upgrade" in err
    assert hogo(env, "db", "upgrade")[0] == 0
    code, out, _ = hogo(env, "eligible", "--purpose", "orders", "--json")
    assert code == 1 and "hogo policy publish" in json.loads(out)["message"]


def test_consent_and_restriction_of_an_erased_subject_exit_3(ready: dict[str, str]) -> None:
    s = collect(ready, "a@example.jp")
    path = ready["HOGO_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:  # what erasure leaves (the erase command is elsewhere)
        conn.execute("update subjects set erased_at = '2026-11-24 10:00:00' where id = ?", (s,))
    code, _, err = hogo(ready, "consent", s, "--purpose", "wellness", "grant")
    assert code == 3 and "erased" in err
    code, out, _ = hogo(
        ready, "restrict", s, "--scope", "use", "--reason", "r", "--origin", "request", "--json"
    )
    assert code == 3 and json.loads(out)["error"] == "erased"

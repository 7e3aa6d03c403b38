"""hogo incident new|update|scope|show|list|report|notify|close: exit codes and JSON."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.support import hogo


def collect(env: dict[str, str], n: int, *extra: str) -> str:
    code, out, err = hogo(
        env,
        "collect",
        "--source",
        "shop",
        "--value",
        f"email=p{n}@example.jp",
        "--value",
        f"name=顧客{n}",
        *extra,
    )
    assert code == 0, err
    return out.strip()


def new(env: dict[str, str], *extra: str) -> dict[str, object]:
    code, out, err = hogo(
        env,
        "incident",
        "new",
        "--known-at",
        "2026-11-20",
        "--summary",
        "顧客管理システムへの不正アクセス",
        "--json",
        *extra,
    )
    assert code == 0, err
    result: dict[str, object] = json.loads(out)
    return result


def run_json(env: dict[str, str], *args: str) -> dict[str, object]:
    code, out, err = hogo(env, "incident", *args, "--json")
    assert code == 0, err + out
    result: dict[str, object] = json.loads(out)
    return result


def rows(env: dict[str, str], table: str) -> int:
    path = env["HOGO_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        count: int = db.execute(f"select count(*) from {table}").fetchone()[0]
    return count


def test_new_prints_the_deadlines_moved_past_the_holiday(ready: dict[str, str]) -> None:
    opened = new(ready)
    # Known Friday 20 Nov 2026: day 3 is Sunday 22, Monday 23 is a national holiday.
    assert opened["preliminary_due"] == "2026-11-24" and opened["final_due"] == "2026-12-21"
    unlawful = new(
        ready, "--unlawful-purpose", "--vendor", "courier", "--occurred-at", "2026-11-18"
    )
    assert unlawful["final_due"] == "2027-01-18" and unlawful["vendor"] == "courier"
    code, out, _ = hogo(ready, "incident", "new", "--known-at", "2026-11-20", "--summary", "x")
    assert code == 0 and "opened incident #3" in out and "preliminary report due 2026-11-24" in out


def test_the_whole_course_of_an_incident(ready: dict[str, str], tmp_path: Path) -> None:
    collect(ready, 1, "--value", "health=要再検査", "--consent", "wellness=yes")
    collect(ready, 2)
    incident = str(new(ready)["id"])
    scoped = run_json(ready, "scope", incident, "--items", "health,email")
    assert (scoped["found"], scoped["added"], scoped["people"]) == (2, 2, 2)
    again = run_json(ready, "scope", incident, "--items", "health,email")
    assert (again["added"], again["unchanged"]) == (0, 2)

    shown = run_json(ready, "show", incident, "--today", "2026-11-20")
    assert shown["report_required"] and [t["trigger"] for t in shown["triggers"]] == [  # type: ignore[union-attr]
        "special_care"
    ]
    deadlines = shown["deadlines"]
    assert deadlines["preliminary"]["days_left"] == 4  # type: ignore[index]
    assert shown["scope"]["people"] == 2  # type: ignore[index]
    code, out, _ = hogo(ready, "incident", "show", incident, "--today", "2026-11-25")
    assert code == 0 and "report required" in out and "1 day overdue" in out
    assert "health check results: 1 [special care]" in out
    code, out, _ = hogo(
        ready, "incident", "show", incident, "--lang", "ja", "--today", "2026-11-20"
    )
    assert "残り4日" in out and "規則第7条第1号" in out

    updated = run_json(
        ready, "update", incident, "--cause", "VPN機器の脆弱性", "--unlawful-purpose"
    )
    assert updated["cause"] == "VPN機器の脆弱性" and updated["final_due"] == "2027-01-18"

    code, out, _ = hogo(
        ready, "incident", "report", incident, "--kind", "preliminary", "--lang", "ja"
    )
    assert code == 0 and "# 【下書き】個人データの漏えい等に関する報告書（速報）" in out
    assert "## 4. 原因\n\nVPN機器の脆弱性" in out and "株式会社フル" in out
    page = tmp_path / "final.html"
    drafted = run_json(
        ready,
        "report",
        incident,
        "--kind",
        "final",
        "--lang",
        "en",
        "--format",
        "html",
        "-o",
        str(page),
    )
    assert drafted["file"] == str(page) and "secondary_damage" in drafted["under_investigation"]  # type: ignore[operator]
    assert page.read_text("utf-8").startswith("<!doctype html>")

    notified = run_json(ready, "notify", incident)
    assert (notified["queued"], notified["unreachable"]) == (2, 0)
    assert run_json(ready, "notify", incident)["queued"] == 0
    assert rows(ready, "outbox") == 2

    listed = run_json(ready, "list")
    assert [i["id"] for i in listed["incidents"]] == [int(incident)]  # type: ignore[union-attr]
    closed = run_json(ready, "close", incident)
    assert closed["state"] == "closed"
    code, out, _ = hogo(ready, "incident", "update", incident, "--cause", "x", "--json")
    assert code == 3 and json.loads(out)["error"] == "closed"
    code, out, _ = hogo(ready, "incident", "list", "--state", "open")
    assert code == 0 and "no incidents" in out


def test_scope_by_source_and_by_an_actors_accesses(ready: dict[str, str]) -> None:
    first = collect(ready, 1)
    collect(ready, 2)
    code, _, err = hogo(
        ready, "use", first, "--purpose", "orders", "--items", "name", "--actor", "support:aiko"
    )
    assert code == 0, err
    incident = str(new(ready)["id"])
    by_access = run_json(
        ready,
        "scope",
        incident,
        "--actor",
        "support:aiko",
        "--from",
        "2000-01-01T00:00+09:00",
        "--to",
        "2100-01-01T00:00Z",
    )
    assert (by_access["found"], by_access["people"]) == (1, 1)
    by_source = run_json(ready, "scope", incident, "--source", "shop")
    assert (by_source["added"], by_source["widened"], by_source["people"]) == (1, 1, 2)


def test_bad_input_exits_2_and_writes_nothing(ready: dict[str, str]) -> None:
    incident = str(new(ready)["id"])
    before = (rows(ready, "incidents"), rows(ready, "incident_events"), rows(ready, "audit"))
    cases = [
        ("new", "--known-at", "2999-01-01", "--summary", "x"),
        ("new", "--known-at", "20-11-2026", "--summary", "x"),
        ("new", "--known-at", "2026-11-20", "--summary", "x", "--vendor", "nobody"),
        ("scope", incident),
        ("scope", incident, "--items", "name", "--source", "shop"),
        ("scope", incident, "--actor", "a"),
        ("scope", incident, "--items", "name", "--from", "2026-11-20T00:00Z"),
        ("scope", incident, "--items", "shoe_size"),
        (
            "scope",
            incident,
            "--actor",
            "a",
            "--from",
            "2026-11-20T00:00",
            "--to",
            "2026-11-21T00:00",
        ),
        ("scope", "99", "--items", "name"),
        ("update", incident),
        ("update", incident, "--final-filed", "2026-11-01"),
        ("report", incident, "--kind", "interim", "--lang", "ja"),
        ("show", "abc"),
    ]
    for args in cases:
        code, _, _ = hogo(ready, "incident", *args)
        assert code == 2, args
    code, out, _ = hogo(ready, "incident", "scope", incident, "--json")
    assert json.loads(out)["error"] == "bad_input"
    code, out, _ = hogo(ready, "incident", "notify", incident, "--json")
    assert code == 3 and json.loads(out)["error"] == "empty_scope"
    after = (rows(ready, "incidents"), rows(ready, "incident_events"), rows(ready, "audit"))
    assert after == before

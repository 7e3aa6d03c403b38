"""hogo anonymize (from the ledger), hogo anonymized list/show/provide, and hogo render
announcing what was made."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from hogo.config import Settings
from hogo.services.ledger import open_ledger
from tests.cli.support import hogo
from tests.conftest import FIXTURES
from tests.services.anonymized_support import RELEASED, anonymizing, shoppers


def rows(env: dict[str, str], table: str) -> int:
    path = env["HOGO_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"select count(*) from {table}").fetchone()[0])


def _policy(tmp_path: Path, *changes: Any) -> Path:
    data = yaml.safe_load((FIXTURES / "full.yaml").read_text("utf-8"))
    anonymizing(data)
    for change in changes:
        change(data)
    path = tmp_path / "anonymizing.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture
def shop(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """A ledger in force with the anonymising policy and 80 shoppers."""
    policy = _policy(tmp_path)
    assert hogo(env, "db", "upgrade")[0] == 0
    code, _, err = hogo(
        env, "policy", "publish", str(policy), "--effective", "2026-01-01", "--allow-errors"
    )
    assert code == 0, err
    settings = Settings(database_url=env["HOGO_DATABASE_URL"], key_file=Path(env["HOGO_KEY_FILE"]))
    ledger = open_ledger(settings)
    try:
        shoppers(ledger, 80)
    finally:
        ledger.close()
    return {**env, "HOGO_POLICY": str(policy)}


def _anonymize(env: dict[str, str], output: Path, *extra: str) -> tuple[int, str, str]:
    return hogo(
        env,
        "anonymize",
        "--dataset",
        "shoppers",
        "--purpose",
        "research",
        "--items",
        ",".join(RELEASED),
        "--quasi",
        "birth_date,gender,postal_code",
        "--sensitive",
        "spend",
        "--k",
        "5",
        "--max-suppression",
        "0.1",
        "-o",
        str(output),
        *extra,
    )


def test_anonymize_then_the_rendered_policy_lists_items_and_date(
    shop: dict[str, str], tmp_path: Path
) -> None:
    output = tmp_path / "shoppers.csv"
    code, out, err = _anonymize(shop, output)
    assert code == 0, err
    assert f"written to {output}" in err and "creation #1 of dataset shoppers recorded" in err
    assert "k = " in err and "information loss (NCP)" in err and "re-identification" in err
    assert "age5" not in out + err and "level" not in out + err  # the method is not printed
    with output.open(encoding="utf-8", newline="") as handle:
        released = list(csv.DictReader(handle))
    assert released and list(released[0]) == RELEASED
    code, out, _ = hogo(shop, "anonymized", "list", "--json")
    (made,) = json.loads(out)["creations"]
    day = made["created_on"]
    year, month, date_of_month = (int(p) for p in day.split("-"))
    policy = shop["HOGO_POLICY"]
    db = shop["HOGO_DATABASE_URL"]
    code, ja, err = hogo(shop, "render", policy, "--format", "md", "--db", db)
    assert code == 0, err
    assert (
        f"- 作成日：{year}年{month}月{date_of_month}日\n  - 含まれる項目：生年月日、性別、郵便番号、年間購入金額"
        in ja
    )
    code, en, _ = hogo(shop, "render", policy, "--format", "md", "--lang", "en", "--db", db)
    assert (
        code == 0
        and "Items it contains: date of birth, gender, postal code and yearly spending" in en
    )
    # Without --db, the configured ledger ($HOGO_DATABASE_URL) is read all the same.
    code, html, _ = hogo(shop, "render", policy, "--lang", "en")
    assert code == 0 and "date of birth, gender, postal code and yearly spending" in html
    code, alone, _ = hogo(shop, "render", policy, "--format", "md", "--no-db")
    assert code == 0 and "含まれる項目" not in alone
    site = tmp_path / "site"
    code, _, _ = hogo(shop, "render", policy, "--site", str(site))
    assert code == 0
    assert "年間購入金額" in (site / "ja" / "privacy-policy.md").read_text("utf-8")


def test_render_refuses_a_ledger_that_is_not_there(env: dict[str, str], tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    code, _, err = hogo(env, "render", str(FIXTURES / "full.yaml"), "--db", missing)
    assert code == 2 and "no ledger at" in err
    assert not (tmp_path / "none.db").exists()
    code, _, err = hogo(env, "render", str(FIXTURES / "full.yaml"), "--db", missing, "--no-db")
    assert code == 2 and "not both" in err
    # Configured but never created: nothing to announce, the file renders alone.
    code, _, _ = hogo(env, "render", str(FIXTURES / "full.yaml"), "--format", "md")
    assert code == 0


def test_render_refuses_a_ledger_that_needs_migrating(env: dict[str, str]) -> None:
    path = env["HOGO_DATABASE_URL"].removeprefix("sqlite:///")
    sqlite3.connect(path).close()
    code, _, err = hogo(env, "render", str(FIXTURES / "full.yaml"))
    assert code == 1 and "hogo db upgrade" in err


def test_a_failed_run_leaves_no_file_and_no_record(shop: dict[str, str], tmp_path: Path) -> None:
    output = tmp_path / "none.csv"
    code, _, err = _anonymize(shop, output, "--k", "1000", "--max-suppression", "0")
    assert code == 1 and "no_solution" in err
    assert not output.exists() and rows(shop, "anonymized_creations") == 0
    code, _, err = _anonymize(shop, output, "--items", "birth_date,gender,postal_code,spend,name")
    assert code == 3 and "identifier_item" in err and not output.exists()
    code, out, _ = _anonymize(shop, output, "--k", "1", "--json")
    assert code == 2 and json.loads(out)["error"] == "bad_input"
    code, _, err = _anonymize(shop, output, "--drop", "name")
    assert code == 2 and "are for --input" in err
    assert rows(shop, "anonymized_creations") == 0


def test_the_report_in_japanese(shop: dict[str, str], tmp_path: Path) -> None:
    code, _, err = _anonymize(shop, tmp_path / "ja.csv", "--lang", "ja")
    assert code == 0 and "作成 #1 を記録しました" in err and "再識別リスク" in err
    code, out, _ = _anonymize(shop, tmp_path / "again.csv", "--json", "--actor", "officer:ito")
    assert code == 0 and json.loads(out)["creation_id"] == 2


def test_list_show_and_the_method_read(shop: dict[str, str], tmp_path: Path) -> None:
    assert _anonymize(shop, tmp_path / "a.csv")[0] == 0
    code, out, _ = hogo(shop, "anonymized", "list")
    assert code == 0 and "#1  " in out and "shoppers" in out and "k=" in out
    code, out, _ = hogo(shop, "anonymized", "show", "1")
    assert code == 0 and "re-identification risk" in out and "processing method" not in out
    code, out, _ = hogo(shop, "anonymized", "show", "1", "--method")
    assert code == 0 and "processing method" in out and '"age5"' in out
    code, out, _ = hogo(shop, "anonymized", "show", "1", "--method", "--json")
    assert json.loads(out)["method"]["quasi"]["postal_code"]["released_from_level"] == 1
    code, _, err = hogo(shop, "anonymized", "show", "1", "--method", "--actor", "analyst:ito")
    assert code == 3 and "may not read the processing method" in err
    code, _, err = hogo(shop, "anonymized", "show", "7")
    assert code == 2 and "no anonymised dataset creation #7" in err
    assert rows(shop, "audit") > 0


def test_provide_prints_or_writes_the_notice(shop: dict[str, str], tmp_path: Path) -> None:
    assert _anonymize(shop, tmp_path / "a.csv")[0] == 0
    code, out, err = hogo(
        shop, "anonymized", "provide", "1", "--to", "東都大学", "--method", "SFTP"
    )
    assert code == 0, err
    assert out.startswith("【株式会社フル】匿名加工情報の提供について") and "東都大学 御中" in out
    notice = tmp_path / "notices" / "en.txt"
    code, out, _ = hogo(
        shop, "anonymized", "provide", "1", "--to", "Toto University", "--lang", "en",
        "-o", str(notice),
    )  # fmt: skip
    assert code == 0 and "provision #2 recorded; notice written to" in out
    assert "anonymously processed information" in notice.read_text("utf-8")
    code, out, _ = hogo(shop, "anonymized", "list")
    assert "provided #1 on" in out and "to 東都大学 (SFTP)" in out and "provided #2" in out
    code, _, err = hogo(shop, "anonymized", "provide", "1", "--to", "X", "-o", str(notice))
    assert code == 2 and "cannot write the notice" in err
    assert rows(shop, "anonymized_provisions") == 2


def test_provide_refused_when_the_policy_does_not_announce_it(
    shop: dict[str, str], tmp_path: Path
) -> None:
    assert _anonymize(shop, tmp_path / "a.csv")[0] == 0

    def unannounced(data: dict[str, Any]) -> None:
        data["anonymized"][0]["provided_to"] = []
        data["policy"]["version"] = "2"

    later = _policy(tmp_path, unannounced)
    code, _, err = hogo(
        shop, "policy", "publish", str(later), "--effective", "2026-02-01", "--allow-errors"
    )
    assert code == 0, err
    notice = tmp_path / "refused.txt"
    code, _, err = hogo(shop, "anonymized", "provide", "1", "--to", "X", "-o", str(notice))
    assert code == 3 and "provision_not_announced" in err
    assert not notice.exists() and rows(shop, "anonymized_provisions") == 0


def test_local_recoding_from_the_ledger(shop: dict[str, str], tmp_path: Path) -> None:
    """--recoding local reaches the ledger path: classes generalized one by one, k holds,
    the method records the mode (and no global levels)."""
    output = tmp_path / "local.csv"
    code, out, err = _anonymize(shop, output, "--recoding", "local", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["k"] >= 5 and report["suppressed"] == 0
    with output.open(encoding="utf-8", newline="") as file:
        released = list(csv.DictReader(file))
    classes: dict[tuple[str, ...], int] = {}
    for row in released:
        key = (row["birth_date"], row["gender"], row["postal_code"])
        classes[key] = classes.get(key, 0) + 1
    assert min(classes.values()) >= 5 and len(classes) == report["classes"]
    code, out, _ = hogo(shop, "anonymized", "show", "1", "--method", "--json")
    assert code == 0 and json.loads(out)["method"]["recoding"] == "local"

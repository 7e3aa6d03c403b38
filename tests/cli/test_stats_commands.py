"""hogo stats: the table with what was hidden, CSV and JSON, and the refusals' exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hogo.config import Settings
from hogo.services.consent import record_consent
from hogo.services.ledger import open_ledger
from tests.cli.support import hogo
from tests.services.statistics_support import born, people, publish_research

ANALYST = ("--actor", "analyst:hanako")


@pytest.fixture
def counted(ready: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The research policy in force and 35 people: 12 in their thirties in Tokyo, 3 in
    Osaka, 8 in their forties in Tokyo, 11 in Osaka, and one who opted out."""
    settings = Settings(
        database_url=ready["HOGO_DATABASE_URL"], key_file=Path(ready["HOGO_KEY_FILE"])
    )
    ledger = open_ledger(settings)
    try:
        publish_research(ledger, tmp_path)
        rows = []
        for age, address, n in (
            (33, "東京都港区芝公園4-2-8", 12),
            (35, "大阪府大阪市北区梅田1-1-1", 3),
            (44, "東京都千代田区千代田1-1", 8),
            (47, "大阪府大阪市中央区本町1-1", 11),
            (52, "北海道札幌市中央区", 1),
        ):
            rows += [{"birth_date": born(age, ledger.today()), "address": address}] * n
        ids = people(ledger, rows)
        record_consent(ledger, ids[-1], purpose="research", granted=False, actor="portal")
    finally:
        ledger.close()
    return ready


def test_the_table_shows_what_was_hidden_and_why(counted: dict[str, str]) -> None:
    code, out, _ = hogo(
        counted, "stats", "--purpose", "research", "--by", "birth_date:age10",
        "--by", "address:prefecture", "--min-cell", "10", "--lang", "en", *ANALYST,
    )  # fmt: skip
    assert code == 0, out
    assert "Statistics for the purpose “research”" in out
    assert "published release: buying_by_region" in out
    assert "Tokyo" in out and "Osaka" in out
    rows = {
        cells[0]: cells[1:]
        for line in out.splitlines()
        if "│" in line
        for cells in [[c.strip() for c in line.split("│")[1:-1]]]
    }
    assert rows["30-39"] == ["(*)", "*", "15"]  # 3 in Osaka: primary; Tokyo: its complement
    assert rows["40-49"] == ["*", "(*)", "19"]
    assert rows["Total"] == ["20", "14", "34"]
    assert "*   fewer than 10 people" in out
    assert "(*) hidden as well, so that no * can be worked out from the totals" in out
    assert "figures hidden: 4" in out
    assert "left out by the purpose check: opted out 1" in out


def test_japanese_headings_by_default(counted: dict[str, str]) -> None:
    code, out, _ = hogo(
        counted, "stats", "--purpose", "research", "--by", "address:region", *ANALYST
    )
    assert code == 0
    assert "利用目的「research」の統計（住所（地方）、5人未満は秘匿）" in out
    assert "関東" in out and "近畿" in out and "計" in out
    assert "利用目的の確認により除外: オプトアウト 1" in out
    assert "公表しないでください" in out


def test_csv_and_json(counted: dict[str, str]) -> None:
    code, out, _ = hogo(
        counted, "stats", "--purpose", "research", "--by", "birth_date:age10,address:prefecture",
        "--min-cell", "10", "--format", "csv", "--lang", "en", *ANALYST,
    )  # fmt: skip
    assert code == 0
    assert out.startswith("\ufeffdate of birth (age in 10-year bands),address (prefecture),people,")
    assert "30-39,Osaka,,*" in out and "Total,Total,34," in out
    code, out, _ = hogo(
        counted, "stats", "--purpose", "research", "--by", "birth_date:age10,address:prefecture",
        "--min-cell", "10", "--format", "json", *ANALYST,
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["ok"] is True
    table = data["statistics"]
    assert table["min_cell"] == 10 and table["release"] == "buying_by_region"
    assert {"key": ["30-39", "大阪府"], "reason": "primary"} in table["suppressed"]
    assert {"key": ["30-39", "東京都"], "reason": "complementary"} in table["suppressed"]
    assert {"key": [None, None], "count": 34} in table["totals"]
    assert {"key": ["30-39", "東京都"], "count": None} in table["cells"]
    assert data["run"]["excluded"] == {"opted_out": 1}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--purpose", "statistics", "--by", "address:region"], 3, "purpose_unknown"),
        (["--purpose", "research", "--by", "name"], 3, "item_not_mapped"),
        (
            ["--purpose", "research", "--by", "address:region", "--min-cell", "4"],
            3,
            "min_cell_below_promise",
        ),
        (["--purpose", "research", "--by", "address:nope"], 2, "no generalization 'nope'"),
        (["--purpose", "research", "--by", "address", "--format", "xml"], 2, "--format 'xml'"),
        (["--purpose", "research", "--by", "address", "--lang", "fr"], 2, "--lang 'fr'"),
        (["--purpose", "research", "--by", "address", "--count", "people"], 2, "--count"),
    ],
)
def test_refusals_and_bad_input_exit_3_and_2(
    counted: dict[str, str], args: list[str], code: int, message: str
) -> None:
    got, _, err = hogo(counted, "stats", *args, *ANALYST)
    assert got == code and message in err


def test_a_refusal_in_json(counted: dict[str, str]) -> None:
    code, out, _ = hogo(
        counted, "stats", "--purpose", "research", "--by", "address", "--actor", "sales:ken",
        "--format", "json",
    )  # fmt: skip
    assert code == 3
    assert json.loads(out)["error"] == "actor_not_allowed"

"""hogo anonymize --input FILE.csv: the released file, the report, and bad input refused whole."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from hogo.services import anonymize_csv
from tests.cli.support import hogo
from tests.conftest import AnonymityVerifier

HEADER = ["name", "age", "sex", "zip", "job", "disease"]


def write_people(path: Path, n: int = 400, seed: int = 5) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(n):
            w.writerow(
                [
                    f"山田{i}",
                    rng.randint(18, 90),
                    rng.choice(["M", "F"]),
                    f"{rng.randint(100, 109)}-{rng.randint(0, 9999):04d}",
                    rng.choice(["会社員", "学生", "自営業", "公務員"]),
                    rng.choice(["flu", "cold", "ulcer", "none"]),
                ]
            )


def read(path: Path) -> dict[str, list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return {name: [row[i] for row in rows[1:]] for i, name in enumerate(rows[0])}


def zip_hierarchy(path: Path, source: Path) -> None:
    codes = sorted(set(read(source)["zip"]))
    path.write_text(
        "\n".join(f"{c};{c[:3]}-****;{c[:2]}*-****" for c in codes) + "\n", encoding="utf-8"
    )


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    write_people(path)
    return path


def test_releases_a_k_anonymous_file_without_the_method(
    tmp_path: Path, people: Path, pycanon: AnonymityVerifier
) -> None:
    out = tmp_path / "out.csv"
    zips = tmp_path / "zip.csv"
    zip_hierarchy(zips, people)
    code, stdout, _ = hogo(
        {},
        "anonymize",
        "--input",
        str(people),
        "--quasi",
        "age,sex,zip",
        "--sensitive",
        "disease",
        "--k",
        "5",
        "--l",
        "2",
        "--max-suppression",
        "0.02",
        "--hierarchy",
        f"zip={zips}",
        "--drop",
        "name",
        "-o",
        str(out),
        "--json",
    )
    assert code == 0, stdout
    report = json.loads(stdout)
    released = read(out)
    assert list(released) == ["age", "sex", "zip", "job", "disease"]  # name dropped
    assert report["released"] == len(released["age"]) == 400 - report["suppressed"]
    assert report["suppressed"] <= 8 and report["k"] >= 5 and report["l"] >= 2
    assert set(report["levels"]) == {"age", "sex", "zip"}
    assert report["hierarchies"] == {"age": "intervals", "sex": "suppress", "zip": str(zips)}
    assert all(z.endswith("-****") or z == "*" for z in released["zip"])
    # The file holds the table only: the levels (the processing method) are not in it.
    text = out.read_text("utf-8")
    assert "level" not in text and "k=" not in text and str(zips) not in text
    pycanon.verify(released, ["age", "sex", "zip"], ["disease"], k=report["k"], l=report["l"])


def test_report_goes_to_stderr_in_either_language(tmp_path: Path, people: Path) -> None:
    out = tmp_path / "out.csv"
    args = ["anonymize", "--input", str(people), "--quasi", "age,sex", "--k", "3", "-o", str(out)]
    code, stdout, stderr = hogo({}, *args, "--drop", "name")
    assert code == 0 and stdout == ""
    assert "k = " in stderr and "keep it secret, APPI Art. 43(2)" in stderr
    assert "columns dropped: name" in stderr
    code, _, stderr = hogo({}, *args, "--lang", "ja")
    assert code == 0
    assert "最小の同値クラス" in stderr and "第43条第2項" in stderr and "再識別リスク" in stderr


def test_unusual_values_are_replaced(
    tmp_path: Path, people: Path, pycanon: AnonymityVerifier
) -> None:
    out = tmp_path / "out.csv"
    code, stdout, _ = hogo(
        {},
        "anonymize",
        "--input",
        str(people),
        "--quasi",
        "sex",
        "--unusual",
        "age",
        "--drop",
        "name,zip",
        "--k",
        "2",
        "-o",
        str(out),
        "--json",
    )
    assert code == 0, stdout
    report = json.loads(stdout)
    assert report["unusual"]["age"]["method"] == "top_bottom"
    high = int(report["unusual"]["age"]["high"])
    assert max(int(a) for a in read(out)["age"]) == high
    pycanon.verify(read(out), ["sex"], [], k=report["k"], l=None)


def _fails(tmp_path: Path, source: Path, *extra: str) -> tuple[int, str]:
    out = tmp_path / "out.csv"
    code, stdout, stderr = hogo(
        {},
        "anonymize",
        "--input",
        str(source),
        "--quasi",
        "age,sex",
        "--k",
        "2",
        "-o",
        str(out),
        *extra,
    )
    assert not out.exists(), "a failure must leave no output file"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    return code, stdout + stderr


def test_invalid_utf8_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "sjis.csv"
    source.write_bytes("age,sex\n30,男\n".encode("shift_jis"))
    code, text = _fails(tmp_path, source)
    assert code == 2 and "is not valid UTF-8" in text


def test_ragged_rows_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "ragged.csv"
    source.write_text("age,sex\n30,M\n40\n", encoding="utf-8")
    code, text = _fails(tmp_path, source)
    assert code == 2 and "row 3 has 1 fields; the header has 2" in text


def test_a_missing_column_is_refused(tmp_path: Path, people: Path) -> None:
    code, text = _fails(tmp_path, people, "--sensitive", "salary")
    assert code == 2 and "--sensitive: the file has no column 'salary'" in text


def test_an_oversized_file_is_refused(
    tmp_path: Path, people: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(anonymize_csv, "MAX_INPUT_BYTES", 100)
    code, text = _fails(tmp_path, people)
    assert code == 2 and "at most 100 are accepted" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("age,sex\n", "has a header but no rows"),
        ("age,age\n1,2\n", "names the column 'age' twice"),
        ("age,\n1,2\n", "column 2 of the header has no name"),
    ],
)
def test_malformed_tables_are_refused(tmp_path: Path, content: str, message: str) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(content, encoding="utf-8")
    code, text = _fails(tmp_path, source)
    assert code == 2 and message in text


def test_a_hierarchy_that_does_not_nest_is_refused(tmp_path: Path, people: Path) -> None:
    bad = tmp_path / "sex.csv"
    bad.write_text("M;person;a\nF;person;b\n", encoding="utf-8")
    code, text = _fails(tmp_path, people, "--hierarchy", f"sex={bad}")
    assert code == 2 and "levels do not nest" in text and str(bad) in text


def test_a_hierarchy_that_misses_a_value_is_refused(tmp_path: Path, people: Path) -> None:
    partial = tmp_path / "sex.csv"
    partial.write_text("M;*\n", encoding="utf-8")
    code, text = _fails(tmp_path, people, "--hierarchy", f"sex={partial}")
    assert code == 2 and "column 'sex'" in text and "does not cover the value 'F'" in text


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--hierarchy", "job=x.csv"), "not in --quasi"),
        (("--hierarchy", "age"), "write it as COLUMN=FILE.csv"),
        (("--drop", "age"), "also named in --quasi"),
        (("--l", "2"), "--l needs at least one --sensitive"),
        (("--hierarchy", "age=missing.csv"), "does not exist"),
    ],
)
def test_bad_options_are_refused(
    tmp_path: Path, people: Path, extra: tuple[str, ...], message: str
) -> None:
    code, text = _fails(tmp_path, people, *extra)
    assert code == 2 and message in text


def test_no_solution_exits_1_and_writes_nothing(tmp_path: Path, people: Path) -> None:
    code, text = _fails(tmp_path, people, "--k", "500")
    assert code == 1 and "no_solution" in text and "400 rows, fewer than k = 500" in text


def test_the_output_must_not_be_the_input(tmp_path: Path, people: Path) -> None:
    before = people.read_bytes()
    code, _, stderr = hogo(
        {}, "anonymize", "--input", str(people), "--quasi", "age", "--k", "2", "-o", str(people)
    )
    assert code == 2 and "must not be the input" in stderr
    assert people.read_bytes() == before


def test_without_input_the_ledger_path_needs_a_dataset_and_a_purpose(tmp_path: Path) -> None:
    code, stdout, _ = hogo(
        {}, "anonymize", "--purpose", "stats", "--items", "age", "--k", "5",
        "-o", str(tmp_path / "o.csv"), "--json",
    )  # fmt: skip
    assert code == 2
    assert json.loads(stdout)["message"].startswith("give --input FILE.csv, or --dataset")


def test_purpose_and_input_together_are_refused(tmp_path: Path, people: Path) -> None:
    code, text = _fails(tmp_path, people, "--purpose", "stats")
    assert code == 2 and "give one or the other" in text


def test_local_recoding_releases_ranges_class_by_class(
    tmp_path: Path, people: Path, pycanon: AnonymityVerifier
) -> None:
    out = tmp_path / "out.csv"
    args = ["anonymize", "--input", str(people), "--quasi", "age,sex,job", "--k", "5"]
    args += ["--sensitive", "disease", "--drop", "name", "-o", str(out)]
    code, stdout, _ = hogo({}, *args, "--recoding", "local", "--json")
    assert code == 0, stdout
    report = json.loads(stdout)
    assert report["recoding"] == "local" and report["levels"] == {}
    assert report["suppressed"] == 0 and report["k"] >= 5
    released = read(out)
    assert any("-" in age for age in released["age"])  # ranges "lo-hi", class by class
    pycanon.verify(released, ["age", "sex", "job"], ["disease"], k=report["k"], l=report["l"])
    code, global_out, _ = hogo({}, *args, "--json")
    assert code == 0 and json.loads(global_out)["loss"] > report["loss"]
    code, _, stderr = hogo({}, *args, "--recoding", "local", "--lang", "ja")
    assert code == 0 and "ローカル再符号化" in stderr and "探索" not in stderr
    code, _, stderr = hogo({}, *args, "--recoding", "sideways")
    assert code == 2

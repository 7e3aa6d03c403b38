"""The CSV path's file handling: atomic writes, and the table read back as given."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hogo.services import anonymize_csv
from hogo.services.anonymize_csv import read_table, write_table
from hogo.services.errors import BadInput


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("before\n", encoding="utf-8")

    class Broken:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def writerow(self, row: object) -> None:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(anonymize_csv.csv, "writer", Broken)
    with pytest.raises(OSError, match="No space left"):
        write_table(out, {"a": ["1"]})
    assert out.read_text("utf-8") == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_write_then_read_keeps_quotes_commas_and_newlines(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    columns = {"a": ['x, "y"', "改行\nあり"], "b": ["", "*"]}
    write_table(out, columns)
    assert read_table(out) == columns


def test_a_bom_is_ignored(tmp_path: Path) -> None:
    source = tmp_path / "bom.csv"
    source.write_bytes("\ufeffage,sex\n30,M\n".encode())
    assert read_table(source) == {"age": ["30"], "sex": ["M"]}


def test_a_missing_output_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="does not exist"):
        write_table(tmp_path / "nope" / "out.csv", {"a": ["1"]})


def test_an_oversized_field_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(anonymize_csv, "MAX_FIELD_CHARS", 10)
    source = tmp_path / "wide.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["a"], ["x" * 50]])
    with pytest.raises(BadInput, match="not a well-formed CSV file"):
        read_table(source)

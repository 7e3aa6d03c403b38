"""Anonymizing a CSV file: data that is not in the ledger, and how the engine is benchmarked.

The file is read whole and checked first (UTF-8, a header of distinct names, every row as
wide as the header, a size limit), then the chosen columns are dropped, unusual values
replaced (個人情報保護法施行規則 Art. 34(iv)), and the quasi-identifiers generalized
until the table is k-anonymous (Art. 34(i), (v)). The released file holds the table only:
the hierarchy levels chosen are the processing method, which APPI Art. 43(2) keeps secret,
so they go to the operator's report and never into the file. The file is written to a
temporary name beside the target and renamed, so a failure leaves no output behind.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hogo.domain.anonymity import (
    Anonymization,
    Hierarchy,
    HierarchyError,
    NoSolution,
    Recoding,
    Replacement,
    anonymize,
    replace_unusual,
)
from hogo.services.errors import BadInput, HogoError

MAX_INPUT_BYTES = 256 * 1024 * 1024
"""Largest CSV file accepted (256 MiB): the table is held in memory while it is processed."""
MAX_HIERARCHY_BYTES = 16 * 1024 * 1024
MAX_FIELD_CHARS = 1_000_000


@dataclass(frozen=True)
class CsvAnonymization:
    """What was released and how: the report for the operator's terminal only."""

    result: Anonymization
    output: Path
    dropped: list[str]
    hierarchies: dict[str, str]
    """For each quasi-identifier, where its hierarchy came from (a file, intervals, "*")."""
    unusual: dict[str, Replacement]

    def report(self) -> dict[str, Any]:
        return {
            **self.result.report(),
            "output": str(self.output),
            "dropped": self.dropped,
            "hierarchies": self.hierarchies,
            "unusual": {
                name: {"method": r.method, "replaced": r.replaced, "low": r.low, "high": r.high}
                for name, r in self.unusual.items()
            },
        }


def _read_text(path: Path, limit: int, what: str) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise BadInput(f"{what} {path} does not exist") from None
    except OSError as exc:
        raise BadInput(f"{what} {path} cannot be read: {exc.strerror}") from None
    if not path.is_file():
        raise BadInput(f"{what} {path} is not a file")
    if size > limit:
        raise BadInput(f"{what} {path} is {size:,} bytes; at most {limit:,} are accepted")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"{what} {path} is not valid UTF-8 (byte {exc.start:,}); save it as UTF-8 "
            "(Excel: 'CSV UTF-8')"
        ) from None
    except OSError as exc:
        raise BadInput(f"{what} {path} cannot be read: {exc.strerror}") from None


def _parse(text: str, path: Path, *, delimiter: str = ",") -> list[list[str]]:
    previous = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD_CHARS)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [row for row in reader if row]
    except csv.Error as exc:
        raise BadInput(f"{path} is not a well-formed CSV file: {exc}") from None
    finally:
        csv.field_size_limit(previous)


def read_table(path: Path) -> dict[str, list[str]]:
    """The CSV file as columns by header name; BadInput naming the first problem."""
    rows = _parse(_read_text(path, MAX_INPUT_BYTES, "the input file"), path)
    if not rows:
        raise BadInput(f"{path} is empty: a header row is needed")
    header = [name.strip() for name in rows[0]]
    for number, name in enumerate(header, start=1):
        if not name:
            raise BadInput(f"{path}: column {number} of the header has no name")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise BadInput(f"{path}: the header names the column {name!r} twice")
        seen.add(name)
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise BadInput(
                f"{path}: row {number:,} has {len(row)} fields; the header has {len(header)}"
            )
    if len(rows) == 1:
        raise BadInput(f"{path} has a header but no rows")
    return {name: [row[i] for row in rows[1:]] for i, name in enumerate(header)}


def read_hierarchy(path: Path) -> Hierarchy:
    """An ARX hierarchy file: value;level 1;level 2;... (";" or "," between the cells)."""
    text = _read_text(path, MAX_HIERARCHY_BYTES, "the hierarchy file")
    first = text.split("\n", 1)[0]
    rows = _parse(text, path, delimiter=";" if ";" in first else ",")
    try:
        return Hierarchy.from_table(rows)
    except HierarchyError as exc:
        raise BadInput(f"hierarchy file {path}: {exc}") from None


def _is_numeric(values: Sequence[str]) -> bool:
    try:
        return all(math.isfinite(float(v)) for v in values)
    except ValueError:
        return False


def _names(option: str, names: Sequence[str], header: Sequence[str]) -> None:
    for name in names:
        if name not in header:
            known = ", ".join(header)
            raise BadInput(f"{option}: the file has no column {name!r}; it has: {known}")


def anonymize_csv(
    source: Path,
    output: Path,
    *,
    quasi: Sequence[str],
    sensitive: Sequence[str] = (),
    k: int,
    l: int | None = None,  # noqa: E741
    max_suppression: float = 0.0,
    hierarchies: Mapping[str, Path] | None = None,
    drop: Sequence[str] = (),
    unusual: Sequence[str] = (),
    recoding: Recoding = "global",
) -> CsvAnonymization:
    """Read `source`, anonymize it, write `output` (atomically), and report how it went."""
    hierarchies = dict(hierarchies or {})
    if not quasi:
        raise BadInput("--quasi: name at least one quasi-identifier column")
    if output.resolve() == source.resolve():
        raise BadInput("the output file must not be the input file")
    columns = read_table(source)
    header = list(columns)
    _names("--quasi", quasi, header)
    _names("--sensitive", sensitive, header)
    _names("--drop", drop, header)
    _names("--unusual", unusual, header)
    for option, names in (("--quasi", quasi), ("--sensitive", sensitive), ("--drop", drop)):
        if len(set(names)) != len(names):
            raise BadInput(f"{option} names a column twice")
    for name in drop:
        if name in quasi or name in sensitive:
            raise BadInput(f"--drop: {name!r} is also named in --quasi or --sensitive")
    for name in unusual:
        if name in drop:
            raise BadInput(f"--unusual: {name!r} is dropped anyway")
    for name in hierarchies:
        if name not in quasi:
            raise BadInput(f"--hierarchy is given for {name!r}, which is not in --quasi")
    if l is not None and not sensitive:
        raise BadInput("--l needs at least one --sensitive column")

    kept = {name: cells for name, cells in columns.items() if name not in drop}
    replaced: dict[str, Replacement] = {}
    for name in unusual:
        # 個人情報保護法施行規則 Art. 34(iv): unusual values are replaced before release.
        replaced[name] = replace_unusual(kept[name], min_count=max(k, 2))
        kept[name] = replaced[name].values
    built: dict[str, Hierarchy] = {}
    origin: dict[str, str] = {}
    for name in quasi:
        try:
            if name in hierarchies:
                built[name] = read_hierarchy(hierarchies[name])
                origin[name] = str(hierarchies[name])
            elif _is_numeric(kept[name]):
                built[name] = Hierarchy.intervals(kept[name])
                origin[name] = "intervals"
            else:
                built[name] = Hierarchy.suppress_only(kept[name])
                origin[name] = "suppress"
        except HierarchyError as exc:
            raise BadInput(f"column {name!r}: {exc}") from None
    try:
        result = anonymize(
            kept,
            quasi=built,
            sensitive=sensitive,
            k=k,
            l=l,
            max_suppression=max_suppression,
            recoding=recoding,
        )
    except NoSolution as exc:
        raise HogoError(str(exc), code="no_solution") from None
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    write_table(output, result.columns)
    return CsvAnonymization(
        result=result,
        output=output,
        dropped=list(drop),
        hierarchies=origin,
        unusual=replaced,
    )


def write_table(output: Path, columns: Mapping[str, list[str]]) -> None:
    """The released table only, written beside `output` and renamed onto it when complete."""
    directory = output.parent
    if not directory.is_dir():
        raise BadInput(f"the output folder {directory} does not exist")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(list(columns))
            writer.writerows(zip(*columns.values(), strict=True))
        Path(temporary).replace(output)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()
        raise

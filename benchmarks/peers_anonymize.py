"""Runs in .venv-peers (anjana's and anonypy's own pins), never in hogo's venv.

    peers_anonymize.py TOOL K SUPPRESSION DATA.csv HIERARCHIES.json OUT.csv

Reads the table (strings), runs one tool once, writes its released rows to OUT.csv and
prints {"seconds": wall, "cpu": cpu} on stdout: the time of the anonymization call alone, data and
hierarchies being prepared before the clock starts, as for hogo.

- anjana 1.2.3: `k_anonymity(data, [], quasi, k, supp_level (percent), hierarchies)`, the
  hierarchies as anjana wants them ({column: {level: values}}), the same as hogo's.
- anonypy 0.2.1: Mondrian (`Preserver(df, quasi, sensitive).anonymize_k_anonymity(k)`),
  which takes no hierarchies and no suppression; age numeric, the rest categorical. It
  returns one row per class and sensitive value with a count; the rows are expanded back.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd


def _since(start: tuple[float, float]) -> tuple[float, float]:
    """Wall and CPU seconds since `start`."""
    return time.perf_counter() - start[0], time.process_time() - start[1]


def run_anjana(
    data: pd.DataFrame, quasi: list[str], k: int, suppression: float, tables: dict
) -> tuple[pd.DataFrame, tuple[float, float]]:
    from anjana.anonymity import k_anonymity

    hierarchies = {
        q: {level: np.array([row[level] for row in rows]) for level in range(len(rows[0]))}
        for q, rows in tables.items()
    }
    start = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):  # anjana prints progress
        released = k_anonymity(data, [], quasi, k, suppression * 100, hierarchies)
    return released, _since(start)


def run_anonypy(
    data: pd.DataFrame, quasi: list[str], sensitive: str, k: int
) -> tuple[pd.DataFrame, tuple[float, float]]:
    import anonypy

    frame = data.copy()
    for column in quasi:
        if column == "age":
            frame[column] = frame[column].astype(int)
        else:
            frame[column] = frame[column].astype("category")
    start = time.perf_counter(), time.process_time()
    rows = anonypy.Preserver(frame, quasi, sensitive).anonymize_k_anonymity(k)
    seconds = _since(start)
    expanded = [
        {c: str(_cell(row[c])) for c in [*quasi, sensitive]}
        for row in rows
        for _ in range(row["count"])
    ]
    return pd.DataFrame(expanded), seconds


def _cell(value: object) -> object:
    """anonypy wraps each aggregated cell in a one-element list."""
    return value[0] if isinstance(value, list) else value


def main() -> None:
    tool, k, suppression, data_file, hierarchy_file, out_file = sys.argv[1:7]
    data = pd.read_csv(data_file, dtype=str, keep_default_na=False)
    spec = json.loads(Path(hierarchy_file).read_text(encoding="utf-8"))
    quasi, sensitive, tables = spec["quasi"], spec["sensitive"], spec["tables"]
    if tool == "anjana":
        released, seconds = run_anjana(data, quasi, int(k), float(suppression), tables)
    elif tool == "anonypy":
        released, seconds = run_anonypy(data, quasi, sensitive, int(k))
    else:
        raise SystemExit(f"unknown tool {tool}")
    columns = [*quasi, sensitive]
    with Path(out_file).open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        if len(released):
            writer.writerows(released[columns].astype(str).itertuples(index=False, name=None))
    print(json.dumps({"seconds": seconds[0], "cpu": seconds[1]}))


if __name__ == "__main__":
    main()

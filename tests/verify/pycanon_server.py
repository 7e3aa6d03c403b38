"""Runs in .venv-verify (pycanon's own environment), never in hogo's: answers k and l.

One JSON request a line on stdin: {"columns": {name: [cells]}, "quasi": [...],
"sensitive": [...]}; one JSON answer a line on stdout: {"k": int, "l": int | null}.
pycanon is an implementation that is not ours, so its figures check hogo's report.
"""

from __future__ import annotations

import json
import sys

import pandas as pd
from pycanon import anonymity


def answer(request: dict) -> dict:
    data = pd.DataFrame(request["columns"], dtype=str)
    quasi, sensitive = request["quasi"], request["sensitive"]
    k = int(anonymity.k_anonymity(data, quasi))
    diversity = int(anonymity.l_diversity(data, quasi, sensitive)) if sensitive else None
    return {"k": k, "l": diversity}


def main() -> None:
    for line in sys.stdin:
        try:
            reply = answer(json.loads(line))
        except Exception as exc:
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

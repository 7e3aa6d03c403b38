"""How long reading, checking and rendering a policy takes, against plain YAML parsing.

Baseline: PyYAML's safe_load of the same file (C loader when available), measured in the
same run. hogo's loader does more (positions for every value, duplicate keys, limits,
validation), so the ratio says what that costs.

Run: make bench   (or .venv/bin/python benchmarks/bench_policy.py [POLICY])
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import yaml

from hogo.policy.check import check_policy
from hogo.policy.diff import diff_policies
from hogo.policy.loader import load_policy_text
from hogo.policy.render import render_html, render_markdown

ROOT = Path(__file__).resolve().parents[1]


def best_of(fn: Callable[[], object], repeat: int = 7, number: int = 20) -> float:
    """Median seconds per call over `repeat` rounds of `number` calls."""
    rounds = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples" / "showcase" / "hogo.yaml"
    text = path.read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded = load_policy_text(text, str(path))
    today = date(2026, 11, 24)

    baseline = best_of(lambda: yaml.load(text, Loader=loader))
    rows = [
        (
            "hogo load (parse + validate + references)",
            best_of(lambda: load_policy_text(text, str(path))),
        ),
        ("hogo check (37 rules)", best_of(lambda: check_policy(loaded, today=today))),
        ("hogo render ja markdown", best_of(lambda: render_markdown(loaded.policy, "ja"))),
        ("hogo render en html", best_of(lambda: render_html(loaded.policy, "en"))),
        (
            "hogo diff (policy against itself)",
            best_of(lambda: diff_policies(loaded.policy, loaded.policy)),
        ),
    ]
    lines = text.count("\n")
    print(
        f"policy: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} ({lines} lines)"
    )
    print(f"{'operation':<44} {'ms':>8} {'x baseline':>11}")
    print(
        f"{'baseline: yaml.load (' + loader.__name__ + ')':<44} {baseline * 1e3:>8.2f} {1.0:>11.1f}"
    )
    for name, seconds in rows:
        print(f"{name:<44} {seconds * 1e3:>8.2f} {seconds / baseline:>11.1f}")


if __name__ == "__main__":
    main()

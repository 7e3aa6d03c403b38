"""Bar charts drawn on the server as SVG geometry (no script): one group of bars a month.

The template draws the rectangles this computes; the numbers themselves go into a table
next to the chart for screen readers, so the SVG is a picture of that table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hogo.services.dashboard import MonthCounts

WIDTH = 640
HEIGHT = 220
TOP = 16
BOTTOM = 28
LEFT = 36


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: int
    month: str


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    top: float
    left: int
    peak: int
    bars: tuple[Bar, ...]
    labels: tuple[Label, ...]


def bar_chart(months: Sequence[MonthCounts]) -> Chart:
    """Grouped bars, one group per month and one bar per count in it, scaled to the peak."""
    series = max((len(m.counts) for m in months), default=1)
    peak = max((c for m in months for c in m.counts), default=0)
    scale_to = max(peak, 1)
    plot_w = WIDTH - LEFT - 8
    plot_h = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_h
    group = plot_w / max(len(months), 1)
    bar_w = group * 0.8 / series
    bars: list[Bar] = []
    labels: list[Label] = []
    for i, month in enumerate(months):
        start = LEFT + i * group + group * 0.1
        for s, value in enumerate(month.counts):
            h = plot_h * value / scale_to
            bars.append(
                Bar(
                    x=round(start + s * bar_w, 1),
                    y=round(baseline - h, 1),
                    width=round(bar_w - 1, 1),
                    height=round(h, 1),
                    value=value,
                    series=s,
                    month=month.month,
                )
            )
        labels.append(Label(x=round(start + series * bar_w / 2, 1), text=month.month[2:]))
    return Chart(WIDTH, HEIGHT, baseline, TOP, LEFT, peak, tuple(bars), tuple(labels))

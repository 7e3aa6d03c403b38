"""What a leak report and a leak notice must carry (PPC Rules Arts. 8 and 10).

Rules Art. 8(1) lists nine items the report to the PPC states, in the preliminary report
as far as known then and in the final report in full; the PPC's form (別記様式第一) follows
the same order. Rules Art. 10 makes the notice to the people carry items 1, 2, 4, 5 and 9.
An item not yet known is shown as under investigation, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReportKind(StrEnum):
    PRELIMINARY = "preliminary"  # 速報, Rules Art. 8(1)
    FINAL = "final"  # 確報, Rules Art. 8(2)

    def label(self, lang: str) -> str:
        if lang == "ja":
            return "速報" if self is ReportKind.PRELIMINARY else "確報"
        return "preliminary report" if self is ReportKind.PRELIMINARY else "final report"


@dataclass(frozen=True)
class ReportItem:
    number: int
    key: str
    ja: str
    en: str

    def heading(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


REPORT_ITEMS = (
    ReportItem(1, "overview", "概要", "Overview"),
    ReportItem(
        2,
        "items",
        "漏えい等が発生し、又は発生したおそれがある個人データの項目",
        "Items of personal data leaked or possibly leaked",
    ),
    ReportItem(
        3,
        "people",
        "漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
        "Number of people whose personal data leaked or possibly leaked",
    ),
    ReportItem(4, "cause", "原因", "Cause"),
    ReportItem(
        5,
        "secondary_damage",
        "二次被害又はそのおそれの有無及びその内容",
        "Secondary damage or its risk, and what it is",
    ),
    ReportItem(6, "measures", "本人への対応の実施状況", "Measures for the people affected"),
    ReportItem(7, "publication", "公表の実施状況", "Publication"),
    ReportItem(8, "prevention", "再発防止のための措置", "Measures to prevent a recurrence"),
    ReportItem(9, "other", "その他参考となる事項", "Other matters for reference"),
)
"""Rules Art. 8(1)(i)–(ix), in order."""

NOTICE_ITEMS = (1, 2, 4, 5, 9)
"""Rules Art. 10: the notice to the people carries these items of Art. 8(1)."""

UNDER_INVESTIGATION = {"ja": "調査中", "en": "Under investigation"}


def report_item(number: int) -> ReportItem:
    return REPORT_ITEMS[number - 1]


def notice_items() -> tuple[ReportItem, ...]:
    return tuple(report_item(n) for n in NOTICE_ITEMS)


def unknown_items(known: dict[str, bool]) -> tuple[ReportItem, ...]:
    """The report items still under investigation, given which keys are known."""
    return tuple(item for item in REPORT_ITEMS if not known.get(item.key, False))

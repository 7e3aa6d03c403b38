"""What `hogo stats` answers: the table as it may be published, and a report of the run.

The two are kept apart on purpose. The table (cells, totals, what is hidden) is what may
leave the company. The run report (how many people were read, left out and why, how many
values were unknown) is for the person who ran it: its exact figures can undo a hidden
cell, so the CSV, the form meant to be shared, carries the table alone and marks hidden
entries "*" without saying primary or complementary (knowing which narrows a hidden value).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from hogo.domain.generalizations import value_label
from hogo.domain.suppression import TOTAL, Key, Reason, Table

BOM = "\ufeff"
UNKNOWN = "(unknown)"
"""The category of a value missing or not generalizable."""

WORDS: Mapping[str, Mapping[str, str]] = {
    "ja": {
        "total": "計",
        "unknown": "不明",
        "count_subjects": "人数",
        "count_records": "件数",
        "suppressed": "秘匿",
    },
    "en": {
        "total": "Total",
        "unknown": "(unknown)",
        "count_subjects": "people",
        "count_records": "records",
        "suppressed": "suppressed",
    },
}

EXCLUDED: Mapping[str, Mapping[str, str]] = {
    "ja": {
        "erased": "消去済み",
        "use_suspended": "利用停止中",
        "special_care_without_consent": "要配慮個人情報への同意なし",
        "consent_missing": "同意なし",
        "consent_withdrawn": "同意の撤回",
        "opted_out": "オプトアウト",
        "reconsent_required": "改定後の再同意待ち",
        "retention_passed": "保存期間の経過",
    },
    "en": {
        "erased": "erased",
        "use_suspended": "use suspended",
        "special_care_without_consent": "no consent for special care-required items",
        "consent_missing": "no consent",
        "consent_withdrawn": "consent withdrawn",
        "opted_out": "opted out",
        "reconsent_required": "awaiting consent to the revised purpose",
        "retention_passed": "past retention",
    },
}
"""Why the purpose check left people out, as the run report words it (reason codes of
hogo.domain.purpose_check that depend on the subject)."""


@dataclass(frozen=True)
class Dimension:
    item: str
    generalization: str | None
    heading: Mapping[str, str]
    """ja/en: the item's label, with the generalization's in brackets."""
    categories: tuple[str, ...]
    """The categories shown, in table order ((unknown) last)."""
    withheld: int = 0
    """Categories of an open-ended dimension held by fewer than min_cell people: left out,
    since their very names could point at someone (all their entries are hidden)."""
    unknown: int = 0
    """Values missing or not generalizable, counted into (unknown)."""

    @property
    def spec(self) -> str:
        return self.item if self.generalization is None else f"{self.item}:{self.generalization}"

    def label(self, value: str | None, lang: str) -> str:
        if value is TOTAL:
            return WORDS[lang]["total"]
        if value == UNKNOWN:
            return WORDS[lang]["unknown"]
        return value_label(self.generalization, value, lang)


@dataclass(frozen=True)
class Statistics:
    purpose: str
    count: str
    """"subjects" (each person once, by their latest values) or "records"."""
    min_cell: int
    promise: int
    """The smallest min_cell allowed: the covering release's, else hogo's default."""
    release: str | None
    """The statistics[] release of the policy that covers these items, if any."""
    policy_version_id: int
    on: date
    dimensions: tuple[Dimension, ...]
    table: Table
    hidden: Mapping[Key, Reason]
    subjects_read: int
    records: int
    excluded: Mapping[str, int]
    """Subjects the purpose check left out, by its reason code."""

    def entries(self) -> list[Key]:
        """The entries shown: every cell and total whose categories are all shown."""
        shown = [set(d.categories) for d in self.dimensions]
        return [
            key
            for key in self.table.entries()
            if all(v is TOTAL or v in shown[n] for n, v in enumerate(key))
        ]

    def value(self, key: Key) -> int | None:
        """The published figure, or None when hidden."""
        return None if key in self.hidden else self.table.counts[key]

    def hidden_shown(self) -> dict[Key, Reason]:
        entries = set(self.entries())
        return {key: reason for key, reason in self.hidden.items() if key in entries}

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        dims = self.dimensions

        def coords(key: Key) -> list[str | None]:
            return [None if v is TOTAL else v for v in key]

        return {
            "statistics": {
                "purpose": self.purpose,
                "count": self.count,
                "min_cell": self.min_cell,
                "release": self.release,
                "policy_version_id": self.policy_version_id,
                "on": self.on.isoformat(),
                "dimensions": [
                    {
                        "by": d.spec,
                        "item": d.item,
                        "generalization": d.generalization,
                        "heading": d.heading[lang],
                        "categories": list(d.categories),
                        "labels": [d.label(v, lang) for v in d.categories],
                        "withheld_categories": d.withheld,
                    }
                    for d in dims
                ],
                "cells": [
                    {"key": coords(key), "count": self.value(key)}
                    for key in self.entries()
                    if self.table.is_cell(key)
                ],
                "totals": [
                    {"key": coords(key), "count": self.value(key)}
                    for key in self.entries()
                    if not self.table.is_cell(key)
                ],
                "suppressed": [
                    {"key": coords(key), "reason": reason.value}
                    for key, reason in self.hidden_shown().items()
                ],
            },
            "run": {
                "subjects_read": self.subjects_read,
                "records_counted": self.records,
                "excluded": dict(self.excluded),
                "unknown": {d.spec: d.unknown for d in dims},
                "note": "for the person who ran the statistics; not for publication",
            },
        }

    def to_csv(self, lang: str) -> bytes:
        """One row per entry: the categories (計/Total for a total), the figure, and "*"
        for a hidden one. UTF-8 with a BOM and CRLF, like hogo's other CSV files."""
        words = WORDS[lang]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(
            [
                *(d.heading[lang] for d in self.dimensions),
                words[f"count_{self.count}"],
                words["suppressed"],
            ]
        )
        for key in self.entries():
            figure = self.value(key)
            writer.writerow(
                [
                    *(d.label(v, lang) for d, v in zip(self.dimensions, key, strict=True)),
                    "" if figure is None else figure,
                    "*" if figure is None else "",
                ]
            )
        return (BOM + buffer.getvalue()).encode("utf-8")


__all__ = ["EXCLUDED", "UNKNOWN", "WORDS", "Dimension", "Statistics"]

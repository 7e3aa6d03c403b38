"""Shared by the statistics tests: full.yaml with a research purpose and people to count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from hogo.services.collect import Collection, collect_many
from hogo.services.ledger import Ledger
from hogo.services.policy_versions import publish
from tests.conftest import FIXTURES

RESEARCH = (
    (
        "  - {id: health, label:",
        "  - {id: birth_date, label: {ja: 生年月日, en: date of birth}, kind: identifier, format: date}\n"
        "  - {id: address, label: {ja: 住所, en: address}, kind: contact}\n"
        "  - {id: postal_code, label: {ja: 郵便番号, en: postal code}, kind: contact, "
        "format: postal_code_jp}\n"
        "  - {id: health, label:",
    ),
    (
        "    items: [name, email, purchases, card, health]",
        "    items: [name, email, purchases, card, health, birth_date, address, postal_code]",
    ),
    (
        "retention:\n  - {id: seven_years",
        "  - id: research\n"
        "    label: {ja: 商品開発のための統計, en: Statistics for product planning}\n"
        "    description: {ja: 年代別・地域別の購買傾向を集計し、商品の企画に役立てるため, "
        "en: To count buying trends by age group and region for planning products}\n"
        "    items: [email, purchases, birth_date, address, postal_code]\n"
        "    basis: opt_out\n"
        "    retention: until_withdrawn\n"
        "    actors: [analyst]\n"
        "retention:\n  - {id: seven_years",
    ),
    (
        "statistics:\n",
        "statistics:\n"
        "  - id: buying_by_region\n"
        "    label: {ja: 年代別・地域別の購買傾向, en: buying trends by age group and region}\n"
        "    purpose: research\n"
        "    items: [birth_date, address, purchases]\n"
        "    min_cell: 5\n",
    ),
)
"""A research purpose (opt-out basis, analysts only) and a release promising cells of five."""


def publish_research(ledger: Ledger, tmp_path: Path) -> int:
    text = (FIXTURES / "full.yaml").read_text("utf-8")
    for old, new in RESEARCH:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "research.yaml"
    path.write_text(text, "utf-8")
    return publish(
        ledger, path, actor="officer", effective=date(2026, 2, 1), allow_errors=True
    ).version_id


def people(ledger: Ledger, rows: Sequence[dict[str, str]]) -> list[str]:
    """Collect one subject per row from the shop; returns their ids in order."""
    done = collect_many(ledger, [Collection("shop", dict(row)) for row in rows], actor="app")
    return [c.subject_id for c in done]


def born(age: int, today: date = date(2026, 11, 24)) -> str:
    """A date of birth `age` years (and a few days) before `today`."""
    return date(today.year - age, 1, 15).isoformat()

"""Shared by the policy change tests: revised versions of full.yaml and what they queued."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.services.ledger import Ledger
from hogo.services.outbox import OpenMessage, open_message
from hogo.services.policy_notices import KIND
from hogo.services.policy_versions import Published, publish
from tests.conftest import FIXTURES

BY_EMAIL = "\nchanges:\n  notice: [website, email]\n"
"""Appended to a variant: the policy promises notice of changes by e-mail."""

WELLNESS_DESCRIPTION = (
    "en: To advise on lifestyle from your health check results}",
    "en: To advise on lifestyle and sleep from your health check results}",
)
WELLNESS_ITEMS = ("items: [name, health]", "items: [name, health, purchases]")
NEWSLETTER_ITEMS = (
    "items: [name, email]\n    basis: opt_out\n    retention: until_withdrawn\n  - id: wellness",
    "items: [name, email, purchases]\n    basis: opt_out\n    retention: until_withdrawn\n"
    "  - id: wellness",
)
ADS_PURPOSE = (
    "purposes:\n",
    "purposes:\n  - id: ads\n    label: {ja: 広告配信, en: Advertising}\n"
    "    description: {ja: 広告をお送りするため, en: To send you advertisements}\n"
    "    items: [email]\n    retention: until_withdrawn\n",
)
COMPANY_NAME = (
    "organization:\n  name: {ja: 株式会社フル, en: Full K.K.}",
    "organization:\n  name: {ja: 株式会社フルホールディングス, en: Full Holdings K.K.}",
)
LAST_REVISED = ("last_revised: 2026-04-01", "last_revised: 2026-11-01")


def revise(
    ledger: Ledger,
    tmp_path: Path,
    *replacements: tuple[str, str],
    effective: date,
    tail: str = BY_EMAIL,
) -> Published:
    """Publish full.yaml with `replacements` made and `tail` appended, as a new version."""
    text = (FIXTURES / "full.yaml").read_text("utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"revised-{len(list(tmp_path.glob('revised-*')))}.yaml"
    path.write_text(text + tail, "utf-8")
    return publish(ledger, path, actor="officer", effective=effective, allow_errors=True)


def notices(ledger: Ledger) -> dict[str, OpenMessage | None]:
    """The policy change notices queued, by subject."""
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(t.outbox).where(t.outbox.c.kind == KIND)).all()
        found: dict[str, OpenMessage | None] = {}
        for row in rows:
            assert row.subject_id not in found, f"two notices to {row.subject_id}"
            found[row.subject_id] = open_message(ledger, conn, row)
    return found

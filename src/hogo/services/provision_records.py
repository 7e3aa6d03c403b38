"""The Art. 29 and Art. 30 records as hogo keeps them: listing and export (CSV, JSON).

People may demand disclosure of the provider's records about them (Art. 33(5)), and the
privacy office hands them to auditors; both read them through here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from hogo.domain.periods import Period
from hogo.ledger import tables as t
from hogo.ledger.engine import READ_ONLY
from hogo.services.consent import aware
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger, japan_date

RECORD_RETENTION = Period(years=3)
"""Rules Arts. 21(iii), 25(iii): records are kept 3 years (the 1-year contract case is not
modelled: one record per provision, kept 3 years, is never shorter than the law asks)."""
RECEIPT_BASES = ("consent", "opt_out")
"""How data is received from another business (Art. 30(1); opt-out: Art. 27(2))."""


@dataclass(frozen=True)
class ProvisionRecord:
    """One provider's record (Art. 29) as stored."""

    id: int
    subject_id: str
    recipient: str
    recipient_name: str
    recipient_address: str | None
    recipient_representative: str | None
    basis: str
    items: tuple[str, ...]
    provided_on: date | None
    consent_confirmed: bool
    note: str | None
    created_at: datetime
    retain_until: date | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject_id": self.subject_id,
            "recipient": self.recipient,
            "recipient_name": self.recipient_name,
            "recipient_address": self.recipient_address,
            "recipient_representative": self.recipient_representative,
            "basis": self.basis,
            "items": list(self.items),
            "provided_on": _iso(self.provided_on),
            "consent_confirmed": self.consent_confirmed,
            "note": self.note,
            "created_at": self.created_at.isoformat(),
            "retain_until": _iso(self.retain_until),
        }


@dataclass(frozen=True)
class ReceiptRecord:
    """One recipient's record (Art. 30) as stored."""

    id: int
    subject_id: str | None
    provider_name: str
    provider_address: str
    provider_representative: str | None
    acquisition_method: str
    items: tuple[str, ...]
    basis: str
    received_on: date | None
    ppc_publication: str | None
    created_at: datetime
    retain_until: date | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject_id": self.subject_id,
            "provider_name": self.provider_name,
            "provider_address": self.provider_address,
            "provider_representative": self.provider_representative,
            "acquisition_method": self.acquisition_method,
            "items": list(self.items),
            "basis": self.basis,
            "received_on": _iso(self.received_on),
            "ppc_publication": self.ppc_publication,
            "created_at": self.created_at.isoformat(),
            "retain_until": _iso(self.retain_until),
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def list_provisions(
    ledger: Ledger, subject_id: str | None = None, *, recipient: str | None = None
) -> list[ProvisionRecord]:
    """The provider's records (Art. 29), oldest first; a subject's for disclosure (Art.
    33(5)), or those of one recipient (third_party.recipients[].id)."""
    query = select(t.provision_records).order_by(t.provision_records.c.id)
    if subject_id is not None:
        query = query.where(t.provision_records.c.subject_id == subject_id)
    if recipient is not None:
        query = query.where(t.provision_records.c.recipient == recipient)
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        rows = conn.execute(query).mappings().all()
    return [
        ProvisionRecord(
            id=int(r["id"]),
            subject_id=r["subject_id"],
            recipient=r["recipient"],
            recipient_name=r["recipient_name"],
            recipient_address=r["recipient_address"],
            recipient_representative=r["recipient_representative"],
            basis=r["basis"],
            items=tuple(r["items"] or ()),
            provided_on=r["provided_on"],
            consent_confirmed=bool(r["consent_confirmed"]),
            note=r["note"],
            created_at=aware(r["created_at"]),
            retain_until=r["retain_until"],
        )
        for r in rows
    ]


def list_receipts(
    ledger: Ledger,
    subject_id: str | None = None,
    *,
    basis: str | None = None,
    item: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
) -> list[ReceiptRecord]:
    """The recipient's records (Art. 30), oldest first: all of them, or those of a subject,
    received by a basis (consent or opt_out), naming an item, or received between two days
    (both included; a record without a date of receipt is dated by its writing)."""
    r = t.receipt_records
    query = select(r).order_by(r.c.id)
    if subject_id is not None:
        query = query.where(r.c.subject_id == subject_id)
    if basis is not None:
        if basis not in RECEIPT_BASES:
            raise BadInput(f"unknown basis {basis!r}; data is received by consent or opt_out")
        query = query.where(r.c.basis == basis)
    for name, day in (("received_from", received_from), ("received_to", received_to)):
        if day is not None and (isinstance(day, datetime) or not isinstance(day, date)):
            raise BadInput(f"{name} must be a date (YYYY-MM-DD), not {day!r}"[:200])
    if received_from and received_to and received_from > received_to:
        raise BadInput(f"the period starts on {received_from}, after its end {received_to}")
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        rows = conn.execute(query).mappings().all()

    def wanted(row: Any) -> bool:
        day = row["received_on"] or japan_date(aware(row["created_at"]))
        return (
            (item is None or item in (row["items"] or ()))
            and (received_from is None or day >= received_from)
            and (received_to is None or day <= received_to)
        )

    return [
        ReceiptRecord(
            id=int(r["id"]),
            subject_id=r["subject_id"],
            provider_name=r["provider_name"],
            provider_address=r["provider_address"],
            provider_representative=r["provider_representative"],
            acquisition_method=r["acquisition_method"],
            items=tuple(r["items"] or ()),
            basis=r["basis"],
            received_on=r["received_on"],
            ppc_publication=r["ppc_publication"],
            created_at=aware(r["created_at"]),
            retain_until=r["retain_until"],
        )
        for r in rows
        if wanted(r)
    ]


PROVISION_COLUMNS = (
    "id",
    "subject_id",
    "recipient",
    "recipient_name",
    "recipient_address",
    "recipient_representative",
    "basis",
    "items",
    "provided_on",
    "consent_confirmed",
    "note",
    "created_at",
    "retain_until",
)
RECEIPT_COLUMNS = (
    "id",
    "subject_id",
    "provider_name",
    "provider_address",
    "provider_representative",
    "acquisition_method",
    "items",
    "basis",
    "received_on",
    "ppc_publication",
    "created_at",
    "retain_until",
)


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _csv(columns: Sequence[str], records: Sequence[ProvisionRecord | ReceiptRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        data = record.to_dict()
        writer.writerow([_csv_cell(data[c]) for c in columns])
    return out.getvalue()


def provisions_csv(records: Sequence[ProvisionRecord]) -> str:
    """Provider's records as CSV with a header row: items space-separated, dates ISO 8601,
    empty cells for none, booleans true/false."""
    return _csv(PROVISION_COLUMNS, records)


def receipts_csv(records: Sequence[ReceiptRecord]) -> str:
    """Recipient's records as CSV, in the same conventions as `provisions_csv`."""
    return _csv(RECEIPT_COLUMNS, records)


def records_json(records: Sequence[ProvisionRecord | ReceiptRecord]) -> str:
    """A JSON array of the records (`to_dict` of each), dates ISO 8601."""
    return json.dumps([r.to_dict() for r in records], ensure_ascii=False, indent=2) + "\n"

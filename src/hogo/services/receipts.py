"""Receiving personal data from another business: the recipient's record (Art. 30).

`receive` confirms and records the provider's name, address and representative, how the
provider acquired the data, the items, the subject, and the fact of consent or, for data
received by opt-out, the date and the PPC's publication of the provider's filing (Rules
Arts. 22–24). The record is kept 3 years (Rules Art. 25(iii)).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append_many
from hogo.services.consent import aware
from hogo.services.errors import BadInput, Refused
from hogo.services.ledger import Ledger, japan_date
from hogo.services.provision_common import (
    MAX_NOTE_CHARS,
    MAX_PARTY_CHARS,
    actor_name,
    declared_items,
    free_text,
    live_subjects,
)
from hogo.services.provision_records import RECORD_RETENTION, ReceiptRecord


def _receipt_basis(text: str) -> str:
    cleaned = text.strip().lower().replace("-", "_") if isinstance(text, str) else ""
    if cleaned not in ("consent", "opt_out"):
        raise BadInput(f"unknown basis {text!r}; data is received by consent or opt-out")
    return cleaned


def receive(
    ledger: Ledger,
    *,
    subject_id: str | None = None,
    provider_name: str,
    provider_address: str,
    provider_representative: str | None = None,
    acquisition_method: str,
    items: Sequence[str],
    basis: str,
    received_on: date | None = None,
    ppc_publication: str | None = None,
    actor: str,
) -> ReceiptRecord:
    """Write the recipient's record of data received from another business (Art. 30)."""
    actor = actor_name(actor)
    kind = _receipt_basis(basis)
    name = free_text("provider name", provider_name, MAX_PARTY_CHARS, required=True)
    address = free_text("provider address", provider_address, MAX_PARTY_CHARS, required=True)
    representative = free_text(
        "provider representative", provider_representative, MAX_PARTY_CHARS, required=False
    )
    method = free_text("acquisition method", acquisition_method, MAX_NOTE_CHARS, required=True)
    publication = free_text("PPC publication", ppc_publication, MAX_NOTE_CHARS, required=False)
    if received_on is not None and not isinstance(received_on, date):
        raise BadInput("received_on must be a date")
    if isinstance(received_on, datetime):
        received_on = received_on.date()
    now = ledger.now()
    today = japan_date(now)
    if received_on is not None and received_on > today:
        raise BadInput(f"received_on {received_on} is in the future")
    if kind == "opt_out":
        if received_on is None:
            raise BadInput("data received by opt-out needs the date it was received (Art. 30(3))")
        if publication is None:
            raise Refused(
                "confirm the PPC's publication of the provider's opt-out filing first "
                "(Art. 30; Rules Art. 24): give where or when it was published",
                code="ppc_publication_unconfirmed",
            )
    elif publication is not None:
        raise BadInput("a PPC publication is confirmed only for data received by opt-out")
    if subject_id is not None and (not isinstance(subject_id, str) or not subject_id.strip()):
        raise BadInput(f"{subject_id!r} is not a subject id")
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        wanted = declared_items(version.policy, items)
        if kind == "opt_out":
            special = [i for i in wanted if (it := version.policy.item(i)) and it.special_care]
            if special:
                raise Refused(
                    f"{', '.join(special)} is special care-required: it cannot have been "
                    "provided by opt-out (Art. 27(2)); do not receive it",
                    code="special_care_by_opt_out",
                )
        if subject_id is not None:
            live_subjects(conn, [subject_id])
        retain_until = RECORD_RETENTION.after(received_on or today)
        row = {
            "subject_id": subject_id,
            "provider_name": name,
            "provider_address": address,
            "provider_representative": representative,
            "acquisition_method": method,
            "items": list(wanted),
            "basis": kind,
            "received_on": received_on,
            "ppc_publication": publication,
            "created_at": now,
            "retain_until": retain_until,
        }
        inserted = conn.execute(t.receipt_records.insert().returning(t.receipt_records.c.id), row)
        record_id = int(inserted.scalar_one())
        append_many(
            conn,
            [
                AuditEntry(
                    at=now,
                    actor=actor,
                    action="receive",
                    outcome="done",
                    subject_id=subject_id,
                    items=wanted,
                    reason=kind,
                    detail={"record_id": record_id, "policy_version_id": version.version_id},
                )
            ],
        )
    assert name is not None and address is not None and method is not None
    return ReceiptRecord(
        record_id,
        subject_id,
        name,
        address,
        representative,
        method,
        wanted,
        kind,
        received_on,
        publication,
        aware(now),
        retain_until,
    )


# --- listing and export -----------------------------------------------------------------

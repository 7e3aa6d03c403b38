"""Tables of the inquiry register (APPI Art. 40) and of vendor audits (Art. 25).

Kept apart from `tables.py` so the operational areas can be added without touching the
core ledger's definitions; `tables.py` imports this module last, so every table lives in
one `metadata`.

What a person wrote and was answered, and how to reach them, is personal information
that may concern someone who is not (or no longer) a subject: it is encrypted with the
register key, never stored in plain text.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
)

from hogo.ledger.tables import Id, SubjectId, metadata

INQUIRY_KINDS = ("question", "opinion", "complaint")
ACKNOWLEDGED = ("within_hours", "no_hours", "queued", "no_contact", "opened_since")
INQUIRY_CHANNELS = ("email", "form", "phone", "post", "counter", "portal")
AUDIT_RESULTS = ("pass", "findings", "fail")

inquiries = Table(
    "inquiries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("handle_from", DateTime(timezone=True)),
    Column("acknowledged", String(16), nullable=False),
    Column("answered_at", DateTime(timezone=True)),
    Column("subject_id", SubjectId, ForeignKey("subjects.id")),
    Column("lang", String(2), nullable=False),
    Column("contact", LargeBinary),
    Column("text", LargeBinary, nullable=False),
    Column("answer", LargeBinary),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("kind in ('question', 'opinion', 'complaint')", name="kind"),
    CheckConstraint(
        "channel in ('email', 'form', 'phone', 'post', 'counter', 'portal')", name="channel"
    ),
    CheckConstraint(
        "acknowledged in ('within_hours', 'no_hours', 'queued', 'no_contact', 'opened_since')",
        name="ack",
    ),
    Index("ix_inquiries_open", "answered_at", "received_at"),
    Index("ix_inquiries_subject", "subject_id"),
)
"""One inquiry or complaint. `handle_from` is the next opening time when it arrived outside
the reception hours; `acknowledged` says whether an automatic acknowledgement was queued
(queued), or why not: within_hours (none needed), no_hours (the policy states none),
no_contact (no address to write to), opened_since (recorded after the desk had opened
again, so its promise would already be past)."""

vendor_audits = Table(
    "vendor_audits",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("vendor", String(63), nullable=False),
    Column("audited_on", Date, nullable=False),
    Column("result", String(16), nullable=False),
    Column("note", LargeBinary),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    CheckConstraint("result in ('pass', 'findings', 'fail')", name="result"),
    Index("ix_vendor_audits_vendor", "vendor", "audited_on"),
)
"""One audit of an entrustee (`entrustment.vendors[].id` of the policy), with its result;
the note may name the vendor's staff, so it is encrypted with the register key."""

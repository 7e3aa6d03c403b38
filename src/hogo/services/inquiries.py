"""The inquiry register: questions, opinions and complaints, and how each was answered.

APPI Art. 40(1) asks a business to handle complaints about its handling of personal
information appropriately and promptly, and Art. 40(2) to set up the system to do so;
the register is that system's memory: what came in, through which channel, when, and
when it was answered. What the person wrote, the answer and their address are personal
information about someone who may not be a subject, so they are encrypted with the
register key (associated data "inquiry:ID:FIELD"), never stored in plain text.

An inquiry received outside the reception hours of the desk (the policy's
`organization.contact.hours`; for a complaint, `organization.complaint_contact.hours`
when that desk states its own) gets an automatic acknowledgement saying from when it will
be handled (`hogo.domain.reception`), queued to the outbox in the same transaction. The
answer goes to the outbox too when there is an address. Every call is audited, reads
included: the register holds what people wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from hogo.domain.reception import (
    JAPAN,
    Acknowledgement,
    ReceptionHours,
    acknowledgement,
    english_date,
    in_japan,
    japanese_clock,
    japanese_date,
)
from hogo.domain.values import InvalidValue, normalize
from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.tables_registers import INQUIRY_CHANNELS, INQUIRY_KINDS, inquiries
from hogo.policy.render.vocab import format_hours
from hogo.policy.schema import LANGS, Contact, Hours, Lang, Policy
from hogo.services.consent import aware, subject_erased_at
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger
from hogo.services.outbox import enqueue

MAX_TEXT_CHARS = 10_000
MAX_EMAIL_CHARS = 320

_WHAT: dict[str, dict[str, str]] = {
    "ja": {"question": "お問い合わせ", "opinion": "ご意見", "complaint": "お申し出"},
    "en": {"question": "inquiry", "opinion": "feedback", "complaint": "complaint"},
}


@dataclass(frozen=True)
class Inquiry:
    """One entry of the register. `email`, `text` and `answer` are filled only by `show`
    (decrypted and audited); listings leave them None."""

    id: int
    kind: str
    channel: str
    received_at: datetime
    handle_from: datetime | None
    acknowledged: str
    answered_at: datetime | None
    subject_id: str | None
    lang: str
    has_contact: bool
    email: str | None = None
    text: str | None = None
    answer: str | None = None

    @property
    def state(self) -> str:
        return "open" if self.answered_at is None else "answered"

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "id": self.id,
            "kind": self.kind,
            "channel": self.channel,
            "state": self.state,
            "received_at": self.received_at.isoformat(),
            "handle_from": None if self.handle_from is None else self.handle_from.isoformat(),
            "acknowledged": self.acknowledged,
            "answered_at": None if self.answered_at is None else self.answered_at.isoformat(),
            "subject_id": self.subject_id,
            "lang": self.lang,
            "has_contact": self.has_contact,
        }
        if self.text is not None:
            data.update(email=self.email, text=self.text, answer=self.answer)
        return data


def _inquiry(row: Row[Any]) -> Inquiry:
    return Inquiry(
        id=int(row.id),
        kind=row.kind,
        channel=row.channel,
        received_at=aware(row.received_at),
        handle_from=None if row.handle_from is None else in_japan(aware(row.handle_from)),
        acknowledged=row.acknowledged,
        answered_at=None if row.answered_at is None else aware(row.answered_at),
        subject_id=row.subject_id,
        lang=row.lang,
        has_contact=row.contact is not None,
    )


def _text(what: str, value: object, limit: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"the {what} is required")
    if len(value) > limit:
        raise BadInput(f"the {what} is {len(value):,} characters long; at most {limit:,}")
    if "\x00" in value:
        raise BadInput(f"the {what} contains a NUL character")
    return value


def _one_of(what: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise BadInput(f"unknown {what} {value!r}; use one of {', '.join(allowed)}")
    return str(value)


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalize("email", value, max_chars=MAX_EMAIL_CHARS).stored
    except InvalidValue as exc:
        raise BadInput(f"the e-mail address {exc}") from None


def _id(inquiry_id: object) -> int:
    if isinstance(inquiry_id, bool) or not isinstance(inquiry_id, int):
        raise BadInput(f"an inquiry id is a number, not {inquiry_id!r}")
    return inquiry_id


def parse_received_at(text: str) -> datetime:
    """An ISO 8601 date and time; without a time zone it is Japan time, where the desk is."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"{text!r} is not a date and time such as 2026-12-29T21:05 (Japan time) "
            "or 2026-12-29T12:05+00:00"
        ) from None
    return at if at.utcoffset() is not None else at.replace(tzinfo=JAPAN)


def _desk(policy: Policy, kind: str) -> tuple[Contact | None, Hours | None]:
    """The desk that receives this kind and the hours it keeps (see the module docstring)."""
    contact = policy.organization.contact
    complaints = policy.organization.complaint_contact
    desk = complaints if kind == "complaint" and complaints is not None else contact
    hours = desk.hours if desk is not None and desk.hours is not None else None
    if hours is None and contact is not None:
        hours = contact.hours
    return desk, hours


def _received_text(at: datetime, lang: str) -> str:
    local = in_japan(at)
    if lang == "ja":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{english_date(local.date(), weekday=False)} {local.year}, {local:%H:%M} (Japan time)"


def _day_text(day: date, lang: str) -> str:
    return japanese_date(day, weekday=False) if lang == "ja" else english_date(day, weekday=False)


def _message_context(
    policy: Policy, kind: str, inquiry_id: int, received_at: datetime, lang: Lang
) -> dict[str, Any]:
    desk, hours = _desk(policy, kind)
    return {
        "company": policy.organization.name[lang],
        "desk": desk.name[lang] if desk is not None else "",
        "desk_email": desk.email if desk is not None else None,
        "hours": format_hours(hours, lang) if hours is not None else None,
        "number": inquiry_id,
        "what": _WHAT[lang][kind],
        "received": _received_text(received_at, lang),
    }


def _acknowledgement_context(ack: Acknowledgement, lang: str) -> dict[str, Any]:
    opens = ack.opens_at
    if lang == "ja":
        opens_text = f"{japanese_date(opens.date())}{japanese_clock(opens.timetz())}"
    else:
        opens_text = f"{opens:%H:%M} on {english_date(opens.date())} (Japan time)"
    single = ack.closed_from is not None and ack.closed_from == ack.closed_to
    return {
        "closed_from": None if ack.closed_from is None else _day_text(ack.closed_from, lang),
        "closed_to": None if ack.closed_to is None or single else _day_text(ack.closed_to, lang),
        "opens": opens_text,
    }


def new_inquiry(
    ledger: Ledger,
    *,
    kind: str,
    channel: str,
    text: str,
    actor: str,
    email: str | None = None,
    subject_id: str | None = None,
    received_at: datetime | None = None,
    lang: str | None = None,
) -> Inquiry:
    """Record an inquiry; outside the reception hours, queue its acknowledgement.

    Refused before anything is written: an unknown kind or channel, an empty or oversized
    text, a malformed e-mail address, a time in the future or without a time zone, an
    unknown language (BadInput); an unknown subject (NotFound); an erased one (Refused,
    "erased"). The language of messages is `lang`, else the subject's, else the policy's
    authoritative language.
    """
    kind = _one_of("kind", kind, INQUIRY_KINDS)
    channel = _one_of("channel", channel, INQUIRY_CHANNELS)
    text = _text("text", text)
    actor = _text("actor", actor, 200)
    address = _email(email)
    if lang is not None:
        lang = _one_of("language", lang, LANGS)
    now = ledger.now()
    received = now if received_at is None else received_at
    if received.utcoffset() is None:
        raise BadInput("the time received must carry its time zone")
    if received > now:
        raise BadInput(f"the inquiry cannot be received in the future ({received.isoformat()})")
    with ledger.engine.begin() as conn:
        policy = ledger.policy_in_force(conn).policy
        if subject_id is not None:
            if subject_erased_at(conn, subject_id) is not None:
                raise Refused(f"subject {subject_id} has been erased", code="erased")
            if lang is None:
                lang = _subject_lang(conn, subject_id)
        chosen: Lang = "en" if (lang or policy.policy.authoritative_language) == "en" else "ja"
        _, hours = _desk(policy, kind)
        ack = None
        if hours is not None:
            reception = ReceptionHours.of(hours.days.value, hours.open, hours.close)
            ack = acknowledgement(received, reception)
        if hours is None:
            state = "no_hours"
        elif ack is None:
            state = "within_hours"
        elif ack.opens_at <= now:
            state = "opened_since"
        else:
            state = "queued" if address is not None else "no_contact"
        inquiry_id = int(
            conn.execute(
                inquiries.insert()
                .values(
                    kind=kind,
                    channel=channel,
                    received_at=received.astimezone(UTC),
                    handle_from=None if ack is None else ack.opens_at.astimezone(UTC),
                    acknowledged=state,
                    subject_id=subject_id,
                    lang=chosen,
                    text=b"",
                    recorded_at=now,
                )
                .returning(inquiries.c.id)
            ).scalar_one()
        )
        cipher = ledger.register_cipher(conn)
        conn.execute(
            inquiries.update()
            .where(inquiries.c.id == inquiry_id)
            .values(
                text=cipher.encrypt(f"inquiry:{inquiry_id}:text", text),
                contact=None
                if address is None
                else cipher.encrypt(f"inquiry:{inquiry_id}:contact", address),
            )
        )
        if state == "queued" and ack is not None and address is not None:
            # APPI Art. 40: the person learns at once that the message arrived and when it
            # will be handled, instead of waiting in silence over a closed weekend.
            context = _message_context(policy, kind, inquiry_id, received, chosen)
            context.update(_acknowledgement_context(ack, chosen))
            enqueue(
                ledger,
                conn,
                kind="inquiry_acknowledgement",
                lang=chosen,
                to=address,
                context=context,
                subject_id=subject_id,
                ref=f"inquiry:{inquiry_id}",
                dedupe_key=f"inquiry:{inquiry_id}:acknowledgement",
            )
        append(
            conn,
            AuditEntry(
                at=now,
                actor=actor,
                action="inquiry",
                outcome="done",
                subject_id=subject_id,
                detail={
                    "inquiry_id": inquiry_id,
                    "kind": kind,
                    "channel": channel,
                    "acknowledged": state,
                },
            ),
        )
        row = conn.execute(select(inquiries).where(inquiries.c.id == inquiry_id)).one()
    return _inquiry(row)


def _subject_lang(conn: Connection, subject_id: str) -> str | None:
    found = conn.execute(select(t.subjects.c.lang).where(t.subjects.c.id == subject_id)).scalar()
    return None if found is None else str(found)


def answer_inquiry(ledger: Ledger, inquiry_id: int, *, text: str, actor: str) -> Inquiry:
    """Record the answer and, when the inquirer left an address, queue it to them.

    Refused before anything is written: an unknown inquiry (NotFound), one already
    answered, an empty or oversized answer (BadInput)."""
    inquiry_id = _id(inquiry_id)
    text = _text("answer", text)
    actor = _text("actor", actor, 200)
    now = ledger.now()
    with ledger.engine.begin() as conn:
        row = conn.execute(select(inquiries).where(inquiries.c.id == inquiry_id)).first()
        if row is None:
            raise NotFound(f"no inquiry {inquiry_id}")
        if row.answered_at is not None:
            raise BadInput(
                f"inquiry {inquiry_id} was already answered on {aware(row.answered_at):%Y-%m-%d}"
            )
        cipher = ledger.register_cipher(conn)
        updated = conn.execute(
            inquiries.update()
            .where(inquiries.c.id == inquiry_id, inquiries.c.answered_at.is_(None))
            .values(answered_at=now, answer=cipher.encrypt(f"inquiry:{inquiry_id}:answer", text))
        ).rowcount
        if updated != 1:  # answered by someone else since the read (PostgreSQL)
            raise BadInput(f"inquiry {inquiry_id} was already answered")
        mailed = row.contact is not None
        if mailed:
            address = cipher.decrypt(f"inquiry:{inquiry_id}:contact", row.contact)
            lang: Lang = "en" if row.lang == "en" else "ja"
            policy = ledger.policy_in_force(conn).policy
            context = _message_context(policy, row.kind, inquiry_id, aware(row.received_at), lang)
            context["answer"] = text
            enqueue(
                ledger,
                conn,
                kind="inquiry_answer",
                lang=lang,
                to=address,
                context=context,
                subject_id=row.subject_id,
                ref=f"inquiry:{inquiry_id}",
                dedupe_key=f"inquiry:{inquiry_id}:answer",
            )
        append(
            conn,
            AuditEntry(
                at=now,
                actor=actor,
                action="inquiry_answer",
                outcome="done",
                subject_id=row.subject_id,
                detail={"inquiry_id": inquiry_id, "mailed": mailed},
            ),
        )
    return replace(_inquiry(row), answered_at=aware(now))


def list_inquiries(
    ledger: Ledger, *, actor: str, open_only: bool = False, kind: str | None = None
) -> list[Inquiry]:
    """The register, oldest first, without what people wrote (use `show_inquiry` for that);
    only unanswered ones with `open_only`, only one kind with `kind`. The listing is
    audited as "inquiry_list"."""
    if kind is not None:
        kind = _one_of("kind", kind, INQUIRY_KINDS)
    actor = _text("actor", actor, 200)
    query = select(inquiries).order_by(inquiries.c.received_at, inquiries.c.id)
    if open_only:
        query = query.where(inquiries.c.answered_at.is_(None))
    if kind is not None:
        query = query.where(inquiries.c.kind == kind)
    with ledger.engine.begin() as conn:
        rows = conn.execute(query).all()
        append(
            conn,
            AuditEntry(
                at=ledger.now(),
                actor=actor,
                action="inquiry_list",
                outcome="done",
                detail={"open_only": open_only, "kind": kind, "count": len(rows)},
            ),
        )
    return [_inquiry(row) for row in rows]


def show_inquiry(ledger: Ledger, inquiry_id: int, *, actor: str) -> Inquiry:
    """One inquiry with what was written, the answer and the address, decrypted; audited
    as "inquiry_read" in the same transaction as the read."""
    inquiry_id = _id(inquiry_id)
    actor = _text("actor", actor, 200)
    with ledger.engine.begin() as conn:
        row = conn.execute(select(inquiries).where(inquiries.c.id == inquiry_id)).first()
        if row is None:
            raise NotFound(f"no inquiry {inquiry_id}")
        cipher = ledger.register_cipher(conn)
        opened = replace(
            _inquiry(row),
            email=None
            if row.contact is None
            else cipher.decrypt(f"inquiry:{inquiry_id}:contact", row.contact),
            text=cipher.decrypt(f"inquiry:{inquiry_id}:text", row.text),
            answer=None
            if row.answer is None
            else cipher.decrypt(f"inquiry:{inquiry_id}:answer", row.answer),
        )
        append(
            conn,
            AuditEntry(
                at=ledger.now(),
                actor=actor,
                action="inquiry_read",
                outcome="done",
                subject_id=row.subject_id,
                detail={"inquiry_id": inquiry_id},
            ),
        )
    return opened


__all__ = [
    "INQUIRY_CHANNELS",
    "INQUIRY_KINDS",
    "JAPAN",
    "Inquiry",
    "answer_inquiry",
    "list_inquiries",
    "new_inquiry",
    "parse_received_at",
    "show_inquiry",
]

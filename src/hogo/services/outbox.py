"""The outbox: every message to a person, queued in the transaction that causes it.

A request answered, a leak notified, a policy changed: the message is written in the
same transaction as the change, so either both happen or neither does, and a mail server
that is down loses nothing (`hogo worker` sends later). Recipient and content are
encrypted with the register key, not the subject's key: the answer to a deletion request
must still go out after the subject's key is destroyed.

Reading a subject's address to write to them is not a use for a purpose: it fulfils a
duty the law sets (answering a request, Arts. 32–35; notifying a leak, Art. 26(2)), so it
does not pass the purpose check, and it is audited as its own action ("contact").
"""

from __future__ import annotations

import functools
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound
from sqlalchemy import Connection, insert, select

from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.crypto import WrappedKey
from hogo.ledger.sql import insert_if_absent
from hogo.policy.schema import LANGS
from hogo.services.errors import BadInput
from hogo.services.ledger import Ledger

MAX_ADDRESS_CHARS = 320  # RFC 5321: 64 local + @ + 255 domain


@functools.cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("hogo.services", "messages"),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
    )


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render(kind: str, lang: str, context: Mapping[str, Any]) -> Rendered:
    """The message of `kind` in `lang`; a missing template or variable is an error, never a
    message with a hole in it."""
    if lang not in LANGS:
        raise BadInput(f"unknown language {lang!r}; use ja or en")
    try:
        template = _templates().get_template(f"{lang}/{kind}.txt.j2")
    except TemplateNotFound:
        raise BadInput(f"no message template {kind!r} in {lang}") from None
    text = template.render(**context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"template {lang}/{kind} must start with 'Subject: '")
    return Rendered(subject=first.removeprefix("Subject: ").strip(), body=body.lstrip("\n"))


def kinds() -> dict[str, tuple[str, ...]]:
    """Every message kind with the languages it exists in (a test wants both for each)."""
    found: dict[str, list[str]] = {}
    for name in _templates().list_templates(extensions=["j2"]):
        lang, _, file = name.partition("/")
        found.setdefault(file.removesuffix(".txt.j2"), []).append(lang)
    return {kind: tuple(sorted(langs)) for kind, langs in sorted(found.items())}


@dataclass(frozen=True)
class Queued:
    id: int | None
    """None when the dedupe key was already queued (nothing new written)."""
    kind: str
    lang: str
    message_id: str


def _message_id() -> str:
    """Fixed at queueing, so a message the worker has to send again carries the same
    Message-ID and the receiving side can tell it is the same message."""
    return f"<{secrets.token_hex(16)}@hogo>"


def enqueue(
    ledger: Ledger,
    conn: Connection,
    *,
    kind: str,
    lang: str,
    to: str,
    context: Mapping[str, Any],
    subject_id: str | None = None,
    ref: str | None = None,
    dedupe_key: str | None = None,
    send_after: datetime | None = None,
) -> Queued:
    """Queue one message in the caller's transaction. With a dedupe key, a second message
    with the same key is not queued: re-running a job never writes to a person twice."""
    if not isinstance(to, str) or "@" not in to or len(to) > MAX_ADDRESS_CHARS:
        raise BadInput(f"not an e-mail address to write to: {to!r}"[:200])
    rendered = render(kind, lang, context)
    cipher = ledger.register_cipher(conn)
    message_id = _message_id()
    now = ledger.now()
    row = {
        "kind": kind,
        "lang": lang,
        "subject_id": subject_id,
        "ref": ref,
        "dedupe_key": dedupe_key,
        "message_id": message_id,
        "recipient": cipher.encrypt(f"outbox-to:{message_id}", to),
        "content": cipher.encrypt(
            f"outbox-content:{message_id}",
            json.dumps({"subject": rendered.subject, "body": rendered.body}, ensure_ascii=False),
        ),
        "created_at": now,
        "send_after": send_after or now,
        "attempts": 0,
    }
    if dedupe_key is None:
        new_id = conn.execute(insert(t.outbox).values(**row)).inserted_primary_key
        return Queued(int(new_id[0]) if new_id else None, kind, lang, message_id)
    insert_if_absent(conn, t.outbox, row)
    found = conn.execute(select(t.outbox.c.id).where(t.outbox.c.message_id == message_id)).first()
    return Queued(None if found is None else int(found.id), kind, lang, message_id)


@dataclass(frozen=True)
class OpenMessage:
    id: int
    message_id: str
    to: str
    subject: str
    body: str
    lang: str
    kind: str


def open_message(ledger: Ledger, conn: Connection, row: Any) -> OpenMessage | None:
    """Decrypt a queued row; None once its content has been purged (sent or given up)."""
    if row.recipient is None or row.content is None:
        return None
    cipher = ledger.register_cipher(conn)
    to = cipher.decrypt(f"outbox-to:{row.message_id}", row.recipient)
    content = json.loads(cipher.decrypt(f"outbox-content:{row.message_id}", row.content))
    return OpenMessage(
        id=int(row.id),
        message_id=row.message_id,
        to=to,
        subject=content["subject"],
        body=content["body"],
        lang=row.lang,
        kind=row.kind,
    )


@dataclass(frozen=True)
class Contact:
    address: str
    lang: str
    item: str


def subject_contact(
    ledger: Ledger, conn: Connection, subject_id: str, *, actor: str, duty: str
) -> Contact | None:
    """The subject's latest e-mail address and language, read to fulfil `duty`, audited.

    None when the subject is erased or holds no e-mail item: the caller decides what a
    person who cannot be written to gets (e.g. publication, Art. 26(2) proviso)."""
    subject = conn.execute(
        select(t.subjects.c.erased_at, t.subjects.c.lang).where(t.subjects.c.id == subject_id)
    ).first()
    if subject is None or subject.erased_at is not None:
        return None
    version = ledger.policy_in_force(conn)
    email_items = [i.id for i in version.policy.items if i.format.value == "email"]
    if not email_items:
        return None
    record = conn.execute(
        select(t.records.c.item, t.records.c.ciphertext)
        .where(t.records.c.subject_id == subject_id, t.records.c.item.in_(email_items))
        .order_by(t.records.c.collected_at.desc(), t.records.c.id.desc())
        .limit(1)
    ).first()
    key = conn.execute(
        select(t.subject_keys.c.master_key_id, t.subject_keys.c.wrapped_key).where(
            t.subject_keys.c.subject_id == subject_id
        )
    ).first()
    if record is None or key is None:
        return None
    cipher = ledger.subject_cipher(subject_id, WrappedKey(key.master_key_id, key.wrapped_key))
    address = cipher.decrypt(record.item, record.ciphertext)
    lang = subject.lang or version.policy.policy.authoritative_language
    append(
        conn,
        AuditEntry(
            at=ledger.now(),
            actor=actor,
            action="contact",
            outcome="done",
            subject_id=subject_id,
            items=(record.item,),
            reason=duty[:63],
        ),
    )
    return Contact(address=address, lang=lang, item=record.item)

"""The answers that hand the person their information: purposes, disclosure, provision records.

A disclosure (Art. 33(1)) gives every value the ledger holds about the person, decrypted,
with where and when it came from, the purposes it serves, the consents and restrictions
on record and the provision records; the provision-record disclosure (Art. 33(5)) gives
the Art. 29 and Art. 30 records alone. Both come as JSON (electronic provision, which the
person may ask for since 2022) and as one standalone HTML page in the person's language,
every value escaped. Reading the values is not a use for a purpose: it is a legal duty,
and it is audited as "request_disclose" with the items read.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.engine import Connection

from hogo.domain.requests import RequestKind
from hogo.ledger import tables as t
from hogo.services.consent import aware
from hogo.services.ledger import Ledger, PolicyInForce
from hogo.services.requests.common import subject_cipher

FORMAT = "hogo-disclosure/1"


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return aware(value).isoformat() if isinstance(value, datetime) else value.isoformat()


def held_items(conn: Connection, subject_id: str | None) -> set[str]:
    if subject_id is None:
        return set()
    rows = conn.execute(
        select(t.records.c.item).where(t.records.c.subject_id == subject_id).distinct()
    )
    return {r.item for r in rows}


def consent_state(conn: Connection, subject_id: str | None) -> dict[str, bool]:
    """The latest consent (or opt-out) entry per purpose."""
    if subject_id is None:
        return {}
    rows = conn.execute(
        select(t.consents.c.purpose, t.consents.c.granted)
        .where(t.consents.c.subject_id == subject_id)
        .order_by(t.consents.c.id)
    )
    return {r.purpose: bool(r.granted) for r in rows}


def purposes_of(
    version: PolicyInForce, held: set[str], consents: dict[str, bool]
) -> list[dict[str, Any]]:
    """The purposes the person's data serves, in policy order (Art. 32(2)): those using an
    item held (joint use included), less a consent purpose the person has not consented to
    and an opt-out purpose they have opted out of."""
    out = []
    for purpose in version.policy.purposes:
        compiled = version.compiled.purposes.get(purpose.id)
        if compiled is None or not (compiled.items & held):
            continue
        if compiled.basis == "consent" and consents.get(purpose.id) is not True:
            continue
        if compiled.basis == "opt_out" and consents.get(purpose.id) is False:
            continue
        out.append(
            {
                "id": purpose.id,
                "label": {"ja": purpose.label.ja, "en": purpose.label.en},
                "description": {"ja": purpose.description.ja, "en": purpose.description.en},
                "basis": compiled.basis,
                "items": sorted(compiled.items & held),
            }
        )
    return out


def _records(
    ledger: Ledger,
    conn: Connection,
    version: PolicyInForce,
    subject_id: str,
    only: Sequence[str] | None,
) -> list[dict[str, Any]]:
    query = select(t.records).where(t.records.c.subject_id == subject_id)
    if only is not None:
        query = query.where(t.records.c.item.in_(only))
    rows = conn.execute(query.order_by(t.records.c.item, t.records.c.id)).all()
    cipher = subject_cipher(ledger, conn, subject_id) if rows else None
    sources = {s.id: s for s in version.policy.sources}
    out = []
    for row in rows:
        item = version.items.get(row.item)
        source = sources.get(row.source)
        out.append(
            {
                "item": row.item,
                "label": {"ja": item.label.ja, "en": item.label.en} if item else None,
                "value": cipher.decrypt(row.item, row.ciphertext) if cipher else None,
                "source": row.source,
                "source_label": {"ja": source.label.ja, "en": source.label.en} if source else None,
                "collected_at": _iso(row.collected_at),
                "retention_due": _iso(row.retention_due),
            }
        )
    return out


def _purpose_label(version: PolicyInForce, purpose_id: str | None) -> dict[str, str] | None:
    purpose = version.policy.purpose(purpose_id) if purpose_id else None
    return None if purpose is None else {"ja": purpose.label.ja, "en": purpose.label.en}


def _consents(conn: Connection, version: PolicyInForce, subject_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(t.consents).where(t.consents.c.subject_id == subject_id).order_by(t.consents.c.id)
    )
    return [
        {
            "purpose": r.purpose,
            "purpose_label": _purpose_label(version, r.purpose),
            "granted": bool(r.granted),
            "at": _iso(r.at),
            "method": r.method,
        }
        for r in rows
    ]


def _restrictions(
    conn: Connection, version: PolicyInForce, subject_id: str
) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(t.restrictions)
        .where(t.restrictions.c.subject_id == subject_id)
        .order_by(t.restrictions.c.id)
    )
    return [
        {
            "scope": r.scope,
            "purpose": r.purpose,
            "purpose_label": _purpose_label(version, r.purpose),
            "origin": r.origin,
            "created_at": _iso(r.created_at),
            "lifted_at": _iso(r.lifted_at),
        }
        for r in rows
    ]


def provision_records(conn: Connection, subject_id: str | None) -> dict[str, list[dict[str, Any]]]:
    """The Art. 29 (provided) and Art. 30 (received) records about the subject."""
    if subject_id is None:
        return {"provided": [], "received": []}
    provided = conn.execute(
        select(t.provision_records)
        .where(t.provision_records.c.subject_id == subject_id)
        .order_by(t.provision_records.c.id)
    )
    received = conn.execute(
        select(t.receipt_records)
        .where(t.receipt_records.c.subject_id == subject_id)
        .order_by(t.receipt_records.c.id)
    )
    return {
        "provided": [
            {
                "recipient": r.recipient,
                "recipient_name": r.recipient_name,
                "recipient_address": r.recipient_address,
                "recipient_representative": r.recipient_representative,
                "basis": r.basis,
                "items": list(r.items or ()),
                "provided_on": _iso(r.provided_on),
                "consent_confirmed": bool(r.consent_confirmed),
            }
            for r in provided
        ],
        "received": [
            {
                "provider_name": r.provider_name,
                "provider_address": r.provider_address,
                "provider_representative": r.provider_representative,
                "acquisition_method": r.acquisition_method,
                "basis": r.basis,
                "items": list(r.items or ()),
                "received_on": _iso(r.received_on),
            }
            for r in received
        ],
    }


def build_package(
    ledger: Ledger,
    conn: Connection,
    version: PolicyInForce,
    *,
    request_id: str,
    kind: RequestKind,
    subject_id: str | None,
    lang: str,
    only: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The disclosure (or provision-record disclosure) package as plain JSON data.

    Without a subject, or for an erased one, the package says truthfully that nothing is
    held; `only` limits a disclosure to the items the person asked about."""
    org = version.policy.organization
    package: dict[str, Any] = {
        "format": FORMAT,
        "request_id": request_id,
        "kind": kind.value,
        "lang": lang,
        "generated_at": _iso(ledger.now()),
        "organization": {
            "name": {"ja": org.name.ja, "en": org.name.en},
            "contact": org.contact.email if org.contact is not None else None,
        },
        "subject_id": subject_id,
    }
    if kind is RequestKind.DISCLOSURE:
        records = _records(ledger, conn, version, subject_id, only) if subject_id else []
        held = {r["item"] for r in records}
        package["items"] = records
        package["purposes"] = purposes_of(version, held, consent_state(conn, subject_id))
        package["consents"] = _consents(conn, version, subject_id) if subject_id else []
        package["restrictions"] = _restrictions(conn, version, subject_id) if subject_id else []
    package["provision_records"] = provision_records(conn, subject_id)
    return package


JST = timezone(timedelta(hours=9), "JST")
"""Times on the page are Japan time (no daylight saving), as the company keeps them."""


def _when(value: str | None) -> str:
    if not value:
        return "—"
    if "T" not in value:
        return value
    return datetime.fromisoformat(value).astimezone(JST).strftime("%Y-%m-%d %H:%M JST")


@functools.cache
def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("hogo.services.requests", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = _when
    return env


WORDS: dict[str, dict[str, str]] = {
    "ja": {
        "title": "保有個人データの開示",
        "title_records": "第三者提供記録の開示",
        "request": "受付番号",
        "generated": "作成日時",
        "items": "保有している個人データ",
        "item": "項目",
        "value": "内容",
        "source": "取得元",
        "collected": "取得日時",
        "retention": "消去予定日",
        "purposes": "利用目的",
        "consents": "同意・オプトアウトの記録",
        "purpose": "利用目的",
        "granted": "状態",
        "yes": "同意",
        "no": "撤回・停止",
        "at": "日時",
        "method": "方法",
        "restrictions": "利用停止等の措置",
        "scope": "対象",
        "lifted": "解除日時",
        "provided": "第三者への提供の記録（法第29条）",
        "received": "第三者からの受領の記録（法第30条）",
        "recipient": "提供先",
        "provider": "提供元",
        "date": "年月日",
        "basis": "根拠",
        "none": "該当するものはありません。",
        "nothing": "当社は、ご請求に係る保有個人データを保有しておりません。",
        "erased": "（消去済み）",
        "use": "利用",
        "provision": "第三者提供",
        "all": "すべての利用目的",
    },
    "en": {
        "title": "Disclosure of retained personal data",
        "title_records": "Disclosure of third-party provision records",
        "request": "Request number",
        "generated": "Prepared",
        "items": "Personal data we hold",
        "item": "Item",
        "value": "Value",
        "source": "Source",
        "collected": "Collected",
        "retention": "To be erased on",
        "purposes": "Purposes of use",
        "consents": "Consents and opt-outs on record",
        "purpose": "Purpose",
        "granted": "State",
        "yes": "given",
        "no": "withdrawn or opted out",
        "at": "When",
        "method": "How",
        "restrictions": "Suspensions of use or provision",
        "scope": "Scope",
        "lifted": "Lifted",
        "provided": "Records of provision to third parties (Art. 29)",
        "received": "Records of receipt from third parties (Art. 30)",
        "recipient": "Recipient",
        "provider": "Provider",
        "date": "Date",
        "basis": "Basis",
        "none": "None.",
        "nothing": "We hold no retained personal data about you that the request concerns.",
        "erased": "(erased)",
        "use": "use",
        "provision": "provision to third parties",
        "all": "every purpose",
    },
}


def render_html(package: dict[str, Any]) -> str:
    """One standalone page (inline style, no scripts, no external resources) in the
    package's language; every value is HTML-escaped."""
    lang = package["lang"]
    template = _templates().get_template("package.html.j2")
    return template.render(p=package, lang=lang, w=WORDS[lang])

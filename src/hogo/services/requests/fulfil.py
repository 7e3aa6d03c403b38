"""Fulfilling a request: the ledger itself is changed, in the same transaction as the answer.

- purpose notice (Art. 32(2)): the purposes the person's data serves, in both languages;
- disclosure (Art. 33(1)) and provision records (Art. 33(5)): a package (package.py);
- correction, addition (Art. 34): the records change; what a correction replaced is kept
  in `record_history`, still under the subject's key;
- deletion (Art. 34) and erasure (Art. 35(1)): `erasure.erase`, the whole subject by
  crypto-shredding or the items named;
- suspension of use (Art. 35(1)) and stop of provision (Art. 35(3)): restrictions with
  origin "request", which `use`, `eligible` and `provide` then honour.

The person is told the result in their language (Arts. 32(3), 33(3), 34(3), 35(7)).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Row

from hogo.domain.requests import Action, RequestKind, kind_label
from hogo.domain.retention import due_at_collection
from hogo.domain.values import InvalidValue, normalize
from hogo.ledger import tables as t
from hogo.ledger.tables_requests import record_history, requests
from hogo.services.collect import max_chars
from hogo.services.erasure import checkpoint, erase
from hogo.services.errors import BadInput, Refused
from hogo.services.ledger import Ledger, PolicyInForce, japan_date
from hogo.services.requests.common import (
    Request,
    add_event,
    audit,
    check_actor,
    check_id,
    check_names,
    load,
    move,
    notify,
    recipient,
    seal_answer,
    subject_cipher,
    to_request,
)
from hogo.services.requests.package import (
    build_package,
    consent_state,
    held_items,
    purposes_of,
    render_html,
)
from hogo.services.restrictions import suspend

REQUEST_SOURCE = "request"
"""The source of a record added at the person's request (Art. 34): they gave it themselves."""

_VALUES = frozenset({RequestKind.CORRECTION, RequestKind.ADDITION})
_ITEMS = frozenset({RequestKind.DISCLOSURE, RequestKind.DELETION, RequestKind.ERASURE})
_PURPOSES = frozenset({RequestKind.SUSPENSION_OF_USE, RequestKind.STOP_PROVISION})
_PACKAGES = frozenset({RequestKind.DISCLOSURE, RequestKind.PROVISION_RECORDS})
_ANSWERABLE_WITHOUT_SUBJECT = _PACKAGES | {RequestKind.PURPOSE_NOTICE}


@dataclass(frozen=True)
class Fulfilment:
    request: Request
    answer: dict[str, Any]
    """What was done or given, as stored (encrypted) with the request."""
    html: str | None = None
    """The disclosure package as a standalone page, for disclosure and provision records."""
    notified: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {**self.request.to_dict(), "answer": self.answer, "notified": self.notified}


def _check_options(
    kind: RequestKind,
    values: Mapping[str, str] | None,
    items: tuple[str, ...] | None,
    purposes: tuple[str, ...] | None,
) -> None:
    if values is not None and kind not in _VALUES:
        raise BadInput(f"values apply to correction and addition, not to {kind.value}")
    if kind in _VALUES and not values:
        raise BadInput(f"a {kind.value} needs the new values: ITEM=VALUE for each item")
    if items is not None and kind not in _ITEMS:
        raise BadInput(f"items apply to disclosure, deletion and erasure, not to {kind.value}")
    if purposes is not None and kind not in _PURPOSES:
        raise BadInput(
            f"purposes apply to suspension_of_use and stop_provision, not to {kind.value}"
        )


def _validated(version: PolicyInForce, values: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """item -> (stored, lookup), validated as collection validates (Art. 34: a correction
    must itself be true to form)."""
    out: dict[str, tuple[str, str]] = {}
    for item_id, raw in values.items():
        item = version.items.get(item_id)
        if item is None:
            raise BadInput(f"unknown item {item_id!r}; it is not declared in the policy")
        if not isinstance(raw, str):
            raise BadInput(f"item {item_id!r}: a value must be text")
        try:
            normalized = normalize(item.format.value, raw, max_chars=max_chars(item))
        except InvalidValue as exc:
            raise BadInput(f"item {item_id!r}: the value {exc}") from None
        out[item_id] = (normalized.stored, normalized.lookup)
    return out


def _change_records(
    ledger: Ledger,
    conn: Connection,
    version: PolicyInForce,
    row: Row[Any],
    kind: RequestKind,
    values: Mapping[str, str],
) -> dict[str, Any]:
    subject_id = row.subject_id
    cipher = subject_cipher(ledger, conn, subject_id)
    if cipher is None:
        raise Refused(f"subject {subject_id} has been erased", code="erased")
    checked = _validated(version, values)
    held = held_items(conn, subject_id)
    index = ledger.blind_index(conn)
    now = ledger.now()
    for item_id, (stored, lookup) in checked.items():
        item = version.items[item_id]
        digest = index.digest(item_id, lookup) if item.lookup else None
        if kind is RequestKind.CORRECTION:
            if item_id not in held:
                raise BadInput(
                    f"subject {subject_id} holds no {item_id}: that is an addition, not a correction"
                )
            for record in conn.execute(
                select(t.records.c.id, t.records.c.ciphertext).where(
                    t.records.c.subject_id == subject_id, t.records.c.item == item_id
                )
            ).all():
                conn.execute(
                    record_history.insert().values(
                        subject_id=subject_id,
                        record_id=record.id,
                        item=item_id,
                        ciphertext=record.ciphertext,
                        request_id=row.id,
                        replaced_at=now,
                    )
                )
                conn.execute(
                    update(t.records)
                    .where(t.records.c.id == record.id)
                    .values(ciphertext=cipher.encrypt(item_id, stored), blind_index=digest)
                )
        else:
            if item_id in held:
                raise BadInput(
                    f"subject {subject_id} already holds {item_id}: that is a correction, "
                    "not an addition"
                )
            terms = version.retention_of_item.get(item_id, (None,))
            conn.execute(
                t.records.insert().values(
                    subject_id=subject_id,
                    item=item_id,
                    source=REQUEST_SOURCE,
                    ciphertext=cipher.encrypt(item_id, stored),
                    blind_index=digest,
                    collected_at=now,
                    policy_version_id=version.version_id,
                    retention_due=due_at_collection(terms, japan_date(now)),
                    legal_hold=False,
                )
            )
    done = "corrected" if kind is RequestKind.CORRECTION else "added"
    return {done: sorted(checked)}


def _answer(
    ledger: Ledger,
    conn: Connection,
    version: PolicyInForce,
    row: Row[Any],
    kind: RequestKind,
    *,
    values: Mapping[str, str] | None,
    items: tuple[str, ...] | None,
    purposes: tuple[str, ...] | None,
    actor: str,
) -> dict[str, Any]:
    subject_id: str | None = row.subject_id
    if kind is RequestKind.PURPOSE_NOTICE:
        held = held_items(conn, subject_id)
        return {"purposes": purposes_of(version, held, consent_state(conn, subject_id))}
    if kind in _PACKAGES:
        for item_id in items or ():
            if version.policy.item(item_id) is None:
                raise BadInput(f"unknown item {item_id!r}; it is not declared in the policy")
        package = build_package(
            ledger,
            conn,
            version,
            request_id=row.id,
            kind=kind,
            subject_id=subject_id,
            lang=row.lang,
            only=items,
        )
        read = sorted({r["item"] for r in package.get("items", [])})
        if subject_id is not None:
            # Disclosure to the person is a legal duty, not a use: audited as its own action.
            audit(
                ledger,
                conn,
                action="request_disclose",
                actor=actor,
                request_id=row.id,
                subject_id=subject_id,
                items=read,
                reason=kind.value,
            )
        return package
    assert subject_id is not None
    if kind in _VALUES:
        return _change_records(ledger, conn, version, row, kind, values or {})
    reason = f"request {row.id}: {kind_label(kind, 'en')}"
    if kind in (RequestKind.DELETION, RequestKind.ERASURE):
        result = erase(ledger, subject_id, items=items, actor=actor, reason=reason, conn=conn)
        return {"erased": result.to_dict()}
    scope = "use" if kind is RequestKind.SUSPENSION_OF_USE else "provision"
    made = [
        suspend(
            ledger,
            subject_id,
            scope=scope,
            purpose=purpose,
            reason=reason,
            origin="request",
            actor=actor,
            conn=conn,
        ).id
        for purpose in (purposes or (None,))
    ]
    return {"restrictions": made, "scope": scope, "purposes": list(purposes or ())}


def _message(
    kind: RequestKind, answer: Mapping[str, Any], lang: str, version: PolicyInForce
) -> dict[str, Any]:
    """What the answer message says, by kind, in the person's language; never a value."""

    def labels(ids: Sequence[str]) -> list[str]:
        return [version.items[i].label[lang] if i in version.items else i for i in ids]

    context: dict[str, Any] = {"kind": kind.value, "purposes": [], "items": [], "whole": False}
    if kind is RequestKind.PURPOSE_NOTICE:
        context["purposes"] = [
            {"label": p["label"][lang], "description": p["description"][lang]}
            for p in answer["purposes"]
        ]
    elif kind in _VALUES:
        context["items"] = labels(
            answer["corrected" if kind is RequestKind.CORRECTION else "added"]
        )
    elif "erased" in answer:
        context["whole"] = answer["erased"]["scope"] == "subject"
        context["items"] = labels(answer["erased"]["items"])
    elif kind in _PURPOSES:
        chosen = set(answer["purposes"])
        context["purposes"] = [
            {"label": p.label[lang], "description": p.description[lang]}
            for p in version.policy.purposes
            if p.id in chosen
        ]
    return context


def _summary(kind: RequestKind, answer: Mapping[str, Any]) -> str:
    """One line for the request's history."""
    if kind is RequestKind.PURPOSE_NOTICE:
        return "purposes: " + (", ".join(p["id"] for p in answer["purposes"]) or "none held")
    if kind in _PACKAGES:
        held = sorted({r["item"] for r in answer.get("items", [])})
        records = answer["provision_records"]
        return (
            f"package: {len(answer.get('items', []))} records ({', '.join(held) or 'none'}), "
            f"{len(records['provided'])} provision and {len(records['received'])} receipt records"
        )
    if kind in _VALUES:
        key = "corrected" if kind is RequestKind.CORRECTION else "added"
        return f"{key}: {', '.join(answer[key])}"
    if "erased" in answer:
        erased = answer["erased"]
        if erased["scope"] == "subject":
            return f"erased the subject ({erased['records_deleted']} records, key destroyed)"
        return f"erased items: {', '.join(erased['items'])} ({erased['records_deleted']} records)"
    targets = ", ".join(answer["purposes"]) or "every purpose"
    ids = ", ".join(str(i) for i in answer["restrictions"])
    return f"suspended {answer['scope']} of {targets} (restrictions {ids})"


def fulfil(
    ledger: Ledger,
    request_id: str,
    *,
    values: Mapping[str, str] | None = None,
    items: Sequence[str] | None = None,
    purposes: Sequence[str] | None = None,
    actor: str,
) -> Fulfilment:
    """Do what the request asks and answer it, all in one transaction.

    `values` (ITEM=VALUE) for correction and addition; `items` to limit a disclosure, or a
    deletion or erasure to some items (default: the whole subject); `purposes` to limit a
    suspension or stop of provision (default: every purpose). Anything else is BadInput,
    and a failure writes nothing."""
    request_id = check_id(request_id)
    actor = check_actor(actor)
    only = check_names("items", items)
    for_purposes = check_names("purposes", purposes)
    if values is not None and not isinstance(values, Mapping):
        raise BadInput("values must be ITEM=VALUE pairs")
    now = ledger.now()
    erased_subject = False
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        row = load(conn, request_id)
        kind = RequestKind(row.kind)
        target = move(row, Action.FULFIL)
        _check_options(kind, values, only, for_purposes)
        if row.subject_id is None and kind not in _ANSWERABLE_WITHOUT_SUBJECT:
            raise BadInput(
                f"request {request_id} names no subject: identify the person at verification "
                "(--subject), or refuse it (ground not_retained)"
            )
        # The address is read before anything is erased (the answer outlives the data).
        to = recipient(ledger, conn, row, actor=actor, duty="request_answered")
        answer = _answer(
            ledger,
            conn,
            version,
            row,
            kind,
            values=values,
            items=only,
            purposes=for_purposes,
            actor=actor,
        )
        erased_subject = answer.get("erased", {}).get("scope") == "subject"
        conn.execute(
            update(requests)
            .where(requests.c.id == request_id)
            .values(
                state=target.value,
                closed_at=now,
                answer=seal_answer(
                    ledger, conn, request_id, row.subject_id, answer, personal=kind in _PACKAGES
                ),
            )
        )
        add_event(
            ledger,
            conn,
            request_id,
            actor=actor,
            action=Action.FULFIL.value,
            from_state=row.state,
            to_state=target.value,
            note=_summary(kind, answer),
        )
        audit(
            ledger,
            conn,
            action="request_fulfil",
            actor=actor,
            request_id=request_id,
            subject_id=row.subject_id,
            reason=kind.value,
        )
        notified = notify(
            ledger,
            conn,
            version,
            row,
            to=to,
            kind="request_answered",
            context=_message(kind, answer, row.lang, version),
        )
        updated = load(conn, request_id)
    if erased_subject:
        checkpoint(ledger)
    html = render_html(answer) if kind in _PACKAGES else None
    return Fulfilment(to_request(updated, japan_date(now)), answer, html, notified)

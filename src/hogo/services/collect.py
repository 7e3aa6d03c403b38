"""Collecting personal data: only what a declared source declares, validated, encrypted.

Everything is checked before anything is written, and everything is written in one
transaction with its audit entry: a refused or failed collection leaves no trace but the
refusal in the audit trail.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_
from sqlalchemy.engine import Connection

from hogo.domain.retention import due_at_collection
from hogo.domain.values import DEFAULT_MAX_CHARS, FREE_TEXT_MAX_CHARS, InvalidValue, normalize
from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append_many
from hogo.ledger.crypto import BlindIndex, SubjectCipher, WrappedKey, new_data_key
from hogo.ledger.sql import bulk_insert
from hogo.policy.schema import Basis, Item, ItemKind
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger, PolicyInForce, japan_date

CONSENT_METHODS = frozenset({"form", "portal", "api", "paper"})
MAX_EVIDENCE_CHARS = 2_000


@dataclass(frozen=True)
class Collection:
    """One act of collection from one source, about one person."""

    source: str
    values: Mapping[str, str]
    subject_id: str | None = None
    consents: Mapping[str, bool] = field(default_factory=dict)
    evidence: str | None = None
    method: str = "api"


@dataclass(frozen=True)
class Collected:
    subject_id: str
    created: bool
    records: int

    def to_dict(self) -> dict[str, object]:
        return {"subject_id": self.subject_id, "created": self.created, "records": self.records}


@dataclass(frozen=True)
class _Prepared:
    collection: Collection
    values: dict[str, tuple[str, str]]  # item -> (stored, lookup)
    lookups: dict[str, bytes]  # item -> blind index
    subject_kind: str


def max_chars(item: Item) -> int:
    if item.max_length is not None:
        return item.max_length
    if item.kind is ItemKind.FREE_TEXT:
        return FREE_TEXT_MAX_CHARS
    return DEFAULT_MAX_CHARS[item.format.value]


def _prepare(version: PolicyInForce, index: BlindIndex, collection: Collection) -> _Prepared:
    policy = version.policy
    source = next((s for s in policy.sources if s.id == collection.source), None)
    if source is None:
        known = ", ".join(s.id for s in policy.sources) or "none"
        raise BadInput(f"unknown source {collection.source!r}; the policy declares: {known}")
    if not collection.values:
        raise BadInput("nothing to collect: give at least one ITEM=VALUE")
    if collection.method not in CONSENT_METHODS:
        raise BadInput(
            f"unknown method {collection.method!r}; use one of {sorted(CONSENT_METHODS)}"
        )
    if collection.evidence is not None and len(collection.evidence) > MAX_EVIDENCE_CHARS:
        raise BadInput(f"evidence is longer than {MAX_EVIDENCE_CHARS} characters")
    values: dict[str, tuple[str, str]] = {}
    lookups: dict[str, bytes] = {}
    for item_id, raw in collection.values.items():
        item = version.items.get(item_id)
        if item is None:
            raise BadInput(f"unknown item {item_id!r}; it is not declared in the policy")
        if item_id not in source.items:
            # Art. 17(1), 20(1): collect only what the source announces it collects.
            raise Refused(
                f"source {source.id!r} does not declare item {item_id!r}; it collects: "
                f"{', '.join(source.items)}",
                code="item_not_declared_by_source",
            )
        if not isinstance(raw, str):
            raise BadInput(f"item {item_id!r}: a value must be text, not {type(raw).__name__}")
        try:
            normalized = normalize(item.format.value, raw, max_chars=max_chars(item))
        except InvalidValue as exc:
            raise BadInput(f"item {item_id!r}: the value {exc}") from None
        values[item_id] = (normalized.stored, normalized.lookup)
        if item.lookup:
            lookups[item_id] = index.digest(item_id, normalized.lookup)
    for purpose_id in collection.consents:
        purpose = policy.purpose(purpose_id)
        if purpose is None:
            raise BadInput(f"unknown purpose {purpose_id!r} in a consent")
        if purpose.basis is Basis.ANNOUNCED and not version.compiled.purposes[purpose_id].reconsent:
            # nothing to consent to, unless a revision asks for consent again (Art. 18(1))
            raise BadInput(
                f"purpose {purpose_id!r} is announced, not based on consent or opt-out: "
                "there is no consent to record"
            )
    return _Prepared(collection, values, lookups, source.subject_kind.value)


def _special_care_consented(
    version: PolicyInForce, prepared: _Prepared, existing: Mapping[str, bool]
) -> None:
    """Art. 20(2): special care-required data is acquired only with prior consent."""
    policy = version.policy
    granted = {**existing, **prepared.collection.consents}
    for item_id in prepared.values:
        item = version.items.get(item_id)
        if item is None or not item.special_care:
            continue
        covering = [
            p.id
            for p in policy.purposes
            if item_id in p.items and p.basis is Basis.CONSENT and granted.get(p.id) is True
        ]
        if not covering:
            raise Refused(
                f"item {item_id!r} is special care-required: record the person's consent to a "
                "purpose that uses it (e.g. --consent PURPOSE=yes) before collecting it",
                code="special_care_without_consent",
            )


def new_subject_id() -> str:
    return secrets.token_hex(16)


def collect(ledger: Ledger, collection: Collection, *, actor: str) -> Collected:
    return collect_many(ledger, [collection], actor=actor)[0]


LOOKUP_CHUNK = 500
"""Blind-index digests per look-up query: well under SQLite's parameter limit."""


@dataclass
class _Batch:
    """What one collect_many call knows of the subjects it touches, read in bulk up front."""

    by_digest: dict[tuple[str, bytes], set[str]]
    erased: dict[str, bool]
    wrapped: dict[str, WrappedKey]
    consents: dict[str, dict[str, bool]]
    ciphers: dict[str, SubjectCipher] = field(default_factory=dict)


def _read_batch(conn: Connection, prepared: Sequence[_Prepared]) -> _Batch:
    digests = sorted({(i, d) for p in prepared for i, d in p.lookups.items()})
    by_digest: dict[tuple[str, bytes], set[str]] = {}
    for start in range(0, len(digests), LOOKUP_CHUNK):
        pairs = digests[start : start + LOOKUP_CHUNK]
        # (item, blind_index) together, so the look-up uses ix_records_lookup.
        for match in conn.execute(
            select(t.records.c.item, t.records.c.blind_index, t.records.c.subject_id)
            .join(t.subjects, t.subjects.c.id == t.records.c.subject_id)
            .where(
                tuple_(t.records.c.item, t.records.c.blind_index).in_(pairs),
                t.subjects.c.erased_at.is_(None),
            )
            .distinct()
        ):
            by_digest.setdefault((match.item, match.blind_index), set()).add(match.subject_id)
    known = {s for found in by_digest.values() for s in found}
    known |= {p.collection.subject_id for p in prepared if p.collection.subject_id}
    erased: dict[str, bool] = {}
    wrapped: dict[str, WrappedKey] = {}
    consents: dict[str, dict[str, bool]] = {}
    ids = sorted(known)
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        for row in conn.execute(
            select(t.subjects.c.id, t.subjects.c.erased_at).where(t.subjects.c.id.in_(chunk))
        ):
            erased[row.id] = row.erased_at is not None
        for key_row in conn.execute(
            select(t.subject_keys).where(t.subject_keys.c.subject_id.in_(chunk))
        ):
            wrapped[key_row.subject_id] = WrappedKey(key_row.master_key_id, key_row.wrapped_key)
        for consent in conn.execute(
            select(t.consents.c.subject_id, t.consents.c.purpose, t.consents.c.granted)
            .where(t.consents.c.subject_id.in_(chunk))
            .order_by(t.consents.c.id)
        ):
            consents.setdefault(consent.subject_id, {})[consent.purpose] = bool(consent.granted)
    return _Batch(by_digest, erased, wrapped, consents)


def collect_many(
    ledger: Ledger, collections: Sequence[Collection], *, actor: str
) -> list[Collected]:
    """Collect for many people in one transaction: all are written, or none (with the reason).

    Subjects are looked up, and existing ones read, in a few bulk queries for the whole
    batch; rows are written with one executemany per table. The same person twice in a
    batch (found by a lookup item) is one subject.
    """
    now = ledger.now()
    with ledger.engine.begin() as conn:
        version = ledger.policy_in_force(conn)
        index = ledger.blind_index(conn)
        prepared = [_prepare(version, index, c) for c in collections]
        batch = _read_batch(conn, prepared)
        results: list[Collected] = []
        subject_rows: list[dict[str, object]] = []
        key_rows: list[dict[str, object]] = []
        record_rows: list[dict[str, object]] = []
        consent_rows: list[dict[str, object]] = []
        entries: list[AuditEntry] = []
        for item in prepared:
            subject_id, created = _resolve_subject(version, item, batch)
            if created:
                data_key = new_data_key()
                wrapped = ledger.keys.wrap(data_key, context=subject_id.encode())
                subject_rows.append(
                    {
                        "id": subject_id,
                        "kind": item.subject_kind,
                        "created_at": now,
                        "policy_version_id": version.version_id,
                    }
                )
                key_rows.append(
                    {
                        "subject_id": subject_id,
                        "master_key_id": wrapped.master_key_id,
                        "wrapped_key": wrapped.blob,
                    }
                )
                batch.ciphers[subject_id] = SubjectCipher(data_key, subject_id)
                batch.erased[subject_id] = False
            cipher = _cipher(ledger, batch, subject_id)
            for digest_key in item.lookups.items():
                batch.by_digest.setdefault(digest_key, set()).add(subject_id)
            merged = batch.consents.setdefault(subject_id, {})
            merged.update(item.collection.consents)
            for item_id, (stored, _lookup) in item.values.items():
                terms = version.retention_of_item.get(item_id, (None,))
                record_rows.append(
                    {
                        "subject_id": subject_id,
                        "item": item_id,
                        "source": item.collection.source,
                        "ciphertext": cipher.encrypt(item_id, stored),
                        "blind_index": item.lookups.get(item_id),
                        "collected_at": now,
                        "policy_version_id": version.version_id,
                        "retention_due": due_at_collection(terms, japan_date(now)),
                        "legal_hold": False,
                    }
                )
            for purpose_id, granted in item.collection.consents.items():
                consent_rows.append(
                    {
                        "subject_id": subject_id,
                        "purpose": purpose_id,
                        "granted": granted,
                        "at": now,
                        "policy_version_id": version.version_id,
                        "method": item.collection.method,
                        "evidence": item.collection.evidence,
                    }
                )
            entries.append(
                AuditEntry(
                    at=now,
                    actor=actor,
                    action="collect",
                    outcome="done",
                    subject_id=subject_id,
                    items=tuple(item.values),
                    detail={
                        "source": item.collection.source,
                        "created": created,
                        "policy_version_id": version.version_id,
                        "consents": dict(item.collection.consents),
                    },
                )
            )
            results.append(Collected(subject_id, created, len(item.values)))
        bulk_insert(conn, t.subjects, subject_rows)
        bulk_insert(conn, t.subject_keys, key_rows)
        bulk_insert(conn, t.records, record_rows)
        bulk_insert(conn, t.consents, consent_rows)
        append_many(conn, entries)
    return results


def _cipher(ledger: Ledger, batch: _Batch, subject_id: str) -> SubjectCipher:
    cipher = batch.ciphers.get(subject_id)
    if cipher is None:
        cipher = batch.ciphers[subject_id] = ledger.subject_cipher(
            subject_id, batch.wrapped[subject_id]
        )
    return cipher


def _resolve_subject(version: PolicyInForce, item: _Prepared, batch: _Batch) -> tuple[str, bool]:
    """The subject this collection is about (given, found, or new) and whether it is new."""
    given = item.collection.subject_id
    if given is not None:
        if given not in batch.erased:
            raise NotFound(f"no subject {given}")
        if batch.erased[given] or (given not in batch.wrapped and given not in batch.ciphers):
            raise Refused(f"subject {given} has been erased", code="erased")
        subject_id: str | None = given
    else:
        found = {s for key in item.lookups.items() for s in batch.by_digest.get(key, ())}
        if len(found) > 1:
            raise BadInput(
                f"the values match {len(found)} different subjects ({', '.join(sorted(found))}); "
                "say which with --subject"
            )
        subject_id = found.pop() if found else None
    if subject_id is not None:
        _special_care_consented(version, item, batch.consents.get(subject_id, {}))
        return subject_id, False
    _special_care_consented(version, item, {})
    return new_subject_id(), True

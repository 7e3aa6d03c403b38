"""Looking people up: find a subject by e-mail or phone, and show what the ledger holds.

`find` goes through the blind index only: the value given is normalised exactly as at
collection and compared as a keyed HMAC, so nothing is decrypted and "Hanako@Example.JP "
finds "hanako@example.jp". `show` without a purpose reads metadata only (items, counts,
dates, consents, restrictions) and masks every value without decrypting it, so it needs no
audit entry; with a purpose it reads the values through `use`, where the purpose check
decides and the read is audited, allowed or refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from hogo.domain.values import InvalidValue, normalize
from hogo.ledger import tables as t
from hogo.ledger.audit import AuditEntry, append
from hogo.ledger.engine import READ_ONLY
from hogo.policy.schema import LANGS, Item
from hogo.services.collect import max_chars
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger, PolicyInForce
from hogo.services.use import UseResult, use

MASK = "••••"
"""Shown for every value when no purpose is given: nothing is decrypted to show it."""


def _aware(at: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True)
class SubjectSummary:
    """A subject a lookup found, and which lookup items matched."""

    subject_id: str
    kind: str
    created_at: datetime
    matched: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "subject_id": self.subject_id,
            "kind": self.kind,
            "created_at": _iso(self.created_at),
            "matched": list(self.matched),
        }


def _lookup_items(policy_items: Sequence[Item], fmt: str, what: str) -> list[Item]:
    of_format = [i for i in policy_items if i.format.value == fmt]
    found = [i for i in of_format if i.lookup]
    if not found:
        if of_format:
            names = ", ".join(i.id for i in of_format)
            raise BadInput(
                f"the policy in force has no {what} item marked `lookup: true` "
                f"({names} cannot be looked up)"
            )
        raise BadInput(f"the policy in force has no {what} item to look up")
    return found


def _items_to_search(
    version: PolicyInForce,
    *,
    email: str | None,
    phone: str | None,
    item: str | None,
    value: str | None,
) -> tuple[list[Item], str, str]:
    """The lookup items to search, the value given, and how to name it in messages."""
    asked = [name for name, given in (("email", email), ("phone", phone)) if given is not None]
    if item is not None or value is not None:
        asked.append("item")
    if len(asked) != 1:
        raise BadInput("give exactly one of: an e-mail, a phone number, or an item with a value")
    items = version.policy.items
    if email is not None:
        return _lookup_items(items, "email", "e-mail"), email, "the e-mail address"
    if phone is not None:
        return _lookup_items(items, "phone_jp", "telephone"), phone, "the telephone number"
    if item is None or value is None:
        raise BadInput("an item and a value go together: give both")
    declared = version.policy.item(item)
    if declared is None:
        raise BadInput(f"unknown item {item!r}; it is not declared in the policy in force")
    if not declared.lookup:
        raise BadInput(
            f"item {item!r} is not a lookup item: only items with `lookup: true` are indexed"
        )
    return [declared], value, f"item {item!r}: the value"


def find(
    ledger: Ledger,
    *,
    email: str | None = None,
    phone: str | None = None,
    item: str | None = None,
    value: str | None = None,
    actor: str = "cli",
) -> list[SubjectSummary]:
    """Subjects (not erased) holding this e-mail, phone number or lookup item value.

    Nothing is decrypted, but asking whether a person is in the ledger is an access: it is
    audited (action "lookup") with the items searched and the subjects found, never the value.
    """
    for given in (email, phone, item, value):
        if given is not None and not isinstance(given, str):
            raise BadInput(f"a lookup value must be text, not {type(given).__name__}")
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        version = ledger.policy_in_force(conn)
        items, raw, what = _items_to_search(
            version, email=email, phone=phone, item=item, value=value
        )
        lookups: dict[str, str] = {}
        problems: list[str] = []
        for candidate in items:
            try:
                normalized = normalize(candidate.format.value, raw, max_chars=max_chars(candidate))
            except InvalidValue as exc:
                problems.append(str(exc))
                continue
            lookups[candidate.id] = normalized.lookup
        if not lookups:
            raise BadInput(f"{what} {problems[0]}")
        if conn.execute(select(t.index_keys.c.id).where(t.index_keys.c.id == 1)).first() is None:
            return []  # nothing has ever been indexed (and a read creates no key)
        index = ledger.blind_index(conn)
        wanted = [
            and_(t.records.c.item == item_id, t.records.c.blind_index == index.digest(item_id, v))
            for item_id, v in lookups.items()
        ]
        rows = conn.execute(
            select(
                t.records.c.subject_id,
                t.records.c.item,
                t.subjects.c.kind,
                t.subjects.c.created_at,
            )
            .join(t.subjects, t.subjects.c.id == t.records.c.subject_id)
            .where(or_(*wanted), t.subjects.c.erased_at.is_(None))
            .distinct()
        ).all()
    found: dict[str, tuple[str, datetime, set[str]]] = {}
    for row in rows:
        entry = found.setdefault(row.subject_id, (row.kind, _aware(row.created_at), set()))
        entry[2].add(row.item)
    with ledger.engine.begin() as conn:
        append(
            conn,
            AuditEntry(
                at=ledger.now(),
                actor=actor,
                action="lookup",
                outcome="done",
                items=tuple(sorted(lookups)),
                detail={"subjects": sorted(found)},
            ),
        )
    return sorted(
        (
            SubjectSummary(subject_id, kind, created, tuple(sorted(matched)))
            for subject_id, (kind, created, matched) in found.items()
        ),
        key=lambda s: (s.created_at, s.subject_id),
    )


@dataclass(frozen=True)
class HeldItem:
    """One item held about the subject: its latest record, and how many there are."""

    item: str
    label: str
    records: int
    source: str
    collected_at: datetime
    retention_due: date | None
    value: str
    """MASK, or the value when a purpose was given and the check allowed it."""
    revealed: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "item": self.item,
            "label": self.label,
            "records": self.records,
            "source": self.source,
            "collected_at": _iso(self.collected_at),
            "retention_due": _iso(self.retention_due),
            "value": self.value,
            "revealed": self.revealed,
        }


@dataclass(frozen=True)
class ConsentState:
    purpose: str
    label: str
    granted: bool
    at: datetime
    method: str

    def to_dict(self) -> dict[str, object]:
        return {
            "purpose": self.purpose,
            "label": self.label,
            "granted": self.granted,
            "at": _iso(self.at),
            "method": self.method,
        }


@dataclass(frozen=True)
class ActiveRestriction:
    id: int
    scope: str  # use | provision
    purpose: str | None  # None: every purpose
    reason: str
    origin: str
    created_at: datetime

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "scope": self.scope,
            "purpose": self.purpose,
            "reason": self.reason,
            "origin": self.origin,
            "created_at": _iso(self.created_at),
        }


@dataclass(frozen=True)
class SubjectView:
    subject_id: str
    kind: str
    created_at: datetime
    erased_at: datetime | None
    policy_version_id: int
    policy_version: str
    items: tuple[HeldItem, ...]
    consents: tuple[ConsentState, ...]
    restrictions: tuple[ActiveRestriction, ...]
    provisions: int
    """Provision records (Art. 29) kept about this subject."""
    purpose: str | None = None
    use: UseResult | None = field(default=None, repr=False)
    """The purpose check's answer when a purpose was given (its values are in `items`)."""

    @property
    def erased(self) -> bool:
        return self.erased_at is not None

    def to_dict(self, lang: str = "en") -> dict[str, object]:
        out: dict[str, object] = {
            "subject_id": self.subject_id,
            "kind": self.kind,
            "created_at": _iso(self.created_at),
            "erased": self.erased,
            "erased_at": _iso(self.erased_at),
            "policy_version_id": self.policy_version_id,
            "policy_version": self.policy_version,
            "items": [i.to_dict() for i in self.items],
            "consents": [c.to_dict() for c in self.consents],
            "restrictions": [r.to_dict() for r in self.restrictions],
            "provisions": self.provisions,
            "purpose": self.purpose,
            "decision": None,
        }
        if self.use is not None:
            decision = self.use.decision
            out["decision"] = {
                "allowed": decision.allowed,
                "reason": decision.reason.value,
                "message": decision.sentence("ja" if lang == "ja" else "en"),
                "items": list(decision.items),
            }
        return out


def _label(version: PolicyInForce, kind: str, key: str, lang: str) -> str:
    found = version.policy.item(key) if kind == "item" else version.policy.purpose(key)
    return key if found is None else found.label[lang]


def _read(
    ledger: Ledger, conn: Connection, subject_id: str, lang: str
) -> tuple[SubjectView, PolicyInForce]:
    subject = conn.execute(select(t.subjects).where(t.subjects.c.id == subject_id)).first()
    if subject is None:
        raise NotFound(f"no subject {subject_id}")
    version = ledger.policy_in_force(conn)
    collected = ledger.policy_version(conn, int(subject.policy_version_id))
    held: dict[str, HeldItem] = {}
    for row in conn.execute(
        select(
            t.records.c.item,
            t.records.c.source,
            t.records.c.collected_at,
            t.records.c.retention_due,
        )
        .where(t.records.c.subject_id == subject_id)
        .order_by(t.records.c.id)
    ):
        before = held.get(row.item)
        held[row.item] = HeldItem(
            item=row.item,
            label=_label(version, "item", row.item, lang),
            records=1 if before is None else before.records + 1,
            source=row.source,
            collected_at=_aware(row.collected_at),
            retention_due=row.retention_due,
            value=MASK,
        )
    consents: dict[str, ConsentState] = {}
    for row in conn.execute(
        select(t.consents.c.purpose, t.consents.c.granted, t.consents.c.at, t.consents.c.method)
        .where(t.consents.c.subject_id == subject_id)
        .order_by(t.consents.c.id)
    ):
        consents[row.purpose] = ConsentState(
            purpose=row.purpose,
            label=_label(version, "purpose", row.purpose, lang),
            granted=bool(row.granted),
            at=_aware(row.at),
            method=row.method,
        )
    restrictions = tuple(
        ActiveRestriction(
            id=int(row.id),
            scope=row.scope,
            purpose=row.purpose,
            reason=row.reason,
            origin=row.origin,
            created_at=_aware(row.created_at),
        )
        for row in conn.execute(
            select(t.restrictions)
            .where(t.restrictions.c.subject_id == subject_id, t.restrictions.c.lifted_at.is_(None))
            .order_by(t.restrictions.c.id)
        )
    )
    provisions = conn.execute(
        select(func.count())
        .select_from(t.provision_records)
        .where(t.provision_records.c.subject_id == subject_id)
    ).scalar_one()
    view = SubjectView(
        subject_id=subject_id,
        kind=subject.kind,
        created_at=_aware(subject.created_at),
        erased_at=None if subject.erased_at is None else _aware(subject.erased_at),
        policy_version_id=collected.version_id,
        policy_version=collected.version,
        items=tuple(sorted(held.values(), key=lambda i: i.item)),
        consents=tuple(sorted(consents.values(), key=lambda c: c.purpose)),
        restrictions=restrictions,
        provisions=int(provisions),
    )
    return view, version


def show(
    ledger: Ledger,
    subject_id: str,
    *,
    purpose: str | None = None,
    actor: str | None = None,
    lang: str = "en",
) -> SubjectView:
    """What the ledger holds about a subject. Values stay masked (and undecrypted) unless a
    purpose is given; then they come from `use`, which decides and audits the read."""
    if lang not in LANGS:
        raise BadInput(f"unknown language {lang!r}; use ja or en")
    if purpose is not None and (actor is None or not actor.strip()):
        raise BadInput("reading values for a purpose needs an actor: who is reading?")
    if purpose is None and actor is not None:
        raise BadInput("an actor is only used with a purpose: give --purpose too")
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn:
        view, version = _read(ledger, conn, subject_id, lang)
    if purpose is None or actor is None:
        return view
    held = [i.item for i in view.items]
    compiled = version.compiled.purposes.get(purpose)
    mapped = [i for i in held if compiled is not None and i in compiled.items]
    # Ask for what the purpose may see; when it may see none of what is held, ask for
    # everything held so the refusal says which item is not mapped.
    result = use(ledger, subject_id, purpose=purpose, items=mapped or held, actor=actor)
    values = result.values or {}
    items = tuple(
        HeldItem(
            item=i.item,
            label=i.label,
            records=i.records,
            source=i.source,
            collected_at=i.collected_at,
            retention_due=i.retention_due,
            value=values.get(i.item, MASK),
            revealed=i.item in values,
        )
        for i in view.items
    )
    return SubjectView(
        subject_id=view.subject_id,
        kind=view.kind,
        created_at=view.created_at,
        erased_at=view.erased_at,
        policy_version_id=view.policy_version_id,
        policy_version=view.policy_version,
        items=items,
        consents=view.consents,
        restrictions=view.restrictions,
        provisions=view.provisions,
        purpose=purpose,
        use=result,
    )

"""The register of anonymously processed information: what was made, when, and how.

A creation's dataset, items and date are public (APPI Art. 43(3)): they are listed freely
and announced in the policy. Its processing method (the generalisation levels and
hierarchies chosen, the unusual values replaced) is not: it is kept encrypted with the
register key (Art. 43(2), Rules Art. 35), and reading it is limited to the privacy
officer and audited, allowed or refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from hogo.ledger.audit import AuditEntry, Json, append
from hogo.ledger.engine import READ_ONLY
from hogo.ledger.tables_anonymized import anonymized_creations, anonymized_provisions
from hogo.services.consent import aware
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger
from hogo.services.use import actor_role

METHOD_READERS = frozenset({"officer"})
"""Roles that may read a processing method (Rules Art. 35(i), (iii): the people
authorised to handle it are defined, and no one else gets at it). `officer` is the
privacy officer, the role every command acts as unless told otherwise."""

MAX_ACTOR_CHARS = 200


def method_aad(creation_id: int) -> str:
    """Associated data of a method's ciphertext: it opens only on its own row."""
    return f"anonymized_creation:{creation_id}:method"


@dataclass(frozen=True)
class Provision:
    """One provision of a creation to a third party (Art. 43(4))."""

    id: int
    creation_id: int
    provided_at: datetime
    provided_on: date
    actor: str
    recipient: str
    method: str | None
    items: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "creation_id": self.creation_id,
            "provided_at": self.provided_at.isoformat(),
            "provided_on": self.provided_on.isoformat(),
            "actor": self.actor,
            "recipient": self.recipient,
            "method": self.method,
            "items": list(self.items),
        }


@dataclass(frozen=True)
class Creation:
    """One anonymised dataset made from the ledger, with its measures and provisions."""

    id: int
    dataset: str
    label: Mapping[str, str]
    items: tuple[str, ...]
    item_labels: Mapping[str, Mapping[str, str]]
    created_at: datetime
    created_on: date
    actor: str
    purpose: str
    policy_version_id: int
    k: int
    l: int | None  # noqa: E741 - the name the literature gives it (l-diversity)
    classes: int
    rows_released: int
    suppressed: int
    subjects_refused: int
    loss: float
    risk_highest: float
    risk_average: float
    digest: str
    provisions: tuple[Provision, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "dataset": self.dataset,
            "label": dict(self.label),
            "items": list(self.items),
            "created_at": self.created_at.isoformat(),
            "created_on": self.created_on.isoformat(),
            "actor": self.actor,
            "purpose": self.purpose,
            "policy_version_id": self.policy_version_id,
            "k": self.k,
            "l": self.l,
            "classes": self.classes,
            "rows_released": self.rows_released,
            "suppressed": self.suppressed,
            "subjects_refused": self.subjects_refused,
            "loss": self.loss,
            "risk_highest": self.risk_highest,
            "risk_average": self.risk_average,
            "digest": self.digest,
            "provisions": [p.to_dict() for p in self.provisions],
        }


@dataclass(frozen=True)
class NewCreation:
    """What the anonymisation run hands the register to record."""

    dataset: str
    label: Mapping[str, str]
    items: tuple[str, ...]
    item_labels: Mapping[str, Mapping[str, str]]
    actor: str
    purpose: str
    policy_version_id: int
    k: int
    l: int | None  # noqa: E741
    classes: int
    rows_released: int
    suppressed: int
    subjects_refused: int
    loss: float
    risk_highest: float
    risk_average: float
    digest: str
    method: Mapping[str, Json]


def record_creation(ledger: Ledger, conn: Connection, new: NewCreation) -> tuple[int, datetime]:
    """Write the creation in the caller's transaction, the method encrypted; audited."""
    now = ledger.now()
    creation_id = int(
        conn.execute(
            anonymized_creations.insert()
            .values(
                dataset=new.dataset,
                label=dict(new.label),
                items=list(new.items),
                item_labels={k: dict(v) for k, v in new.item_labels.items()},
                created_at=now,
                created_on=ledger.today(),
                actor=new.actor,
                purpose=new.purpose,
                policy_version_id=new.policy_version_id,
                k=new.k,
                l=new.l,
                classes=new.classes,
                rows_released=new.rows_released,
                suppressed=new.suppressed,
                subjects_refused=new.subjects_refused,
                loss=new.loss,
                risk_highest=new.risk_highest,
                risk_average=new.risk_average,
                digest=new.digest,
                method=b"",
            )
            .returning(anonymized_creations.c.id)
        ).scalar_one()
    )
    blob = ledger.register_cipher(conn).encrypt(
        method_aad(creation_id), json.dumps(new.method, ensure_ascii=False, sort_keys=True)
    )
    conn.execute(
        anonymized_creations.update()
        .where(anonymized_creations.c.id == creation_id)
        .values(method=blob)
    )
    append(
        conn,
        AuditEntry(
            at=now,
            actor=new.actor,
            action="anonymize",
            outcome="done",
            purpose=new.purpose,
            items=new.items,
            detail={
                "creation_id": creation_id,
                "dataset": new.dataset,
                "k": new.k,
                "l": new.l,
                "rows_released": new.rows_released,
                "suppressed": new.suppressed,
                "subjects_refused": new.subjects_refused,
                "digest": new.digest,
                "policy_version_id": new.policy_version_id,
            },
        ),
    )
    return creation_id, now


def _provision(row: Row[Any]) -> Provision:
    return Provision(
        id=int(row.id),
        creation_id=int(row.creation_id),
        provided_at=aware(row.provided_at),
        provided_on=row.provided_on,
        actor=row.actor,
        recipient=row.recipient,
        method=row.method,
        items=tuple(row.items),
    )


def _creation(row: Row[Any], provisions: tuple[Provision, ...]) -> Creation:
    return Creation(
        id=int(row.id),
        dataset=row.dataset,
        label=dict(row.label),
        items=tuple(row.items),
        item_labels={k: dict(v) for k, v in row.item_labels.items()},
        created_at=aware(row.created_at),
        created_on=row.created_on,
        actor=row.actor,
        purpose=row.purpose,
        policy_version_id=int(row.policy_version_id),
        k=int(row.k),
        l=None if row.l is None else int(row.l),
        classes=int(row.classes),
        rows_released=int(row.rows_released),
        suppressed=int(row.suppressed),
        subjects_refused=int(row.subjects_refused),
        loss=float(row.loss),
        risk_highest=float(row.risk_highest),
        risk_average=float(row.risk_average),
        digest=row.digest,
        provisions=provisions,
    )


_PUBLIC = [c for c in anonymized_creations.c if c.name != "method"]
"""Every column but the method: listing never so much as reads the ciphertext."""


def _read(conn: Connection, *, dataset: str | None, creation_id: int | None) -> list[Creation]:
    query = select(*_PUBLIC).order_by(anonymized_creations.c.id)
    if dataset is not None:
        query = query.where(anonymized_creations.c.dataset == dataset)
    if creation_id is not None:
        query = query.where(anonymized_creations.c.id == creation_id)
    rows = conn.execute(query).all()
    ids = [int(row.id) for row in rows]
    provisions: dict[int, list[Provision]] = {i: [] for i in ids}
    if ids:
        for prow in conn.execute(
            select(anonymized_provisions)
            .where(anonymized_provisions.c.creation_id.in_(ids))
            .order_by(anonymized_provisions.c.id)
        ):
            provisions[int(prow.creation_id)].append(_provision(prow))
    return [_creation(row, tuple(provisions[int(row.id)])) for row in rows]


def list_creations(ledger: Ledger, *, dataset: str | None = None) -> list[Creation]:
    """Every creation, oldest first, with its provisions; no method is read."""
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
        return _read(conn, dataset=dataset, creation_id=None)


def _creation_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadInput(f"a creation id is a positive whole number, not {value!r}")
    return value


def get_creation(conn: Connection, creation_id: int) -> Creation:
    found = _read(conn, dataset=None, creation_id=_creation_id(creation_id))
    if not found:
        raise NotFound(f"no anonymised dataset creation #{creation_id}")
    return found[0]


def show_creation(ledger: Ledger, creation_id: int) -> Creation:
    with ledger.engine.connect().execution_options(**{READ_ONLY: True}) as conn, conn.begin():
        return get_creation(conn, creation_id)


def check_actor(actor: object) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise BadInput("an actor is required: who is acting?")
    if len(actor) > MAX_ACTOR_CHARS:
        raise BadInput(f"the actor is {len(actor):,} characters long; at most {MAX_ACTOR_CHARS}")
    return actor


def read_method(ledger: Ledger, creation_id: int, *, actor: str) -> dict[str, Any]:
    """The processing method of a creation, for the people authorised to read it.

    Every attempt is audited ("anonymized_method_read"), refused ones too, so the trail
    shows who tried to get at a method (Rules Art. 35(iii)).
    """
    check_actor(actor)
    creation_id = _creation_id(creation_id)
    allowed = actor_role(actor) in METHOD_READERS
    with ledger.engine.begin() as conn:
        row = conn.execute(
            select(anonymized_creations.c.method, anonymized_creations.c.dataset).where(
                anonymized_creations.c.id == creation_id
            )
        ).first()
        if row is None:
            raise NotFound(f"no anonymised dataset creation #{creation_id}")
        method: dict[str, Any] | None = None
        if allowed:
            text = ledger.register_cipher(conn).decrypt(method_aad(creation_id), row.method)
            method = json.loads(text)
        append(
            conn,
            AuditEntry(
                at=ledger.now(),
                actor=actor,
                action="anonymized_method_read",
                outcome="allowed" if allowed else "refused",
                reason=None if allowed else "actor_not_allowed",
                detail={"creation_id": creation_id, "dataset": row.dataset},
            ),
        )
    if method is None:
        roles = ", ".join(sorted(METHOD_READERS))
        raise Refused(
            f"{actor!r} may not read the processing method of an anonymised dataset; "
            f"only the role(s) {roles} may (APPI Art. 43(2), Rules Art. 35)",
            code="actor_not_allowed",
        )
    return method

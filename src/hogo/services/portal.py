"""What the portal needs: one-time codes by e-mail, and a person's preferences.

No answer tells whether an address is known. Asking for a code always gets the same
reply; a code is mailed only where there is something to show (a subject holds the
address) or when the person is making a request (anyone may, Arts. 32–35). Codes are six
digits, valid CODE_MINUTES, tried at most MAX_TRIES times, and at most CODES_PER_HOUR are
issued per address and purpose: guessing one is a 1-in-200,000 chance at best.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, func, insert, select, update

from hogo.domain.values import InvalidValue, normalize
from hogo.ledger.tables_access import portal_codes
from hogo.services.consent import current_consents, record_consent
from hogo.services.errors import BadInput, Refused
from hogo.services.ledger import Ledger
from hogo.services.outbox import enqueue
from hogo.services.subjects import find

CODE_MINUTES = 15
MAX_TRIES = 5
CODES_PER_HOUR = 5
PURPOSES = ("preferences", "request")


def normalized_address(email: str) -> str:
    try:
        return normalize("email", email, max_chars=320).lookup
    except InvalidValue as exc:
        raise BadInput(f"the e-mail address {exc}") from None


def _address_index(ledger: Ledger, conn: Connection, address: str) -> bytes:
    return ledger.blind_index(conn).digest("portal-address", address)


def _code_hash(ledger: Ledger, conn: Connection, address: str, code: str) -> bytes:
    return ledger.blind_index(conn).digest("portal-code", f"{address}\x1f{code}")


def request_code(ledger: Ledger, email: str, *, purpose: str, lang: str) -> None:
    """Issue and mail a code when there is reason to; the caller says the same either way."""
    if purpose not in PURPOSES:
        raise BadInput(f"unknown code purpose {purpose!r}")
    address = normalized_address(email)
    holds = purpose == "request" or bool(find(ledger, email=address, actor="portal"))
    now = ledger.now()
    with ledger.engine.begin() as conn:
        index = _address_index(ledger, conn, address)
        recent = conn.execute(
            select(func.count())
            .select_from(portal_codes)
            .where(
                portal_codes.c.address_index == index,
                portal_codes.c.purpose == purpose,
                portal_codes.c.created_at > now - timedelta(hours=1),
            )
        ).scalar_one()
        if recent >= CODES_PER_HOUR:
            raise Refused(
                "too many codes were asked for this address; try again in an hour",
                code="rate_limited",
            )
        code = f"{secrets.randbelow(1_000_000):06d}"
        conn.execute(
            insert(portal_codes).values(
                address_index=index,
                purpose=purpose,
                code_hash=_code_hash(ledger, conn, address, code),
                created_at=now,
                expires_at=now + timedelta(minutes=CODE_MINUTES),
                attempts=0,
            )
        )
        if holds:
            version = ledger.policy_in_force(conn)
            enqueue(
                ledger,
                conn,
                kind="portal_code",
                lang=lang,
                to=address,
                context={
                    "company": version.policy.organization.name[lang],
                    "code": code,
                    "minutes": CODE_MINUTES,
                },
            )


def check_code(ledger: Ledger, email: str, code: str, *, purpose: str) -> bool:
    """True once for the right, unexpired code; every try counts against MAX_TRIES."""
    address = normalized_address(email)
    now = ledger.now()
    with ledger.engine.begin() as conn:
        index = _address_index(ledger, conn, address)
        row = conn.execute(
            select(portal_codes)
            .where(
                portal_codes.c.address_index == index,
                portal_codes.c.purpose == purpose,
                portal_codes.c.used_at.is_(None),
                portal_codes.c.expires_at > now,
            )
            .order_by(portal_codes.c.id.desc())
            .limit(1)
        ).first()
        if row is None or row.attempts >= MAX_TRIES:
            return False
        right = isinstance(code, str) and hmac.compare_digest(
            row.code_hash, _code_hash(ledger, conn, address, code.strip())
        )
        conn.execute(
            update(portal_codes)
            .where(portal_codes.c.id == row.id)
            .values(attempts=row.attempts + 1, used_at=now if right else None)
        )
    return right


@dataclass(frozen=True)
class Preference:
    subject_id: str
    purpose: str
    label: str
    description: str
    basis: str
    """"consent" (off until given) or "opt_out" (on until refused)."""
    on: bool


def preferences(ledger: Ledger, email: str, *, lang: str) -> list[Preference]:
    """The choices a person has, for every subject holding the address (after a code)."""
    found = find(ledger, email=normalized_address(email), actor="portal")
    with ledger.engine.connect() as conn:
        version = ledger.policy_in_force(conn)
    choices: list[Preference] = []
    for subject in found:
        state = current_consents(ledger, subject.subject_id)
        for purpose in version.policy.purposes:
            compiled = version.compiled.purposes.get(purpose.id)
            # An announced purpose changed beyond its old scope asks for consent again
            # (Art. 17(2)); until it is given the purpose is off for this person.
            asks = compiled is not None and compiled.reconsent is not None
            if purpose.basis.value not in ("consent", "opt_out") and not asks:
                continue
            default = purpose.basis.value == "opt_out"
            choices.append(
                Preference(
                    subject_id=subject.subject_id,
                    purpose=purpose.id,
                    label=purpose.label[lang],
                    description=purpose.description[lang],
                    basis=purpose.basis.value,
                    on=state.get(purpose.id, default),
                )
            )
    return choices


def set_preference(ledger: Ledger, email: str, *, purpose: str, on: bool) -> int:
    """Record the choice for every subject holding the address; returns how many."""
    found = find(ledger, email=normalized_address(email), actor="portal")
    for subject in found:
        record_consent(
            ledger,
            subject.subject_id,
            purpose=purpose,
            granted=on,
            actor="portal",
            evidence="changed by the person on the portal after an e-mail code",
            method="portal",
        )
    return len(found)

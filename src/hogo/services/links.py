"""Signed links in messages: a marketing mail's one-click opt-out.

The link carries the subject and the purpose, signed with the ledger's signing secret
(itsdangerous): it cannot be made for someone else or another purpose, and it needs no
log-in, so opting out takes one click (a right the policy promises; Art. 27(2) for
opt-out provision, and what marketing law expects). It does not expire: an old mail's
link must still work.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from hogo.services.consent import record_consent
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger

_SALT = "hogo-opt-out"


def _serializer(ledger: Ledger) -> URLSafeSerializer:
    return URLSafeSerializer(ledger.signing_secret(), salt=_SALT)


def opt_out_token(ledger: Ledger, subject_id: str, purpose: str) -> str:
    with ledger.engine.connect() as conn:
        version = ledger.policy_in_force(conn)
    compiled = version.compiled.purposes.get(purpose)
    if compiled is None:
        raise BadInput(f"unknown purpose {purpose!r}")
    if compiled.basis not in ("consent", "opt_out"):
        raise BadInput(f"purpose {purpose!r} is announced; there is nothing to opt out of")
    return _serializer(ledger).dumps({"s": subject_id, "p": purpose})


def opt_out_link(ledger: Ledger, subject_id: str, purpose: str) -> str:
    base = ledger.settings.base_url.rstrip("/")
    return f"{base}/opt-out/{opt_out_token(ledger, subject_id, purpose)}"


@dataclass(frozen=True)
class OptedOut:
    purpose: str
    label_ja: str
    label_en: str


def opt_out(ledger: Ledger, token: str) -> OptedOut:
    """Record the opt-out the token names (again harmlessly, if it was already recorded)."""
    try:
        data = _serializer(ledger).loads(token)
    except BadSignature:
        raise NotFound("this opt-out link is not valid") from None
    if not isinstance(data, dict) or not {"s", "p"} <= set(data):
        raise NotFound("this opt-out link is not valid")
    subject_id, purpose = str(data["s"]), str(data["p"])
    record_consent(
        ledger,
        subject_id,
        purpose=purpose,
        granted=False,
        actor="portal:opt-out-link",
        evidence="one-click opt-out link in a message",
        method="portal",
    )
    with ledger.engine.connect() as conn:
        version = ledger.policy_in_force(conn)
    declared = version.policy.purpose(purpose)
    label = declared.label if declared else None
    return OptedOut(purpose, label["ja"] if label else purpose, label["en"] if label else purpose)

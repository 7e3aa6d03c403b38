"""Console sessions in signed cookies, and CSRF tokens bound to them.

The cookie carries the username, a CSRF token and the time of log-in, signed with the
ledger's signing secret (itsdangerous, HMAC-SHA1 over the payload with a salt per use): it
cannot be forged or altered, and it expires after SESSION_HOURS. It holds no personal data
of subjects. Every state-changing request must send the session's CSRF token back (form
field `csrf` or header `X-CSRF-Token`), compared in constant time; SameSite=Lax keeps the
cookie off cross-site POSTs as a second wall.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "hogo_session"
LOGIN_COOKIE = "hogo_login"
SESSION_HOURS = 8


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str


class Signer:
    """Signs and reads console cookies with one secret; one instance per application."""

    def __init__(self, secret: bytes) -> None:
        self._session = URLSafeTimedSerializer(secret, salt="hogo-console-session")
        self._login = URLSafeTimedSerializer(secret, salt="hogo-console-login")

    def session_cookie(self, username: str) -> tuple[str, Session]:
        session = Session(username, secrets.token_urlsafe(24))
        return self._session.dumps({"u": username, "c": session.csrf}), session

    def read_session(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._session.loads(cookie, max_age=SESSION_HOURS * 3600)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("u"), str):
            return None
        return Session(data["u"], str(data.get("c", "")))

    def login_token(self) -> str:
        """A pre-session CSRF token for the log-in form (double-submit: cookie and field)."""
        return self._login.dumps(secrets.token_urlsafe(16))

    def login_token_ok(self, cookie: str | None, field: str | None) -> bool:
        if not cookie or not field or not hmac.compare_digest(cookie, field):
            return False
        try:
            self._login.loads(cookie, max_age=3600)
        except BadSignature:
            return False
        return True


PORTAL_COOKIE = "hogo_portal"
PORTAL_MINUTES = 30


class PortalSigner:
    """The portal's short session after an e-mail code: the address and a CSRF token."""

    def __init__(self, secret: bytes) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="hogo-portal-session")

    def cookie(self, address: str) -> tuple[str, Session]:
        session = Session(address, secrets.token_urlsafe(24))
        return self._serializer.dumps({"e": address, "c": session.csrf}), session

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=PORTAL_MINUTES * 60)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("e"), str):
            return None
        return Session(data["e"], str(data.get("c", "")))


def csrf_ok(session: Session, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(session.csrf, sent or "")

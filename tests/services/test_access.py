"""API keys and staff accounts: stored hashed, scoped, revocable, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.ledger.tables_access import api_keys, staff_users
from hogo.services.api_keys import authenticate, create_key, list_keys, revoke_key
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger
from hogo.services.staff import add_user, disable_user, list_users
from hogo.services.staff import authenticate as log_in

PASSWORD = "correct horse battery"


def _rows(ledger: Ledger, table: object) -> int:
    with ledger.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_a_key_is_stored_hashed_and_authenticates(ledger: Ledger) -> None:
    token, row = create_key(ledger, name="shop", purposes=["orders"], items=["name"], actor="o")
    assert token.startswith(f"hogo_{row.prefix}_")
    with ledger.engine.connect() as conn:
        stored = conn.execute(select(api_keys)).one()
    # The secret is URL-safe base64 and may itself hold "_": take all that follows the prefix.
    secret = token.removeprefix(f"hogo_{row.prefix}_")
    assert len(secret) >= 20 and secret.encode() not in stored.secret_hash
    assert bytes(stored.secret_hash) != secret.encode()
    client = authenticate(ledger, token)
    assert client is not None and client.purposes == {"orders"} and client.actor == "api:shop"
    assert authenticate(ledger, token[:-1] + ("a" if token[-1] != "a" else "b")) is None
    assert authenticate(ledger, "hogo_000000000000_" + "a" * 43) is None
    assert authenticate(ledger, "") is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Shop!", "purposes": ["orders"], "items": ["name"]}, "key name"),
        ({"name": "shop", "purposes": ["nothing"], "items": ["name"]}, "unknown purpose 'nothing'"),
        ({"name": "shop", "purposes": ["orders"], "items": ["kidney"]}, "unknown item 'kidney'"),
        ({"name": "shop", "purposes": [], "items": ["name"]}, "at least one purpose"),
    ],
)
def test_bad_keys_are_refused_and_nothing_written(
    ledger: Ledger, kwargs: dict[str, object], message: str
) -> None:
    audit_before = _rows(ledger, t.audit)
    with pytest.raises(BadInput, match=message):
        create_key(ledger, actor="o", **kwargs)  # type: ignore[arg-type]
    assert _rows(ledger, api_keys) == 0 and _rows(ledger, t.audit) == audit_before


def test_a_name_is_taken_once_and_revocation_is_final(ledger: Ledger) -> None:
    token, _ = create_key(ledger, name="shop", purposes=["orders"], items=["name"], actor="o")
    with pytest.raises(BadInput, match="exists"):
        create_key(ledger, name="shop", purposes=["orders"], items=["name"], actor="o")
    revoke_key(ledger, "shop", actor="o")
    assert authenticate(ledger, token) is None
    assert list_keys(ledger)[0].revoked_at is not None
    with pytest.raises(BadInput, match="already revoked"):
        revoke_key(ledger, "shop", actor="o")
    with pytest.raises(NotFound):
        revoke_key(ledger, "other", actor="o")


def test_staff_passwords_are_argon2_and_log_in(ledger: Ledger) -> None:
    add_user(ledger, username="aiko", role="officer", password=PASSWORD, actor="setup")
    with ledger.engine.connect() as conn:
        stored = conn.execute(select(staff_users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    user = log_in(ledger, "aiko", PASSWORD)
    assert user is not None and user.role == "officer"
    assert log_in(ledger, "aiko", PASSWORD + "x") is None
    assert log_in(ledger, "nobody", PASSWORD) is None
    disable_user(ledger, "aiko", actor="setup")
    assert log_in(ledger, "aiko", PASSWORD) is None
    assert list_users(ledger)[0].disabled_at is not None


@pytest.mark.parametrize(
    ("username", "role", "password", "message"),
    [
        ("Aiko San", "officer", PASSWORD, "username"),
        ("aiko", "boss", PASSWORD, "unknown role 'boss'"),
        ("aiko", "officer", "short", "12 to 1,000 characters"),
    ],
)
def test_bad_users_are_refused_and_nothing_written(
    ledger: Ledger, username: str, role: str, password: str, message: str
) -> None:
    with pytest.raises(BadInput, match=message):
        add_user(ledger, username=username, role=role, password=password, actor="setup")
    assert _rows(ledger, staff_users) == 0

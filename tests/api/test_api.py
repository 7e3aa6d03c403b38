"""The REST API in process: authentication, the key's scope, the policy's answers, bad bodies."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.services.api_keys import create_key, revoke_key
from hogo.services.ledger import Ledger
from tests.api.conftest import bearer
from tests.services.consent_support import publish_variant

HANAKO = {"name": "佐藤花子", "email": "hanako@example.jp", "purchases": "緑茶"}


def _counts(ledger: Ledger) -> tuple[int, int, int]:
    with ledger.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.subjects, t.records, t.audit)
        )


def _collect(client: TestClient, key: str) -> str:
    response = client.post(
        "/api/v1/collect", json={"source": "shop", "values": HANAKO}, headers=bearer(key)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["subject_id"])


def test_openapi_document_lists_the_resources(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/collect", "/api/v1/use", "/api/v1/consents", "/api/v1/eligible"} <= set(paths)


def test_no_key_wrong_key_and_revoked_key_are_401(
    client: TestClient, ledger: Ledger, shop_key: str
) -> None:
    body = {"subject_id": "x", "purpose": "orders", "items": ["name"]}
    assert client.post("/api/v1/use", json=body).status_code == 401
    wrong = shop_key[:-4] + ("AAAA" if not shop_key.endswith("AAAA") else "BBBB")
    response = client.post("/api/v1/use", json=body, headers=bearer(wrong))
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"
    assert client.post("/api/v1/use", json=body, headers=bearer("garbage")).status_code == 401
    revoke_key(ledger, "shop", actor="officer")
    assert client.post("/api/v1/use", json=body, headers=bearer(shop_key)).status_code == 401


def test_collect_then_use_returns_the_values(client: TestClient, shop_key: str) -> None:
    subject = _collect(client, shop_key)
    response = client.post(
        "/api/v1/use",
        json={"subject_id": subject, "purpose": "orders", "items": ["name", "email"]},
        headers=bearer(shop_key),
    )
    assert response.status_code == 200
    assert response.json()["values"] == {"name": "佐藤花子", "email": "hanako@example.jp"}


def test_policy_refusal_is_403_with_the_reason_and_audited(
    client: TestClient, ledger: Ledger, shop_key: str
) -> None:
    subject = _collect(client, shop_key)
    before = _counts(ledger)
    response = client.post(
        "/api/v1/use",
        json={"subject_id": subject, "purpose": "newsletter", "items": ["purchases"]},
        headers=bearer(shop_key),
    )
    assert response.status_code == 403
    assert response.json()["error"] == "item_not_mapped"
    assert "values" not in response.json() or response.json()["decision"]["values"] is None
    assert _counts(ledger)[2] == before[2] + 1  # the refusal is audited


def test_the_key_scope_refuses_other_purposes_and_items(
    client: TestClient, ledger: Ledger, shop_key: str
) -> None:
    subject = _collect(client, shop_key)
    before = _counts(ledger)
    for body in (
        {"subject_id": subject, "purpose": "wellness", "items": ["name"]},
        {"subject_id": subject, "purpose": "orders", "items": ["card"]},
    ):
        response = client.post("/api/v1/use", json=body, headers=bearer(shop_key))
        assert response.status_code == 403 and response.json()["error"] == "key_scope"
    response = client.post(
        "/api/v1/collect",
        json={"source": "shop", "values": {"health": "A"}},
        headers=bearer(shop_key),
    )
    assert response.status_code == 403 and "health" in response.json()["message"]
    assert _counts(ledger) == before  # nothing read, nothing written


def test_malformed_bodies_are_422_naming_the_field(
    client: TestClient, ledger: Ledger, shop_key: str
) -> None:
    before = _counts(ledger)
    cases = [
        ({"source": "shop", "values": {"name": 5}}, "body.values.name"),
        ({"source": "shop", "values": HANAKO, "extra": 1}, "body.extra"),
        ({"values": HANAKO}, "body.source"),
        ({"source": "shop", "values": {"name": "x" * 1_000_001}}, "body.values.name"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/collect", json=body, headers=bearer(shop_key))
        assert response.status_code == 422, body
        assert response.json()["error"] == "invalid"
        assert field in response.json()["message"]
    response = client.post(
        "/api/v1/collect",
        content=b'{"source": "shop", "values": {"name": "\xff"}}',
        headers={**bearer(shop_key), "Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["error"] == "malformed"
    assert _counts(ledger) == before


def test_service_bad_input_is_422_and_unknown_subject_404(
    client: TestClient, ledger: Ledger, shop_key: str
) -> None:
    response = client.post(
        "/api/v1/collect",
        json={"source": "shop", "values": {"email": "not an address"}},
        headers=bearer(shop_key),
    )
    assert response.status_code == 422 and response.json()["error"] == "bad_input"
    response = client.post(
        "/api/v1/consents",
        json={"subject_id": "nobody", "purpose": "newsletter", "granted": False},
        headers=bearer(shop_key),
    )
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_consent_and_eligible(client: TestClient, shop_key: str) -> None:
    subject = _collect(client, shop_key)
    response = client.get(
        "/api/v1/eligible", params={"purpose": "newsletter"}, headers=bearer(shop_key)
    )
    assert response.status_code == 200 and subject in response.json()["subject_ids"]
    response = client.post(
        "/api/v1/consents",
        json={"subject_id": subject, "purpose": "newsletter", "granted": False},
        headers=bearer(shop_key),
    )
    assert response.status_code == 201
    response = client.get(
        "/api/v1/eligible",
        params={"purpose": "newsletter", "count": True},
        headers=bearer(shop_key),
    )
    assert response.json()["count"] == 0
    response = client.get(
        "/api/v1/eligible", params={"purpose": "wellness"}, headers=bearer(shop_key)
    )
    assert response.status_code == 403


def test_policy_versions_and_audit_verify(client: TestClient, shop_key: str) -> None:
    versions = client.get("/api/v1/policy/versions", headers=bearer(shop_key)).json()
    assert [v["version"] for v in versions] == ["2.0"]
    verified = client.get("/api/v1/audit/verify", headers=bearer(shop_key)).json()
    assert verified["ok"] is True


def test_policy_diff_between_two_versions(
    client: TestClient, ledger: Ledger, shop_key: str, tmp_path: Path
) -> None:
    second = publish_variant(
        ledger,
        tmp_path,
        {"To e-mail you news of products and campaigns": "To e-mail you news of products"},
        date(2026, 6, 1),
    )
    answer = client.get(
        "/api/v1/policy/diff", params={"from": 1, "to": second}, headers=bearer(shop_key)
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["from"] == 1 and body["to"] == second and body["changes"]
    assert {c["change_class"] for c in body["changes"]} <= {"editorial", "notify", "consent"}
    assert all(c["notice"]["ja"] and c["notice"]["en"] for c in body["changes"])
    same = client.get("/api/v1/policy/diff", params={"from": 1, "to": 1}, headers=bearer(shop_key))
    assert same.status_code == 200 and same.json()["changes"] == []
    missing = client.get(
        "/api/v1/policy/diff", params={"from": 1, "to": 99}, headers=bearer(shop_key)
    )
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    bad = client.get("/api/v1/policy/diff", params={"from": "x", "to": 1}, headers=bearer(shop_key))
    assert bad.status_code == 422 and "from" in bad.text
    anonymous = client.get("/api/v1/policy/diff", params={"from": 1, "to": second})
    assert anonymous.status_code == 401


def test_provide_writes_the_record_or_refuses_with_the_basis(
    client: TestClient, ledger: Ledger, shop_key: str
) -> None:
    subject = _collect(client, shop_key)
    body = {"subject_ids": [subject], "recipient": "list_broker", "items": ["name", "email"]}
    response = client.post(
        "/api/v1/provisions", json={**body, "basis": "opt-out"}, headers=bearer(shop_key)
    )
    assert response.status_code == 201, response.text
    assert response.json()["recorded"] is True and response.json()["subject_ids"] == [subject]
    response = client.post(
        "/api/v1/provisions", json={**body, "basis": "exception:law"}, headers=bearer(shop_key)
    )
    assert response.status_code == 422 and "note" in response.json()["message"]
    response = client.post(
        "/api/v1/provisions",
        json={**body, "items": ["card"], "basis": "opt-out"},
        headers=bearer(shop_key),
    )
    assert response.status_code == 403 and response.json()["error"] == "key_scope"


def test_erase_items_and_whole_subjects_within_the_key(
    client: TestClient, ledger: Ledger, shop_key: str
) -> None:
    subject = _collect(client, shop_key)
    response = client.post(
        f"/api/v1/subjects/{subject}/erase", json={"items": ["purchases"]}, headers=bearer(shop_key)
    )
    assert response.status_code == 200 and response.json()["records_deleted"] == 1
    response = client.post(f"/api/v1/subjects/{subject}/erase", json={}, headers=bearer(shop_key))
    assert response.status_code == 403 and response.json()["error"] == "key_scope"

    token, _ = create_key(
        ledger,
        name="admin",
        purposes=["orders"],
        items=["name", "email", "purchases", "card", "health"],
        actor="officer",
    )
    response = client.post(f"/api/v1/subjects/{subject}/erase", json={}, headers=bearer(token))
    assert response.status_code == 200 and response.json()["key_destroyed"] is True
    response = client.post(
        "/api/v1/use",
        json={"subject_id": subject, "purpose": "orders", "items": ["name"]},
        headers=bearer(token),
    )
    assert response.status_code == 403 and response.json()["error"] == "erased"

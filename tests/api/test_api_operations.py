"""The operational API: requests, incidents and inquiries, only with an operations key;
strict bodies (unknown fields refused) and 422 naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hogo.services.api_keys import create_key, list_keys
from hogo.services.collect import Collection, collect
from hogo.services.incidents import new_incident
from hogo.services.ledger import Ledger
from tests.api.conftest import bearer

API = "/api/v1"


@pytest.fixture
def ops_key(ledger: Ledger) -> str:
    token, row = create_key(
        ledger, name="desk", purposes=["orders"], items=["name"], actor="officer", operations=True
    )
    assert row.operations and row.items == ("name",)
    return token


def _subject(ledger: Ledger) -> str:
    values = {"name": "佐藤花子", "email": "hanako@example.jp", "purchases": "緑茶"}
    return collect(ledger, Collection("shop", values), actor="shop").subject_id


def test_the_marker_is_kept_out_of_the_items(ledger: Ledger, ops_key: str) -> None:
    (row,) = list_keys(ledger)
    assert row.items == ("name",) and row.to_dict()["operations"] is True


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/requests"),
        ("post", "/requests"),
        ("get", "/requests/RAAAA"),
        ("post", "/requests/RAAAA/verify"),
        ("post", "/requests/RAAAA/fulfil"),
        ("post", "/requests/RAAAA/refuse"),
        ("post", "/requests/RAAAA/withdraw"),
        ("get", "/incidents"),
        ("get", "/incidents/1"),
        ("get", "/inquiries"),
        ("post", "/inquiries"),
    ],
)
def test_no_key_401_and_an_ordinary_key_403(
    client: TestClient, shop_key: str, method: str, path: str
) -> None:
    assert getattr(client, method)(API + path).status_code == 401
    response = client.request(method.upper(), API + path, headers=bearer(shop_key), json={})
    assert response.status_code in (403, 422)
    if method == "get":
        assert response.status_code == 403 and response.json()["error"] == "key_scope"


def test_ordinary_key_refused_even_with_a_good_body(client: TestClient, shop_key: str) -> None:
    response = client.post(
        f"{API}/requests",
        headers=bearer(shop_key),
        json={"kind": "disclosure", "email": "a@example.jp"},
    )
    assert response.status_code == 403 and response.json()["error"] == "key_scope"
    assert "--ops" in response.json()["message"]


def test_a_request_from_creation_to_answer(
    client: TestClient, ledger: Ledger, ops_key: str
) -> None:
    subject = _subject(ledger)
    headers = bearer(ops_key)
    made = client.post(
        f"{API}/requests",
        headers=headers,
        json={"kind": "disclosure", "subject_id": subject, "channel": "counter", "lang": "ja"},
    )
    assert made.status_code == 201, made.text
    rid = made.json()["id"]
    assert made.json()["state"] == "received"
    listed = client.get(f"{API}/requests", headers=headers, params={"state": "received"})
    assert [r["id"] for r in listed.json()] == [rid]
    verified = client.post(
        f"{API}/requests/{rid}/verify",
        headers=headers,
        json={"method": "in_person", "evidence": "運転免許証"},
    )
    assert verified.status_code == 200 and verified.json()["state"] == "in_progress"
    done = client.post(f"{API}/requests/{rid}/fulfil", headers=headers, json={})
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "answered"
    assert any(i["item"] == "name" for i in done.json()["answer"]["items"])
    one = client.get(f"{API}/requests/{rid}", headers=headers)
    assert one.status_code == 200 and [e["action"] for e in one.json()["events"]][-1] == "fulfil"
    again = client.post(f"{API}/requests/{rid}/withdraw", headers=headers, json={})
    assert again.status_code == 422 and again.json()["error"] == "illegal_transition"


def test_refuse_and_withdraw(client: TestClient, ledger: Ledger, ops_key: str) -> None:
    headers = bearer(ops_key)
    ids = [
        client.post(
            f"{API}/requests", headers=headers, json={"kind": kind, "email": "x@example.jp"}
        ).json()["id"]
        for kind in ("erasure", "deletion")
    ]
    refused = client.post(
        f"{API}/requests/{ids[0]}/refuse",
        headers=headers,
        json={"ground": "not_retained", "reason": "保有していません"},
    )
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    withdrawn = client.post(
        f"{API}/requests/{ids[1]}/withdraw", headers=headers, json={"note": "by phone"}
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    assert client.get(f"{API}/requests/RNOPE", headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "disclosure", "email": "a@example.jp", "extra": 1}, "body.extra"),
        ({"kind": "gossip", "email": "a@example.jp"}, "body.kind"),
        ({"kind": "disclosure", "email": 5}, "body.email"),
        ({"kind": "disclosure", "channel": "pigeon"}, "body.channel"),
        ({"email": "a@example.jp"}, "body.kind"),
    ],
)
def test_malformed_request_bodies_name_the_field(
    client: TestClient, ops_key: str, body: dict[str, object], field: str
) -> None:
    response = client.post(f"{API}/requests", headers=bearer(ops_key), json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid"
    assert field in [f["field"] for f in response.json()["fields"]]


def test_malformed_transition_bodies(client: TestClient, ops_key: str) -> None:
    headers = bearer(ops_key)
    rid = client.post(
        f"{API}/requests", headers=headers, json={"kind": "disclosure", "email": "a@example.jp"}
    ).json()["id"]
    for action, body, field in (
        ("verify", {"method": "telepathy", "evidence": "x"}, "body.method"),
        ("refuse", {"ground": "harm"}, "body.reason"),
        ("fulfil", {"values": {"name": 3}}, "body.values.name"),
        ("withdraw", {"note": "x", "why": "y"}, "body.why"),
    ):
        response = client.post(f"{API}/requests/{rid}/{action}", headers=headers, json=body)
        assert response.status_code == 422, (action, response.text)
        assert field in [f["field"] for f in response.json()["fields"]]
    assert client.get(f"{API}/requests", headers=headers, params={"state": "x"}).status_code == 422


def test_a_bad_service_input_is_422(client: TestClient, ops_key: str) -> None:
    response = client.post(f"{API}/requests", headers=bearer(ops_key), json={"kind": "disclosure"})
    assert response.status_code == 422 and response.json()["error"] == "bad_input"


def test_incidents_read(client: TestClient, ledger: Ledger, ops_key: str) -> None:
    incident = new_incident(
        ledger, known_at=ledger.today(), summary="USB memory lost", actor="officer"
    )
    headers = bearer(ops_key)
    listed = client.get(f"{API}/incidents", headers=headers, params={"state": "open"})
    assert listed.status_code == 200 and len(listed.json()) == 1
    one = client.get(f"{API}/incidents/{incident.id}", headers=headers)
    assert one.status_code == 200
    assert client.get(f"{API}/incidents/9999", headers=headers).status_code == 404
    assert client.get(f"{API}/incidents/x", headers=headers).status_code == 422
    bad_state = client.get(f"{API}/incidents", headers=headers, params={"state": "lost"})
    assert bad_state.status_code == 422


def test_inquiries_create_and_list(client: TestClient, ops_key: str) -> None:
    headers = bearer(ops_key)
    made = client.post(
        f"{API}/inquiries",
        headers=headers,
        json={
            "kind": "complaint",
            "channel": "email",
            "text": "届きません",
            "email": "a@example.jp",
        },
    )
    assert made.status_code == 201, made.text
    listed = client.get(f"{API}/inquiries", headers=headers, params={"open_only": True})
    assert [i["id"] for i in listed.json()] == [made.json()["id"]]
    assert "text" not in listed.json()[0] or listed.json()[0]["text"] is None
    bad = client.post(
        f"{API}/inquiries", headers=headers, json={"kind": "complaint", "channel": "email"}
    )
    assert bad.status_code == 422 and "body.text" in bad.json()["message"]

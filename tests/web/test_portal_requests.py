"""The portal's requests: made after an e-mail code, checked by reference and address, an
answered disclosure downloaded after a code again; no page tells whether an address is known."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.ledger.tables_requests import requests
from hogo.services.collect import Collection, collect
from hogo.services.ledger import Ledger
from hogo.services.outbox import open_message
from hogo.services.requests import fulfil, show, verify
from hogo.web.words import WORDS

KNOWN = "hanako@example.jp"
UNKNOWN = "stranger@example.jp"
KINDS = (
    "purpose_notice",
    "disclosure",
    "provision_records",
    "correction",
    "addition",
    "deletion",
    "suspension_of_use",
    "erasure",
    "stop_provision",
)


def _person(ledger: Ledger) -> str:
    values = {"name": "佐藤花子", "email": KNOWN, "purchases": "緑茶 2箱"}
    return collect(ledger, Collection("shop", values), actor="app").subject_id


def _token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def _last_code(ledger: Ledger, address: str) -> str:
    with ledger.engine.connect() as conn:
        rows = conn.execute(
            select(t.outbox).where(t.outbox.c.kind == "portal_code").order_by(t.outbox.c.id)
        ).all()
        opened = [open_message(ledger, conn, row) for row in rows]
    bodies = [m.body for m in opened if m is not None and m.to == address]
    assert bodies, f"no code was mailed to {address}"
    return re.findall(r"\b\d{6}\b", bodies[-1])[0]


def _ask(client: TestClient, email: str, kind: str = "disclosure", **more: str) -> str:
    start = client.get("/requests/new", params={"lang": "en"})
    assert start.status_code == 200
    response = client.post(
        "/requests/new",
        data={"email": email, "kind": kind, "csrf": _token(start.text), "lang": "en", **more},
    )
    assert response.status_code == 200, response.text
    return response.text


def _make(client: TestClient, ledger: Ledger, email: str, kind: str = "disclosure") -> str:
    page = _ask(client, email, kind, details="my name is 佐藤花子" if kind == "correction" else "")
    done = client.post(
        "/requests/confirm",
        data={
            "email": email,
            "kind": kind,
            "code": _last_code(ledger, email),
            "details": "my name is 佐藤花子" if kind == "correction" else "",
            "csrf": _token(page),
            "lang": "en",
        },
    )
    assert done.status_code == 200, done.text
    found = re.search(r'class="reference">(R[A-Z0-9]+)<', done.text)
    assert found is not None, done.text
    return found.group(1)


def _status(client: TestClient, reference: str, email: str) -> tuple[int, str]:
    start = client.get("/requests/status", params={"lang": "en"})
    response = client.post(
        "/requests/status",
        data={"reference": reference, "email": email, "csrf": _token(start.text), "lang": "en"},
    )
    return response.status_code, response.text


def _scrub(page: str, *secrets: str) -> str:
    page = re.sub(r'name="csrf" value="[^"]+"', "", page)
    for secret in secrets:
        page = page.replace(secret, "ADDRESS")
    return page


def test_the_form_lists_every_kind_in_both_languages(app_client: TestClient) -> None:
    for lang in ("ja", "en"):
        page = app_client.get("/requests/new", params={"lang": lang}).text
        for kind in KINDS:
            assert f'value="{kind}"' in page
            assert WORDS[f"rk_{kind}"][lang] in page
            assert WORDS[f"rk_{kind}_help"][lang] in page
    home = app_client.get("/", params={"lang": "ja"}).text
    assert 'href="/requests/new?lang=ja"' in home and 'href="/requests/status?lang=ja"' in home


def test_known_and_unknown_addresses_get_the_same_pages(
    app_client: TestClient, ledger: Ledger
) -> None:
    _person(ledger)
    known = _ask(app_client, KNOWN)
    unknown = _ask(app_client, UNKNOWN)
    assert _scrub(known, KNOWN) == _scrub(unknown, UNKNOWN)
    # A code is mailed either way: anyone may make a request.
    assert _last_code(ledger, KNOWN) and _last_code(ledger, UNKNOWN)
    first = _make(app_client, ledger, KNOWN)
    second = _make(app_client, ledger, UNKNOWN)
    _, known_status = _status(app_client, first, KNOWN)
    _, unknown_status = _status(app_client, second, UNKNOWN)
    assert _scrub(known_status, KNOWN, first) == _scrub(unknown_status, UNKNOWN, second)


def test_a_wrong_code_creates_nothing(app_client: TestClient, ledger: Ledger) -> None:
    page = _ask(app_client, KNOWN)
    code = _last_code(ledger, KNOWN)
    wrong = "000000" if code != "000000" else "111111"
    response = app_client.post(
        "/requests/confirm",
        data={"email": KNOWN, "kind": "disclosure", "code": wrong, "csrf": _token(page)},
    )
    assert response.status_code == 401
    assert WORDS["code_wrong"]["ja"] in response.text
    with ledger.engine.connect() as conn:
        assert conn.execute(select(requests)).all() == []


def test_no_csrf_no_request(app_client: TestClient) -> None:
    response = app_client.post("/requests/new", data={"email": KNOWN, "kind": "disclosure"})
    assert response.status_code == 403


def test_missing_kind_and_bad_address_are_told_next_to_the_fields(
    app_client: TestClient,
) -> None:
    start = app_client.get("/requests/new", params={"lang": "en"})
    response = app_client.post(
        "/requests/new",
        data={"email": "not an address", "kind": "", "csrf": _token(start.text), "lang": "en"},
    )
    assert response.status_code == 422
    assert 'id="kind-error"' in response.text
    response = app_client.post(
        "/requests/new",
        data={"email": "not an address", "kind": "erasure", "csrf": _token(response.text)},
    )
    assert response.status_code == 422 and 'id="email-error"' in response.text


def test_details_of_a_correction_go_into_the_history(
    app_client: TestClient, ledger: Ledger
) -> None:
    reference = _make(app_client, ledger, KNOWN, "correction")
    detail = show(ledger, reference, actor="test")
    assert detail.request.channel == "portal" and detail.request.lang == "en"
    assert any(e.note and "my name is 佐藤花子" in e.note for e in detail.events)


def test_status_by_reference_and_the_same_answer_for_any_wrong_pair(
    app_client: TestClient, ledger: Ledger
) -> None:
    _person(ledger)
    reference = _make(app_client, ledger, KNOWN)
    code, page = _status(app_client, reference, KNOWN)
    assert code == 200 and reference in page and "Received" in page
    wrong_address = _status(app_client, reference, UNKNOWN)
    wrong_reference = _status(app_client, "RAAAAAAAAAAAAAAAA", KNOWN)
    assert wrong_address[0] == wrong_reference[0] == 404
    assert WORDS["rq_not_found"]["en"] in wrong_address[1]
    assert _scrub(wrong_address[1], UNKNOWN, reference) == _scrub(
        wrong_reference[1], KNOWN, "RAAAAAAAAAAAAAAAA"
    )


def test_an_answered_disclosure_is_downloaded_after_a_code(
    app_client: TestClient, ledger: Ledger
) -> None:
    subject = _person(ledger)
    reference = _make(app_client, ledger, KNOWN)
    verify(ledger, reference, method="registered_email", evidence="code", actor="desk")
    fulfil(ledger, reference, actor="desk")
    assert show(ledger, reference, actor="t").request.subject_id == subject
    # Another browser: no session, so the download needs a code again.
    with TestClient(app_client.app) as other:
        code, page = _status(other, reference, KNOWN)
        assert code == 200 and "/requests/package/code" in page and "package.json" not in page
        assert other.get(f"/requests/{reference}/package.json").status_code == 404
        asked = other.post(
            "/requests/package/code",
            data={"reference": reference, "email": KNOWN, "csrf": _token(page), "lang": "en"},
        )
        assert asked.status_code == 200
        bad = other.post(
            "/requests/package/verify",
            data={"reference": reference, "email": KNOWN, "code": "x", "csrf": _token(asked.text)},
        )
        assert bad.status_code == 401
        good = other.post(
            "/requests/package/verify",
            data={
                "reference": reference,
                "email": KNOWN,
                "code": _last_code(ledger, KNOWN),
                "csrf": _token(bad.text),
            },
        )
        assert good.status_code == 200 and f"/requests/{reference}/package.json" in good.text
        package = other.get(f"/requests/{reference}/package.json")
        assert package.status_code == 200
        assert package.json()["request_id"] == reference
        assert any(i["item"] == "name" for i in package.json()["items"])
        html = other.get(f"/requests/{reference}/package.html")
        assert html.status_code == 200 and "佐藤花子" in html.text
    # The browser that made the request holds a session for the address already.
    _, page = _status(app_client, reference, KNOWN)
    assert f"/requests/{reference}/package.json" in page


def test_no_download_of_someone_elses_package(app_client: TestClient, ledger: Ledger) -> None:
    _person(ledger)
    reference = _make(app_client, ledger, KNOWN)
    verify(ledger, reference, method="registered_email", evidence="code", actor="desk")
    fulfil(ledger, reference, actor="desk")
    with TestClient(app_client.app) as other:
        _make(other, ledger, UNKNOWN, "purpose_notice")  # a session for another address
        assert other.get(f"/requests/{reference}/package.json").status_code == 404
        assert other.get(f"/requests/{reference}/package.html").status_code == 404

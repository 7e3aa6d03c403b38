"""The console: log-in with CSRF, signed sessions, and every route as every role."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hogo.services.collect import Collection, collect
from hogo.services.incidents import new_incident
from hogo.services.ledger import Ledger
from hogo.services.staff import disable_user
from hogo.web import (
    console,
    console_incident_actions,
    console_incidents,
    console_records,
    console_requests,
    console_reveal,
    words,
    words_console,
    words_incidents,
    words_requests,
)
from hogo.web.words import WORDS
from tests.web.conftest import PASSWORD, ROLES, answered_disclosure, log_in

# (method, path, roles admitted). Every console route is here; a test checks that.
ROUTES = [
    ("GET", "/console/", ROLES),
    ("GET", "/console/subjects", ROLES),
    ("GET", "/console/subjects/{subject}", ROLES),
    ("GET", "/console/audit", ("officer", "auditor")),
    ("POST", "/console/audit/verify", ("officer", "auditor")),
    ("POST", "/console/logout", ROLES),
    ("GET", "/console/incidents", ROLES),
    ("POST", "/console/incidents", ("officer",)),
    ("GET", "/console/incidents/{incident_id}", ROLES),
    ("GET", "/console/incidents/{incident_id}/report", ROLES),
    ("POST", "/console/incidents/{incident_id}/scope", ("officer",)),
    ("POST", "/console/incidents/{incident_id}/scope-source", ("officer",)),
    ("POST", "/console/incidents/{incident_id}/update", ("officer",)),
    ("POST", "/console/incidents/{incident_id}/filed", ("officer",)),
    ("POST", "/console/incidents/{incident_id}/notify", ("officer",)),
    ("POST", "/console/incidents/{incident_id}/close", ("officer",)),
    ("GET", "/console/provisions", ROLES),
    ("GET", "/console/provisions.csv", ROLES),
    ("GET", "/console/receipts", ROLES),
    ("GET", "/console/receipts.csv", ROLES),
    ("GET", "/console/vendors", ROLES),
    ("POST", "/console/vendors/{vendor_id}/audits", ("officer",)),
    ("GET", "/console/policy", ROLES),
    ("GET", "/console/policy/diff", ROLES),
    ("POST", "/console/subjects/{subject}/reveal", ("officer", "operator")),
    ("GET", "/console/requests", ROLES),
    ("GET", "/console/requests/{request}", ROLES),
    ("GET", "/console/requests/{request}/subjects", ("officer", "operator")),
    ("GET", "/console/requests/{request}/package.json", ("officer", "operator")),
    ("GET", "/console/requests/{request}/package.html", ("officer", "operator")),
    ("POST", "/console/requests/{request}/verify", ("officer", "operator")),
    ("POST", "/console/requests/{request}/fulfil", ("officer", "operator")),
    ("POST", "/console/requests/{request}/refuse", ("officer", "operator")),
    ("POST", "/console/requests/{request}/withdraw", ("officer", "operator")),
]
ROUTERS = [
    console.router,
    console_incidents.router,
    console_incident_actions.router,
    console_records.router,
    console_reveal.router,
    console_requests.router,
]
"""Every router the console is made of."""
FORM_DATA = {
    "/console/incidents": {"known_at": "2026-11-20", "summary": "A laptop was lost."},
    "/console/incidents/{incident_id}/scope": {"items": "name"},
    "/console/incidents/{incident_id}/scope-source": {"source": "shop"},
    "/console/incidents/{incident_id}/update": {"cause": "A laptop was left on a train."},
    "/console/incidents/{incident_id}/filed": {"preliminary_filed_on": "2026-11-21"},
    "/console/incidents/{incident_id}/close": {"confirm": "1"},
    "/console/vendors/{vendor_id}/audits": {"audited_on": "2026-11-20", "result": "pass"},
    "/console/subjects/{subject}/reveal": {"purpose": "orders"},
}
"""What a POST needs to succeed (a POST that succeeds may redirect: 303)."""
# What an admitted role gets where it is not 200 or 303: {request} is answered, so no action
# fits (409); verify and refuse find the empty form wanting first (422).
ADMITTED_STATUS = {
    ("POST", "/console/requests/{request}/verify"): 422,
    ("POST", "/console/requests/{request}/fulfil"): 409,
    ("POST", "/console/requests/{request}/refuse"): 422,
    ("POST", "/console/requests/{request}/withdraw"): 409,
}


def url(path: str, subject: str = "x", incident_id: int | str = 1, request: str = "x") -> str:
    return path.format(
        subject=subject, incident_id=incident_id, vendor_id="courier", request=request
    )


PUBLIC = {("GET", "/console/login"), ("POST", "/console/login")}


def test_every_console_route_is_in_the_role_table() -> None:
    declared = {
        (method, route.path)  # type: ignore[attr-defined]
        for router in ROUTERS
        for route in router.routes
        for method in route.methods  # type: ignore[attr-defined]
    }
    tested = {
        (m, p.replace("{subject}", "{subject_id}").replace("{request}", "{request_id}"))
        for m, p, _ in ROUTES
    } | PUBLIC
    assert declared == tested


def test_every_word_exists_in_both_languages() -> None:
    assert {k for k, v in WORDS.items() if set(v) != {"ja", "en"} or not all(v.values())} == set()


@pytest.mark.parametrize("role", ROLES)
def test_each_route_admits_exactly_its_roles(
    app_client: TestClient, ledger: Ledger, role: str
) -> None:
    subject = collect(ledger, Collection("shop", {"name": "佐藤花子"}), actor="app").subject_id
    incident = new_incident(ledger, known_at=date(2026, 11, 20), summary="x", actor="officer")
    request = answered_disclosure(ledger, subject)
    csrf = log_in(app_client, role)
    for method, path, admitted in ROUTES:
        if path == "/console/logout":
            continue
        target = url(path, subject, incident.id, request)
        response = (
            app_client.get(target)
            if method == "GET"
            else app_client.post(target, data={"csrf": csrf, **FORM_DATA.get(path, {})})
        )
        if role in admitted:
            special = ADMITTED_STATUS.get((method, path))
            expected = (special,) if special else (200, 303) if method == "POST" else (200,)
        else:
            expected = (403,)
        assert response.status_code in expected, (role, method, path, response.text[:200])
    assert app_client.post("/console/logout", data={"csrf": csrf}).status_code == 303
    assert app_client.get("/console/").status_code == 303  # logged out


def test_without_a_session_every_route_redirects_to_log_in(
    app_client: TestClient, ledger: Ledger
) -> None:
    for method, path, _ in ROUTES:
        target = url(path)
        response = app_client.get(target) if method == "GET" else app_client.post(target, data={})
        assert response.status_code == 303 and response.headers["location"] == "/console/login"


def test_a_post_without_the_csrf_token_is_refused(app_client: TestClient) -> None:
    log_in(app_client, "officer")
    assert app_client.post("/console/audit/verify", data={}).status_code == 403
    assert app_client.post("/console/audit/verify", data={"csrf": "forged"}).status_code == 403


def test_wrong_password_and_missing_form_token(app_client: TestClient) -> None:
    page = app_client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    response = app_client.post(
        "/console/login",
        data={"username": "officer", "password": "wrong password!", "csrf": token.group(1)},
    )
    assert response.status_code == 401
    assert WORDS["bad_login"]["ja"] in response.text
    assert 'value="officer"' in response.text  # the username stays; the password does not
    app_client.cookies.clear()
    response = app_client.post(
        "/console/login", data={"username": "officer", "password": PASSWORD, "csrf": "x"}
    )
    assert response.status_code == 400 and "hogo_session" not in response.cookies


def test_a_forged_or_altered_cookie_is_no_session(app_client: TestClient) -> None:
    log_in(app_client, "auditor")
    cookie = app_client.cookies.get("hogo_session")
    assert cookie is not None
    payload, _, signature = cookie.rpartition(".")
    altered = f"{payload}.{'A' * len(signature)}"
    app_client.cookies.clear()
    app_client.cookies.set("hogo_session", altered)
    assert app_client.get("/console/").status_code == 303
    app_client.cookies.clear()
    app_client.cookies.set("hogo_session", cookie)
    assert app_client.get("/console/").status_code == 200


def test_a_disabled_user_is_out_at_once(app_client: TestClient, ledger: Ledger) -> None:
    log_in(app_client, "operator")
    assert app_client.get("/console/").status_code == 200
    disable_user(ledger, "operator", actor="officer")
    assert app_client.get("/console/").status_code == 303


def test_find_a_subject_by_e_mail_shows_it_masked(app_client: TestClient, ledger: Ledger) -> None:
    subject = collect(
        ledger, Collection("shop", {"name": "佐藤花子", "email": "hanako@example.jp"}), actor="app"
    ).subject_id
    log_in(app_client, "operator")
    found = app_client.get("/console/subjects", params={"email": "Hanako@Example.jp"})
    assert subject in found.text
    page = app_client.get(f"/console/subjects/{subject}", params={"lang": "en"})
    assert "佐藤花子" not in page.text and "hanako@example.jp" not in page.text
    assert "Items held" in page.text
    assert app_client.get("/console/subjects/nobody").status_code == 404


def test_verify_through_htmx_returns_the_verdict_fragment(app_client: TestClient) -> None:
    csrf = log_in(app_client, "auditor")
    response = app_client.post(
        "/console/audit/verify", headers={"HX-Request": "true", "X-CSRF-Token": csrf}
    )
    assert response.status_code == 200 and WORDS["trail_ok"]["ja"] in response.text
    assert "<html" not in response.text


def test_static_assets_are_served_from_the_package(app_client: TestClient) -> None:
    assert app_client.get("/static/htmx.min.js").status_code == 200
    assert "--accent" in app_client.get("/static/hogo.css").text


def test_no_word_is_defined_twice() -> None:
    """words.py spreads the other word modules into WORDS: a key in two would silently lose
    one of its texts (ruff's F601 only sees duplicates within one literal)."""
    tree = ast.parse(Path(words.__file__).read_text("utf-8"))
    literal = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Dict)
    )
    own = [k.value for k in literal.keys if isinstance(k, ast.Constant)]
    parts = [
        own,
        list(words_console.CONSOLE_WORDS),
        list(words_incidents.INCIDENT_WORDS),
        list(words_requests.REQUEST_WORDS),
    ]
    assert sum(len(p) for p in parts) == len(WORDS)

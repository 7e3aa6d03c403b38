from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from hogo.server import create_app
from hogo.services.ledger import Ledger
from hogo.services.requests import fulfil, new_request, verify
from hogo.services.staff import add_user
from tests.services.conftest import clock, db_url, ledger, settings  # noqa: F401  (fixtures)

PASSWORD = "correct horse battery"
ROLES = ("officer", "operator", "auditor")


@pytest.fixture
def app_client(ledger: Ledger) -> Iterator[TestClient]:  # noqa: F811
    for role in ROLES:
        add_user(ledger, username=role, role=role, password=PASSWORD, actor="setup")
    with TestClient(create_app(ledger.settings, ledger=ledger), follow_redirects=False) as client:
        yield client


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token (read from the page)."""
    page = client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf": token.group(1)},
    )
    assert response.status_code == 303, response.text
    home = client.get("/console/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', home.text)
    assert csrf is not None
    return csrf.group(1)


LogIn = Callable[[TestClient, str], str]


def answered_disclosure(opened: Ledger, subject_id: str) -> str:
    """A disclosure request about the subject, verified and answered (its package stored)."""
    request_id = new_request(
        opened, kind="disclosure", subject_id=subject_id, actor="desk"
    ).request.id
    verify(opened, request_id, method="registered_email", evidence="answered", actor="desk")
    fulfil(opened, request_id, actor="desk")
    return request_id

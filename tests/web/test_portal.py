"""The portal: the policy, choices after an e-mail code, one-click opt-out, and no page that
tells whether an address is known."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.services.collect import Collection, collect
from hogo.services.consent import current_consents
from hogo.services.ledger import Ledger
from hogo.services.links import opt_out_link
from hogo.services.outbox import open_message
from hogo.services.portal import CODES_PER_HOUR, MAX_TRIES
from tests.services.conftest import FixedClock

ADDRESS = "hanako@example.jp"


def _person(ledger: Ledger) -> str:
    return collect(
        ledger, Collection("shop", {"name": "佐藤花子", "email": ADDRESS}), actor="app"
    ).subject_id


def _form_token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _codes_sent(ledger: Ledger) -> list[str]:
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(t.outbox).where(t.outbox.c.kind == "portal_code")).all()
        bodies = [open_message(ledger, conn, row) for row in rows]
    return [re.findall(r"\b\d{6}\b", b.body)[0] for b in bodies if b is not None]


def _ask_code(client: TestClient, email: str, lang: str = "ja") -> str:
    start = client.get("/preferences", params={"lang": lang})
    response = client.post(
        "/preferences/code", data={"email": email, "csrf": _form_token(start.text), "lang": lang}
    )
    return response.text


def test_policy_in_both_languages(app_client: TestClient) -> None:
    ja = app_client.get("/policy", params={"lang": "ja"})
    en = app_client.get("/policy", params={"lang": "en"})
    assert ja.status_code == en.status_code == 200
    assert "株式会社フル" in ja.text and "Full K.K." in en.text
    assert 'href="/policy?lang=en"' in ja.text
    home = app_client.get("/", params={"lang": "en"})
    assert "Read the privacy policy" in home.text and 'lang="en"' in home.text


def test_known_and_unknown_addresses_get_the_same_page(
    app_client: TestClient, ledger: Ledger
) -> None:
    _person(ledger)
    known = _ask_code(app_client, ADDRESS)
    unknown = _ask_code(app_client, "stranger@example.jp")
    strip = lambda page: re.sub(r'value="[^"]*"', "", page)  # noqa: E731  (tokens, address)
    assert strip(known) == strip(unknown)
    assert len(_codes_sent(ledger)) == 1  # only the known address gets mail


def test_a_code_opens_the_choices_and_a_change_is_recorded(
    app_client: TestClient, ledger: Ledger
) -> None:
    subject = _person(ledger)
    page = _ask_code(app_client, ADDRESS)
    code = _codes_sent(ledger)[0]
    response = app_client.post(
        "/preferences/verify",
        data={"email": ADDRESS, "code": code, "csrf": _form_token(page), "lang": "ja"},
    )
    assert response.status_code == 303
    choices = app_client.get("/preferences/choices")
    assert "メールマガジン" in choices.text and "健康サービス" in choices.text
    response = app_client.post(
        "/preferences/choices",
        data={"purpose": "newsletter", "choice": "off", "csrf": _form_token(choices.text)},
    )
    assert response.status_code == 303
    assert current_consents(ledger, subject)["newsletter"] is False
    # the code was used once: it does not open a second session
    app_client.cookies.clear()
    again = app_client.get("/preferences")
    response = app_client.post(
        "/preferences/verify",
        data={"email": ADDRESS, "code": code, "csrf": _form_token(again.text), "lang": "ja"},
    )
    assert response.status_code == 401


def test_wrong_codes_run_out_and_expired_codes_fail(
    app_client: TestClient, ledger: Ledger, clock: FixedClock
) -> None:
    _person(ledger)
    page = _ask_code(app_client, ADDRESS)
    code = _codes_sent(ledger)[0]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_TRIES):
        response = app_client.post(
            "/preferences/verify",
            data={"email": ADDRESS, "code": wrong, "csrf": _form_token(page), "lang": "ja"},
        )
        assert response.status_code == 401
        page = response.text
    response = app_client.post(
        "/preferences/verify",
        data={"email": ADDRESS, "code": code, "csrf": _form_token(page), "lang": "ja"},
    )
    assert response.status_code == 401  # the right code, too late
    page = _ask_code(app_client, ADDRESS)
    clock.now += timedelta(minutes=16)
    response = app_client.post(
        "/preferences/verify",
        data={"email": ADDRESS, "code": _codes_sent(ledger)[-1], "csrf": _form_token(page)},
    )
    assert response.status_code == 401


def test_codes_are_rate_limited_per_address(app_client: TestClient, ledger: Ledger) -> None:
    _person(ledger)
    for _ in range(CODES_PER_HOUR):
        _ask_code(app_client, ADDRESS)
    limited = _ask_code(app_client, ADDRESS)
    assert "1時間ほど" in limited
    assert len(_codes_sent(ledger)) == CODES_PER_HOUR


def test_choices_need_a_code_first_and_a_form_token(app_client: TestClient) -> None:
    assert app_client.get("/preferences/choices").status_code == 401
    response = app_client.post(
        "/preferences/code", data={"email": ADDRESS, "csrf": "forged", "lang": "ja"}
    )
    assert response.status_code == 403


def test_a_bad_address_is_named_next_to_the_field(app_client: TestClient, ledger: Ledger) -> None:
    page = _ask_code(app_client, "not an address")
    assert 'id="email-error"' in page
    with ledger.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.outbox)).scalar_one() == 0


def test_one_click_opt_out_from_a_mail_link(app_client: TestClient, ledger: Ledger) -> None:
    subject = _person(ledger)
    link = opt_out_link(ledger, subject, "newsletter")
    path = link.removeprefix(ledger.settings.base_url.rstrip("/"))
    response = app_client.get(path, params={"lang": "en"})
    assert response.status_code == 200 and "Newsletter" in response.text
    assert current_consents(ledger, subject)["newsletter"] is False
    tampered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    assert app_client.get(tampered).status_code == 404

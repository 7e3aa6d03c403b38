"""In a real browser: an officer logs in and finds a subject; a person opts out from a mail
link and changes a choice after an e-mail code. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.server import create_app
from hogo.services.collect import Collection, collect
from hogo.services.consent import current_consents
from hogo.services.ledger import Ledger
from hogo.services.links import opt_out_link
from hogo.services.outbox import open_message
from hogo.services.staff import add_user
from tests.web.browser import CHROMIUM_ARGS, chromium_or_skip, live_server, screenshot_folder
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def browser() -> Iterator[Any]:
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def site(ledger: Ledger) -> Iterator[str]:
    add_user(ledger, username="officer", role="officer", password=PASSWORD, actor="setup")
    with live_server(create_app(ledger.settings, ledger=ledger)) as url:
        yield url


@pytest.fixture
def shots(tmp_path: Path) -> Callable[[Any, str], None]:
    folder = screenshot_folder(tmp_path)

    def take(page: Any, name: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take


def test_an_officer_logs_in_and_finds_a_subject(
    browser: Any, site: str, ledger: Ledger, shots: Callable[[Any, str], None]
) -> None:
    subject = collect(
        ledger, Collection("shop", {"name": "佐藤花子", "email": "hanako@example.jp"}), actor="app"
    ).subject_id
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    page.goto(f"{site}/console/login?lang=ja")
    page.get_by_label("ユーザー名").fill("officer")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{site}/console/")
    shots(page, "console-dashboard")
    page.get_by_role("link", name="本人の検索").click()
    page.get_by_label("メールアドレスで検索").fill("HANAKO@example.jp")
    page.get_by_role("button", name="検索").click()
    page.get_by_role("link", name=subject).click()
    assert "佐藤花子" not in page.content()  # masked
    shots(page, "console-subject")
    page.goto(f"{site}/console/audit")
    page.get_by_role("button", name="改ざんの有無を検証").click()
    page.get_by_text("記録は改ざんされていません").wait_for()


def test_a_person_opts_out_and_changes_a_choice(
    browser: Any, site: str, ledger: Ledger, shots: Callable[[Any, str], None]
) -> None:
    subject = collect(
        ledger, Collection("shop", {"name": "佐藤花子", "email": "hanako@example.jp"}), actor="app"
    ).subject_id
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    link = opt_out_link(ledger, subject, "newsletter").replace(
        ledger.settings.base_url.rstrip("/"), site
    )
    page.goto(link)
    page.get_by_text("メールマガジン").wait_for()
    assert current_consents(ledger, subject)["newsletter"] is False
    shots(page, "portal-opt-out")
    page.goto(f"{site}/preferences?lang=ja")
    page.get_by_label("メールアドレス").fill("hanako@example.jp")
    page.get_by_role("button", name="確認コードを送る").click()
    page.get_by_label("確認コード（6桁）").wait_for()
    with ledger.engine.connect() as conn:
        row = conn.execute(select(t.outbox).where(t.outbox.c.kind == "portal_code")).one()
        message = open_message(ledger, conn, row)
    assert message is not None
    code = re.findall(r"\b\d{6}\b", message.body)[0]
    page.get_by_label("確認コード（6桁）").fill(code)
    page.get_by_role("button", name="確認する").click()
    page.get_by_text("現在の設定").wait_for()
    shots(page, "portal-choices")
    form = page.locator("form", has_text="メールマガジン")
    form.get_by_label("利用を認める").check()
    form.get_by_role("button", name="変更する").click()
    page.get_by_text("設定を変更しました").wait_for()
    assert current_consents(ledger, subject)["newsletter"] is True

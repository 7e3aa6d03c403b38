"""In a real browser: an officer logs in and finds a subject; a person opts out from a mail
link and changes a choice after an e-mail code. Screenshots go to docs/screenshots/.

The site is served as `hogo serve` serves it: HOGO_SMTP_URL names a real SMTP server
(aiosmtpd, tests/services/mail_support.py) and the periodic jobs run, the outbox worker
every tenth of a second. A person's codes are read from the mail that server received,
as the person would read them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from hogo.server import create_app
from hogo.services.collect import Collection, collect
from hogo.services.consent import current_consents
from hogo.services.incidents import new_incident
from hogo.services.jobs import default_jobs
from hogo.services.ledger import Ledger
from hogo.services.links import opt_out_link
from hogo.services.requests.intake import new_request
from hogo.services.requests.queries import show as show_request
from hogo.services.staff import add_user
from hogo.web.words import WORDS
from tests.services.mail_support import Inbox, MailServer
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
def mail() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def inbox(mail: MailServer) -> Inbox:
    return mail.inbox


@pytest.fixture
def site(ledger: Ledger, mail: MailServer) -> Iterator[str]:
    add_user(ledger, username="officer", role="officer", password=PASSWORD, actor="setup")
    ledger.settings = ledger.settings.model_copy(update={"smtp_url": mail.url})
    jobs = default_jobs(ledger, outbox_every=0.1)
    with live_server(create_app(ledger.settings, ledger=ledger, jobs=jobs)) as url:
        yield url


CODE_INTRO = {"ja": "確認コードは次のとおりです。", "en": "Your confirmation code is:"}
CODE_SUBJECT = {"ja": "確認コードのお知らせ", "en": "Your confirmation code"}


def confirmation_code(message: EmailMessage) -> str:
    """The six digits on the line after the introduction, in the mail's language."""
    lang = str(message["Content-Language"])
    assert CODE_SUBJECT[lang] in str(message["Subject"])
    body = message.get_content()
    after = body.split(CODE_INTRO[lang], 1)[1]
    found = re.match(r"\s*(\d{6})\s*\n", after)
    assert found is not None, body
    return found.group(1)


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
    browser: Any, site: str, ledger: Ledger, inbox: Inbox, shots: Callable[[Any, str], None]
) -> None:
    subject = collect(
        ledger, Collection("shop", {"name": "佐藤花子", "email": "hanako@example.jp"}), actor="app"
    ).subject_id
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    # hogo sends no marketing mail itself: the company's mailing system puts this link in
    # its newsletter, and the person clicks it there.
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
    code = confirmation_code(inbox.wait_for("hanako@example.jp"))
    page.get_by_label("確認コード（6桁）").fill(code)
    page.get_by_role("button", name="確認する").click()
    page.get_by_text("現在の設定").wait_for()
    shots(page, "portal-choices")
    form = page.locator("form", has_text="メールマガジン")
    form.get_by_label("利用を認める").check()
    form.get_by_role("button", name="変更する").click()
    page.get_by_text("設定を変更しました").wait_for()
    assert current_consents(ledger, subject)["newsletter"] is True


def test_an_officer_answers_a_disclosure_request_and_drafts_an_incident_report(
    browser: Any, site: str, ledger: Ledger, shots: Callable[[Any, str], None]
) -> None:
    subject = collect(
        ledger, Collection("shop", {"name": "佐藤花子", "email": "hanako@example.jp"}), actor="app"
    ).subject_id
    request = new_request(ledger, kind="disclosure", subject_id=subject, actor="desk").request
    incident = new_incident(
        ledger, known_at=date(2026, 11, 20), summary="A laptop was lost.", actor="officer"
    )
    words = {key: value["en"] for key, value in WORDS.items()}
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{site}/console/login?lang=en")
    page.get_by_label(words["username"]).fill("officer")
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["log_in"]).click()
    page.wait_for_url(f"{site}/console/")
    page.goto(f"{site}/console/requests")
    page.get_by_role("link", name=request.id).click()
    page.get_by_label(words["method"]).select_option("registered_email")
    page.get_by_label(words["evidence"]).fill("code sent to the registered address")
    page.get_by_role("button", name=words["verify"], exact=True).click()
    page.get_by_role("button", name=words["fulfil"], exact=True).click()
    page.get_by_role("link", name=words["download_json"]).wait_for()
    shots(page, "console-request")
    assert show_request(ledger, request.id, actor="test").request.state == "answered"
    page.goto(f"{site}/console/incidents/{incident.id}")
    page.get_by_role("link", name=words["draft_preliminary"]).click()
    page.get_by_text("Report on a leakage of personal data").first.wait_for()
    shots(page, "console-incident-report")


def test_a_person_asks_for_deletion_and_sees_the_status(
    browser: Any, site: str, ledger: Ledger, inbox: Inbox, shots: Callable[[Any, str], None]
) -> None:
    collect(
        ledger,
        Collection("shop", {"name": "Hanako Sato", "email": "hanako@example.jp"}),
        actor="app",
    )
    words = {key: value["en"] for key, value in WORDS.items()}
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{site}/requests/new?lang=en")
    page.get_by_label(words["rk_deletion"]).check()
    page.get_by_label(words["email"]).fill("hanako@example.jp")
    page.get_by_role("button", name=words["send_code"]).click()
    page.get_by_label(words["code"]).wait_for()
    page.get_by_label(words["code"]).fill(confirmation_code(inbox.wait_for("hanako@example.jp")))
    page.get_by_role("button", name=words["confirm"]).click()
    page.get_by_text(words["rq_received"]).first.wait_for()
    shown = page.locator("strong.reference").inner_text()
    shots(page, "portal-request-received")
    acknowledgement = inbox.wait_for("hanako@example.jp", count=2)
    reference = re.search(r"^Request number: (\S+)\s*$", acknowledgement.get_content(), re.M)
    assert reference is not None and reference.group(1) == shown
    page.goto(f"{site}/requests/status?lang=en")
    page.get_by_label(words["rq_reference"]).fill(reference.group(1))
    page.get_by_label(words["email"]).fill("hanako@example.jp")
    page.get_by_role("button", name=words["rq_show"]).click()
    page.get_by_text(words["rs_received"]).first.wait_for()
    shots(page, "portal-request-status")

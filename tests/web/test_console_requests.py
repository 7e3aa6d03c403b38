"""The console's request queue: reading it, working a request through it, and what it refuses."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from hogo.services.collect import Collection, collect
from hogo.services.consent import record_consent
from hogo.services.ledger import Ledger
from hogo.services.requests import new_request, show, verify
from hogo.web.words import WORDS
from tests.services.conftest import FixedClock
from tests.web.conftest import answered_disclosure, log_in

HANAKO = {"name": "佐藤花子", "email": "hanako@example.jp", "purchases": "緑茶 2箱"}


def _subject(ledger: Ledger) -> str:
    return collect(ledger, Collection("shop", HANAKO), actor="app").subject_id


def _state(ledger: Ledger, request_id: str) -> str:
    return show(ledger, request_id, actor="test").request.state


def _new(ledger: Ledger, kind: str, subject: str, *, verified: bool = False) -> str:
    rid = new_request(
        ledger, kind=kind, subject_id=subject, email="hanako@example.jp", actor="desk"
    ).request.id
    if verified:
        verify(ledger, rid, method="registered_email", evidence="answered", actor="desk")
    return rid


def test_the_queue_lists_overdue_first_and_filters(
    app_client: TestClient, ledger: Ledger, clock: FixedClock
) -> None:
    subject = _subject(ledger)
    clock.now = datetime(2026, 10, 1, 3, 0, tzinfo=UTC)
    late = _new(ledger, "disclosure", subject)
    clock.now = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    fresh = _new(ledger, "correction", subject, verified=True)
    log_in(app_client, "auditor")
    page = app_client.get("/console/requests")
    assert page.status_code == 200
    assert page.text.index(late) < page.text.index(fresh)
    assert f'href="/console/requests/{late}"' in page.text
    assert WORDS["overdue"]["ja"] in page.text
    only = app_client.get("/console/requests", params={"state": "in_progress"})
    assert fresh in only.text and late not in only.text
    before = app_client.get("/console/requests", params={"due_before": "2026-11-01"})
    assert late in before.text and fresh not in before.text
    bad = app_client.get("/console/requests", params={"due_before": "soon"})
    assert bad.status_code == 422 and 'aria-describedby="filter-error"' in bad.text
    assert app_client.get("/console/requests", params={"state": "lost"}).status_code == 422


def test_the_auditor_reads_masked_and_acts_on_nothing(
    app_client: TestClient, ledger: Ledger
) -> None:
    rid = _new(ledger, "disclosure", _subject(ledger), verified=True)
    csrf = log_in(app_client, "auditor")
    page = app_client.get(f"/console/requests/{rid}")
    assert page.status_code == 200
    assert "hanako@example.jp" not in page.text and "h***@example.jp" in page.text
    assert "answered" not in page.text  # the evidence stays hidden
    assert 'action="/console/requests/' not in page.text
    for action in ("verify", "fulfil", "refuse", "withdraw"):
        response = app_client.post(f"/console/requests/{rid}/{action}", data={"csrf": csrf})
        assert response.status_code == 403
    assert _state(ledger, rid) == "in_progress"


def test_actions_without_the_csrf_token_are_refused(app_client: TestClient, ledger: Ledger) -> None:
    rid = _new(ledger, "erasure", _subject(ledger))
    log_in(app_client, "operator")
    form = {"method": "registered_email", "evidence": "answered"}
    assert app_client.post(f"/console/requests/{rid}/verify", data=form).status_code == 403
    forged = {**form, "csrf": "forged"}
    assert app_client.post(f"/console/requests/{rid}/verify", data=forged).status_code == 403
    assert app_client.post(f"/console/requests/{rid}/withdraw", data={}).status_code == 403
    assert _state(ledger, rid) == "received"


def test_verify_then_fulfil_a_correction_through_the_console(
    app_client: TestClient, ledger: Ledger
) -> None:
    rid = _new(ledger, "correction", _subject(ledger))
    csrf = log_in(app_client, "operator")
    page = app_client.get(f"/console/requests/{rid}")
    assert 'name="method"' in page.text and 'name="value"' not in page.text
    done = app_client.post(
        f"/console/requests/{rid}/verify",
        data={"csrf": csrf, "method": "registered_email", "evidence": "replied from the address"},
    )
    assert done.status_code == 303 and done.headers["location"] == f"/console/requests/{rid}"
    assert _state(ledger, rid) == "in_progress"
    page = app_client.get(f"/console/requests/{rid}")
    assert 'name="value"' in page.text and "replied from the address" in page.text
    done = app_client.post(
        f"/console/requests/{rid}/fulfil",
        data={"csrf": csrf, "item": "name", "value": "佐藤 花子"},
    )
    assert done.status_code == 303
    assert _state(ledger, rid) == "answered"
    page = app_client.get(f"/console/requests/{rid}")
    assert WORDS["state_answered"]["ja"] in page.text and 'name="value"' not in page.text


def test_bad_input_is_shown_by_the_form_and_changes_nothing(
    app_client: TestClient, ledger: Ledger
) -> None:
    subject = _subject(ledger)
    rid = _new(ledger, "correction", subject)
    csrf = log_in(app_client, "officer")
    bad = app_client.post(
        f"/console/requests/{rid}/verify",
        data={"csrf": csrf, "method": "telepathy", "evidence": "kept"},
    )
    assert bad.status_code == 422
    assert 'id="verify-error"' in bad.text and 'aria-describedby="verify-error"' in bad.text
    assert "telepathy" in bad.text and ">kept</textarea>" in bad.text
    assert _state(ledger, rid) == "received"
    verify(ledger, rid, method="registered_email", evidence="ok", actor="desk")
    bad = app_client.post(
        f"/console/requests/{rid}/fulfil",
        data={"csrf": csrf, "item": "email", "value": "not an address"},
    )
    assert bad.status_code == 422 and 'id="fulfil-error"' in bad.text
    assert "not an address" not in bad.text  # the value typed is not echoed
    assert _state(ledger, rid) == "in_progress"
    wrong_ground = app_client.post(
        f"/console/requests/{rid}/refuse",
        data={"csrf": csrf, "ground": "purpose_public", "reason": "because"},
    )
    assert wrong_ground.status_code == 422 and 'id="refuse-error"' in wrong_ground.text
    assert _state(ledger, rid) == "in_progress"
    closed = app_client.post(f"/console/requests/{rid}/withdraw", data={"csrf": csrf})
    assert closed.status_code == 303 and _state(ledger, rid) == "withdrawn"
    again = app_client.post(f"/console/requests/{rid}/withdraw", data={"csrf": csrf})
    assert again.status_code == 409 and 'id="withdraw-error"' in again.text
    assert (
        app_client.post("/console/requests/R404/withdraw", data={"csrf": csrf}).status_code == 404
    )


def test_refuse_with_a_ground(app_client: TestClient, ledger: Ledger) -> None:
    rid = _new(ledger, "erasure", _subject(ledger))
    csrf = log_in(app_client, "officer")
    page = app_client.get(f"/console/requests/{rid}")
    assert 'value="no_art35_ground"' in page.text and 'value="purpose_public"' not in page.text
    done = app_client.post(
        f"/console/requests/{rid}/refuse",
        data={"csrf": csrf, "ground": "no_art35_ground", "reason": "still needed for orders"},
    )
    assert done.status_code == 303 and _state(ledger, rid) == "refused"


def test_a_disclosure_package_downloads_for_workers_only(
    app_client: TestClient, ledger: Ledger
) -> None:
    rid = answered_disclosure(ledger, _subject(ledger))
    log_in(app_client, "operator")
    page = app_client.get(f"/console/requests/{rid}")
    assert f"/console/requests/{rid}/package.json" in page.text
    as_json = app_client.get(f"/console/requests/{rid}/package.json")
    assert as_json.status_code == 200 and "attachment" in as_json.headers["content-disposition"]
    package = json.loads(as_json.text)
    assert package["request_id"] == rid
    assert "佐藤花子" in as_json.text
    as_html = app_client.get(f"/console/requests/{rid}/package.html")
    assert as_html.status_code == 200 and "佐藤花子" in as_html.text
    assert "default-src 'none'" in as_html.headers["content-security-policy"]
    other = _new(ledger, "erasure", _subject(ledger))
    assert app_client.get(f"/console/requests/{other}/package.json").status_code == 404
    app_client.cookies.clear()
    log_in(app_client, "auditor")
    page = app_client.get(f"/console/requests/{rid}")
    assert "package.json" not in page.text and "佐藤花子" not in page.text
    assert app_client.get(f"/console/requests/{rid}/package.json").status_code == 403


def test_the_dashboard_shows_figures_and_accessible_charts(
    app_client: TestClient, ledger: Ledger, clock: FixedClock
) -> None:
    subject = _subject(ledger)
    clock.now = datetime(2026, 10, 1, 3, 0, tzinfo=UTC)
    _new(ledger, "disclosure", subject)
    clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    record_consent(ledger, subject, purpose="newsletter", granted=False, actor="portal")
    log_in(app_client, "auditor")
    page = app_client.get("/console/", params={"lang": "en"})
    assert page.status_code == 200
    assert "Overdue requests" in page.text and "Open incidents" in page.text
    assert page.text.count("<svg") == 2 and 'role="img"' in page.text
    assert 'id="chart-requests-title"' in page.text and 'id="chart-consents-desc"' in page.text
    assert re.search(r'<table class="visually-hidden">\s*<caption>Requests received', page.text)
    row = re.search(r'<th scope="row">2026-10</th><td>(\d+)</td>', page.text)
    assert row is not None and row.group(1) == "1"

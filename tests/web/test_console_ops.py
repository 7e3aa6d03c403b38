"""The console's operations: incidents, provision records, vendors, the policy, reveal."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.ledger import tables_incidents as ti
from hogo.services.collect import Collection, collect
from hogo.services.incidents import new_incident, show_incident
from hogo.services.ledger import Ledger
from hogo.services.provision import provide
from hogo.services.provision_records import PROVISION_COLUMNS
from hogo.services.vendors import vendor_statuses
from hogo.web.words import WORDS
from tests.services.conftest import FixedClock
from tests.services.consent_support import publish_variant
from tests.web.conftest import log_in


def _subject(ledger: Ledger, **consents: bool) -> str:
    return collect(
        ledger,
        Collection("shop", {"name": "佐藤花子", "email": "hanako@example.jp"}, consents=consents),
        actor="shop-app",
    ).subject_id


def _count(ledger: Ledger, table: Any) -> int:
    with ledger.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# --- incidents ------------------------------------------------------------------------------


def test_an_officer_opens_an_incident_and_scopes_it(app_client: TestClient, ledger: Ledger) -> None:
    _subject(ledger)
    csrf = log_in(app_client, "officer")
    response = app_client.post(
        "/console/incidents",
        data={
            "csrf": csrf,
            "known_at": "2026-10-01",
            "summary": "顧客名簿の入ったノートPCを紛失した",
            "unlawful_purpose": "1",
        },
    )
    assert response.status_code == 303
    incident_path = response.headers["location"]
    incident_id = int(incident_path.rsplit("/", 1)[1])
    assert show_incident(ledger, incident_id).incident.unlawful_purpose_suspected
    scoped = app_client.post(
        f"{incident_path}/scope", data={"csrf": csrf, "items": ["email", "card"]}
    )
    assert scoped.status_code == 303
    page = app_client.get(incident_path, params={"lang": "en"})
    assert page.status_code == 200
    assert "credit card number" in page.text and "e-mail address" in page.text
    assert "Rules Art. 7(ii)" in page.text  # the financial-risk trigger is met
    assert "overdue" in page.text  # known 2026-10-01: the preliminary report is late
    listing = app_client.get("/console/incidents", params={"lang": "en"})
    assert 'class="overdue"' in listing.text and f"/console/incidents/{incident_id}" in listing.text
    report = app_client.get(f"{incident_path}/report", params={"kind": "final", "lang": "en"})
    assert report.status_code == 200 and "DRAFT" in report.text
    ja = app_client.get(f"{incident_path}/report", params={"kind": "preliminary", "lang": "ja"})
    assert "速報" in ja.text
    assert app_client.get(f"{incident_path}/report", params={"kind": "x"}).status_code == 422


def test_a_bad_date_writes_nothing_and_says_so_next_to_the_field(
    app_client: TestClient, ledger: Ledger
) -> None:
    csrf = log_in(app_client, "officer")
    before = (_count(ledger, ti.incidents), _count(ledger, t.audit))
    for known_at in ("2026-13-01", "", "2027-01-01"):  # not a date, missing, in the future
        response = app_client.post(
            "/console/incidents",
            data={"csrf": csrf, "known_at": known_at, "summary": "lost"},
        )
        assert response.status_code == 422
        assert 'aria-describedby="known_at-error"' in response.text
        assert 'id="known_at-error"' in response.text
        assert ">lost</textarea>" in response.text  # what was typed stays
    assert (_count(ledger, ti.incidents), _count(ledger, t.audit)) == before


def test_operators_and_auditors_read_incidents_but_change_nothing(
    app_client: TestClient, ledger: Ledger
) -> None:
    incident = new_incident(ledger, known_at=date(2026, 11, 20), summary="x", actor="officer")
    for role in ("operator", "auditor"):
        app_client.cookies.clear()
        csrf = log_in(app_client, role)
        page = app_client.get(f"/console/incidents/{incident.id}")
        assert page.status_code == 200 and "/scope" not in page.text
        assert 'action="/console/incidents"' not in app_client.get("/console/incidents").text
        denied = app_client.post(
            "/console/incidents", data={"csrf": csrf, "known_at": "2026-11-20", "summary": "y"}
        )
        assert denied.status_code == 403
    assert _count(ledger, ti.incidents) == 1


# --- provision records ----------------------------------------------------------------------


def test_provisions_list_filter_and_csv_with_bom(app_client: TestClient, ledger: Ledger) -> None:
    s = _subject(ledger, newsletter=True)
    provide(
        ledger, [s], recipient="partner_us", items=["name", "email"], basis="consent", actor="ops"
    )
    log_in(app_client, "auditor")
    page = app_client.get("/console/provisions", params={"lang": "en"})
    assert s in page.text and "パートナー社" in page.text
    assert s not in app_client.get("/console/provisions", params={"subject": "nobody"}).text
    response = app_client.get("/console/provisions.csv", params={"subject": s})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == list(PROVISION_COLUMNS)
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["subject_id"], record["recipient"], record["items"]) == (
        s,
        "partner_us",
        "name email",
    )
    assert len(rows) == 2
    empty = app_client.get("/console/provisions.csv", params={"subject": "nobody"})
    assert len(list(csv.reader(io.StringIO(empty.content.decode("utf-8-sig"))))) == 1


# --- vendors --------------------------------------------------------------------------------


def test_vendors_overdue_flagged_and_an_officer_records_an_audit(
    app_client: TestClient, ledger: Ledger
) -> None:
    csrf = log_in(app_client, "officer")
    page = app_client.get("/console/vendors", params={"lang": "en"})
    assert "Courier Co." in page.text
    overdue = [s for s in vendor_statuses(ledger) if s.overdue]
    assert ('class="overdue"' in page.text) == bool(overdue)
    before = _count(ledger, t.audit)
    bad = app_client.post(
        "/console/vendors/courier/audits",
        data={"csrf": csrf, "audited_on": "2099-01-01", "result": "pass"},
    )
    assert bad.status_code == 422 and 'id="audited_on-courier-error"' in bad.text
    unknown = app_client.post(
        "/console/vendors/nobody/audits",
        data={"csrf": csrf, "audited_on": "2026-11-20", "result": "pass"},
    )
    assert unknown.status_code == 422
    assert _count(ledger, t.audit) == before
    done = app_client.post(
        "/console/vendors/courier/audits",
        data={"csrf": csrf, "audited_on": "2026-11-20", "result": "findings", "note": "ok"},
    )
    assert done.status_code == 303
    courier = next(s for s in vendor_statuses(ledger) if s.id == "courier")
    assert (courier.last_audit, courier.last_result) == (date(2026, 11, 20), "findings")
    assert not courier.overdue
    app_client.cookies.clear()
    csrf = log_in(app_client, "operator")
    assert "/audits" not in app_client.get("/console/vendors").text
    refused = app_client.post(
        "/console/vendors/courier/audits",
        data={"csrf": csrf, "audited_on": "2026-11-20", "result": "pass"},
    )
    assert refused.status_code == 403


# --- the policy -----------------------------------------------------------------------------


def test_policy_versions_and_the_classified_diff(
    app_client: TestClient, ledger: Ledger, tmp_path: Path
) -> None:
    second = publish_variant(
        ledger,
        tmp_path,
        {"To e-mail you news of products and campaigns": "To e-mail you news of products"},
        date(2026, 6, 1),
    )
    log_in(app_client, "auditor")
    page = app_client.get("/console/policy", params={"lang": "en"})
    assert 'href="/policy?lang=en"' in page.text
    assert f"/console/policy/diff?from=1&amp;to={second}" in page.text
    diff = app_client.get("/console/policy/diff", params={"from": 1, "to": second, "lang": "en"})
    assert diff.status_code == 200 and "newsletter" in diff.text
    assert re.search(r"Editorial|Notify|Consent", diff.text)
    same = app_client.get("/console/policy/diff", params={"from": 1, "to": 1, "lang": "en"})
    assert WORDS["no_changes"]["en"] in same.text
    assert app_client.get("/console/policy/diff", params={"from": 1, "to": 99}).status_code == 404
    assert app_client.get("/console/policy/diff", params={"from": "x", "to": 1}).status_code == 422


# --- reveal for a purpose -------------------------------------------------------------------


def _uses(ledger: Ledger) -> list[Any]:
    with ledger.engine.connect() as conn:
        return list(
            conn.execute(select(t.audit).where(t.audit.c.action == "use").order_by(t.audit.c.id))
        )


def test_reveal_allowed_shows_the_values_and_is_audited(
    app_client: TestClient, ledger: Ledger
) -> None:
    s = _subject(ledger)
    csrf = log_in(app_client, "operator")
    page = app_client.get(f"/console/subjects/{s}")
    assert 'action="/console/subjects/' in page.text and "佐藤花子" not in page.text
    response = app_client.post(
        f"/console/subjects/{s}/reveal", data={"csrf": csrf, "purpose": "orders"}
    )
    assert response.status_code == 200
    assert "佐藤花子" in response.text and "hanako@example.jp" in response.text
    (entry,) = _uses(ledger)
    assert (entry.actor, entry.outcome, entry.subject_id) == ("operator:operator", "allowed", s)
    assert entry.purpose == "orders"


def test_reveal_refused_shows_the_sentence_and_no_value(
    app_client: TestClient, ledger: Ledger
) -> None:
    s = _subject(ledger)  # no consent to the wellness purpose
    csrf = log_in(app_client, "officer")
    response = app_client.post(
        f"/console/subjects/{s}/reveal", data={"csrf": csrf, "purpose": "wellness"}
    )
    assert response.status_code == 200
    assert "佐藤花子" not in response.text and 'class="error"' in response.text
    (entry,) = _uses(ledger)
    assert entry.outcome == "refused" and entry.actor == "officer:officer"
    unknown = app_client.post(
        f"/console/subjects/{s}/reveal", data={"csrf": csrf, "purpose": "nope"}
    )
    assert unknown.status_code == 422 and 'id="purpose-error"' in unknown.text
    assert len(_uses(ledger)) == 1


def test_an_auditor_never_reveals(app_client: TestClient, ledger: Ledger) -> None:
    s = _subject(ledger)
    csrf = log_in(app_client, "auditor")
    assert "/reveal" not in app_client.get(f"/console/subjects/{s}").text
    response = app_client.post(
        f"/console/subjects/{s}/reveal", data={"csrf": csrf, "purpose": "orders"}
    )
    assert response.status_code == 403 and "佐藤花子" not in response.text
    assert _uses(ledger) == []


def test_an_overdue_vendor_audit_is_flagged_in_red(
    app_client: TestClient, ledger: Ledger, clock: FixedClock
) -> None:
    clock.advance_to(date(2027, 4, 1))  # the courier's yearly audit was due 2027-03-01
    log_in(app_client, "auditor")
    page = app_client.get("/console/vendors", params={"lang": "en"})
    assert '<span class="overdue">2027-03-01 overdue</span>' in page.text
    clock.advance_to(date(2027, 2, 1))
    assert "28 days left" in app_client.get("/console/vendors", params={"lang": "en"}).text

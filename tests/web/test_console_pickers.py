"""The console's pickers (values the policy declares, refused when posted otherwise), the
subject picker on verify, and the receipt records (Art. 30) with their CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.ledger.tables_requests import request_events
from hogo.services.collect import Collection, collect
from hogo.services.ledger import Ledger
from hogo.services.provision import provide
from hogo.services.provision_records import RECEIPT_COLUMNS
from hogo.services.receipts import receive
from hogo.services.requests import new_request, show, verify
from hogo.web.words import WORDS
from tests.web.conftest import log_in


def _subject(ledger: Ledger, email: str = "hanako@example.jp") -> str:
    return collect(
        ledger, Collection("shop", {"name": "佐藤花子", "email": email}), actor="shop-app"
    ).subject_id


def _events(ledger: Ledger) -> int:
    with ledger.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(request_events)).scalar_one())


def _not_in_policy(value: str, lang: str = "ja") -> str:
    return WORDS["not_in_policy"][lang].format(values=value)


# --- the subject picker on verify -----------------------------------------------------------


def test_verify_binds_the_request_to_the_subject_picked(
    app_client: TestClient, ledger: Ledger
) -> None:
    first = _subject(ledger, "hanako@example.jp")
    rid = new_request(ledger, kind="disclosure", email="new@example.jp", actor="desk").request.id
    assert show(ledger, rid, actor="test").request.subject_id is None  # no one matched
    csrf = log_in(app_client, "operator")
    page = app_client.get(f"/console/requests/{rid}")
    assert f'action="/console/requests/{rid}/subjects"' in page.text
    own = app_client.get(f"/console/requests/{rid}/subjects", params={"own": "1"})
    assert own.status_code == 200 and WORDS["no_match"]["ja"] in own.text
    assert "new@example.jp" not in own.text  # the address searched is not shown
    typed = app_client.get(
        f"/console/requests/{rid}/subjects", params={"email": "Hanako@Example.jp"}
    )
    assert f'name="subject" value="{first}"' in typed.text
    bad = app_client.get(f"/console/requests/{rid}/subjects", params={"email": "not an address"})
    assert bad.status_code == 422 and 'id="search-error"' in bad.text
    with ledger.engine.connect() as conn:
        lookups = conn.execute(
            select(func.count()).select_from(t.audit).where(t.audit.c.action == "lookup")
        ).scalar_one()
    assert lookups == 2  # each search is audited

    before = _events(ledger)
    form = {"csrf": csrf, "method": "id_document", "evidence": "運転免許証"}
    unknown = app_client.post(f"/console/requests/{rid}/verify", data={**form, "subject": "S404"})
    assert unknown.status_code == 422
    assert WORDS["no_such_subject"]["ja"].format(subject="S404") in unknown.text
    hostile = app_client.post(
        f"/console/requests/{rid}/verify", data={**form, "subject": first, "items": "x_iris"}
    )
    assert hostile.status_code == 422 and _not_in_policy("x_iris") in hostile.text
    assert _events(ledger) == before
    assert show(ledger, rid, actor="test").request.subject_id is None
    done = app_client.post(
        f"/console/requests/{rid}/verify", data={**form, "subject": first, "items": "email"}
    )
    assert done.status_code == 303
    bound = show(ledger, rid, actor="test").request
    assert (bound.subject_id, bound.state) == (first, "in_progress")
    assert "/subjects" not in app_client.get(f"/console/requests/{rid}").text.split("<h2")[-1]


# --- pickers on fulfil and reveal -----------------------------------------------------------


def test_fulfil_offers_the_policy_and_refuses_what_it_does_not_declare(
    app_client: TestClient, ledger: Ledger
) -> None:
    subject = _subject(ledger)
    ids = {}
    for kind in ("suspension_of_use", "correction", "deletion"):
        ids[kind] = new_request(ledger, kind=kind, subject_id=subject, actor="desk").request.id
        verify(ledger, ids[kind], method="registered_email", evidence="ok", actor="desk")
    csrf = log_in(app_client, "officer")
    page = app_client.get(f"/console/requests/{ids['suspension_of_use']}")
    assert 'name="purposes" value="newsletter"' in page.text and "メールマガジン" in page.text
    correction = app_client.get(f"/console/requests/{ids['correction']}", params={"lang": "en"})
    assert '<option value="email">' in correction.text and "e-mail address" in correction.text
    before = _events(ledger)
    for kind, data, bad in (
        ("suspension_of_use", {"purposes": ["newsletter", "x_profiling"]}, "x_profiling"),
        ("correction", {"item": "x_salary", "value": "1"}, "x_salary"),
        ("deletion", {"items": "x_diary"}, "x_diary"),
    ):
        response = app_client.post(
            f"/console/requests/{ids[kind]}/fulfil", data={"csrf": csrf, **data}
        )
        assert response.status_code == 422 and _not_in_policy(bad, "en") in response.text, kind
        assert 'id="fulfil-error"' in response.text
        assert show(ledger, ids[kind], actor="test").request.state == "in_progress"
    assert _events(ledger) == before
    done = app_client.post(
        f"/console/requests/{ids['suspension_of_use']}/fulfil",
        data={"csrf": csrf, "purposes": "newsletter"},
    )
    assert done.status_code == 303
    reveal = app_client.post(
        f"/console/subjects/{subject}/reveal", data={"csrf": csrf, "purpose": "x_curiosity"}
    )
    assert reveal.status_code == 422 and _not_in_policy("x_curiosity", "en") in reveal.text


# --- receipt records ------------------------------------------------------------------------


def test_receipts_list_filters_and_csv_with_bom(app_client: TestClient, ledger: Ledger) -> None:
    subject = _subject(ledger)
    receive(
        ledger,
        subject_id=subject,
        provider_name="名簿社",
        provider_address="大阪府大阪市北区梅田一丁目1番1号",
        acquisition_method="会員登録",
        items=["name", "email"],
        basis="opt_out",
        received_on=date(2026, 10, 1),
        ppc_publication="2026-09-01 個人情報保護委員会ウェブサイト",
        actor="ops",
    )
    receive(
        ledger,
        provider_name="Partner Inc.",
        provider_address="California, USA",
        acquisition_method="sign-up form, with consent",
        items=["purchases"],
        basis="consent",
        received_on=date(2026, 11, 20),
        actor="ops",
    )
    log_in(app_client, "auditor")
    page = app_client.get("/console/receipts")
    assert page.status_code == 200 and "名簿社" in page.text and "Partner Inc." in page.text
    assert (
        "<td>氏名、メールアドレス</td>" in page.text and WORDS["basis_opt_out"]["ja"] in page.text
    )
    assert '<option value="opt_out">' in page.text
    only = app_client.get("/console/receipts", params={"basis": "opt_out"})
    assert "名簿社" in only.text and "Partner Inc." not in only.text
    by_item = app_client.get("/console/receipts", params={"item": "purchases"})
    assert "Partner Inc." in by_item.text and "名簿社" not in by_item.text
    period = app_client.get(
        "/console/receipts", params={"received_from": "2026-11-01", "received_to": "2026-11-30"}
    )
    assert "Partner Inc." in period.text and "名簿社" not in period.text
    assert 'href="/console/receipts.csv?received_from=2026-11-01&amp;received_to=2026-11-30"' in (
        period.text
    )
    for params, field in (
        ({"item": "x_dna"}, "item"),
        ({"basis": "bought"}, "basis"),
        ({"received_from": "soon"}, "received_from"),
        ({"received_from": "2026-12-01", "received_to": "2026-11-01"}, "received_to"),
    ):
        bad = app_client.get("/console/receipts", params=params)
        assert bad.status_code == 422 and f'aria-describedby="{field}-error"' in bad.text, params
    assert (
        _not_in_policy("x_dna")
        in app_client.get("/console/receipts", params={"item": "x_dna"}).text
    )

    response = app_client.get("/console/receipts.csv", params={"basis": "opt_out"})
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="receipts.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == list(RECEIPT_COLUMNS) and len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["subject_id"], record["items"], record["basis"]) == (
        subject,
        "name email",
        "opt_out",
    )
    assert app_client.get("/console/receipts.csv", params={"item": "x_dna"}).status_code == 422


def test_provisions_filter_by_a_recipient_the_policy_names(
    app_client: TestClient, ledger: Ledger
) -> None:
    subject = collect(
        ledger,
        Collection(
            "shop", {"name": "佐藤花子", "email": "h@example.jp"}, consents={"newsletter": True}
        ),
        actor="shop-app",
    ).subject_id
    provide(ledger, [subject], recipient="partner_us", items=["email"], basis="consent", actor="o")
    log_in(app_client, "auditor")
    page = app_client.get("/console/provisions")
    assert '<option value="list_broker">名簿社</option>' in page.text
    partner = app_client.get("/console/provisions", params={"recipient": "partner_us"})
    assert subject in partner.text
    assert 'href="/console/provisions.csv?recipient=partner_us"' in partner.text
    assert (
        subject
        not in app_client.get("/console/provisions", params={"recipient": "list_broker"}).text
    )
    hostile = app_client.get("/console/provisions", params={"recipient": "data_broker"})
    assert hostile.status_code == 422 and _not_in_policy("data_broker") in hostile.text
    assert 'aria-describedby="recipient-error"' in hostile.text
    rows = app_client.get("/console/provisions.csv", params={"recipient": "partner_us"})
    assert len(list(csv.reader(io.StringIO(rows.content.decode("utf-8-sig"))))) == 2
    bad = app_client.get("/console/provisions.csv", params={"recipient": "data_broker"})
    assert bad.status_code == 422

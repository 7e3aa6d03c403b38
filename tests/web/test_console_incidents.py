"""Working an incident from the console: facts, filing dates, notices, closing, and the
values a hostile form may post (refused by their field, nothing written)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.ledger import tables_incidents as ti
from hogo.services.collect import Collection, collect
from hogo.services.incidents import new_incident, scope_by_items, show_incident
from hogo.services.ledger import Ledger
from hogo.web.words import WORDS
from tests.web.conftest import log_in


def _count(ledger: Ledger, table: Any) -> int:
    with ledger.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _written(ledger: Ledger) -> tuple[int, ...]:
    """Everything an incident action may write."""
    return tuple(
        _count(ledger, table)
        for table in (ti.incidents, ti.incident_events, ti.incident_subjects, t.audit, t.outbox)
    )


def _incident(ledger: Ledger) -> int:
    return new_incident(
        ledger, known_at=date(2026, 11, 20), summary="名簿を誤送信した", actor="officer"
    ).id


def _subject(ledger: Ledger, email: str = "hanako@example.jp") -> str:
    return collect(
        ledger, Collection("shop", {"name": "佐藤花子", "email": email}), actor="shop-app"
    ).subject_id


def test_an_officer_records_the_facts_files_notifies_and_closes(
    app_client: TestClient, ledger: Ledger
) -> None:
    _subject(ledger)
    incident = _incident(ledger)
    path = f"/console/incidents/{incident}"
    csrf = log_in(app_client, "officer")
    assert (
        app_client.post(f"{path}/scope", data={"csrf": csrf, "items": "email"}).status_code == 303
    )
    updated = app_client.post(
        f"{path}/update",
        data={
            "csrf": csrf,
            "cause": "宛先の確認を\r\n怠った",
            "occurred_at": "2026-11-19",
            "vendor": "courier",
            "flags": "1",
            "unlawful_purpose": "1",
        },
    )
    assert updated.status_code == 303
    view = show_incident(ledger, incident)
    assert view.incident.text("cause") == "宛先の確認を\n怠った"
    assert (view.incident.occurred_on, view.incident.vendor) == (date(2026, 11, 19), "courier")
    assert view.incident.final_due == date(2027, 1, 18)  # 60 days: an unlawful purpose
    assert view.incident.text("measures") is None  # fields not sent are left alone
    page = app_client.get(path)
    assert "宛先の確認を\n怠った" in page.text and "配送社" in page.text
    assert WORDS["ev_update"]["ja"] in page.text and WORDS["f_cause"]["ja"] in page.text
    assert "残り" in page.text  # the deadlines count down

    filed = app_client.post(
        f"{path}/filed", data={"csrf": csrf, "preliminary_filed_on": "2026-11-22"}
    )
    assert filed.status_code == 303
    assert show_incident(ledger, incident).preliminary.state.value == "filed"
    page = app_client.get(path, params={"lang": "en"})
    assert "filed on 2026-11-22" in page.text

    notified = app_client.post(f"{path}/notify", data={"csrf": csrf}, params={"lang": "en"})
    assert notified.status_code == 200 and "Queued 1 notice(s)" in notified.text
    assert _count(ledger, t.outbox) == 1
    assert "Notices: 1 of 1 people notified" in notified.text
    again = app_client.post(f"{path}/notify", data={"csrf": csrf}, params={"lang": "en"})
    assert "Queued 0 notice(s); 1 of 1" in again.text and _count(ledger, t.outbox) == 1

    page = app_client.get(path, params={"lang": "en"})
    assert WORDS["unfiled_final"]["en"] in page.text  # the close form warns
    before = _written(ledger)
    unconfirmed = app_client.post(f"{path}/close", data={"csrf": csrf})
    assert unconfirmed.status_code == 422 and 'id="close-confirm-error"' in unconfirmed.text
    assert _written(ledger) == before
    assert app_client.post(f"{path}/close", data={"csrf": csrf, "confirm": "1"}).status_code == 303
    closed = app_client.get(path)
    assert show_incident(ledger, incident).incident.state == "closed"
    assert WORDS["incident_closed"]["en"] in closed.text and f"{path}/update" not in closed.text
    before = _written(ledger)
    late = app_client.post(f"{path}/update", data={"csrf": csrf, "cause": "x"})
    assert late.status_code == 409 and "closed" in late.text
    assert app_client.post(f"{path}/notify", data={"csrf": csrf}).status_code == 409
    assert _written(ledger) == before


def test_operators_and_auditors_see_the_facts_but_no_action(
    app_client: TestClient, ledger: Ledger
) -> None:
    incident = _incident(ledger)
    for role in ("operator", "auditor"):
        app_client.cookies.clear()
        csrf = log_in(app_client, role)
        page = app_client.get(f"/console/incidents/{incident}")
        assert "名簿を誤送信した" in page.text and WORDS["deadlines"]["ja"] in page.text
        assert not re.search(r'action="/console/incidents/\d+/', page.text)
        for action in ("update", "filed", "notify", "close", "scope-source"):
            response = app_client.post(
                f"/console/incidents/{incident}/{action}", data={"csrf": csrf, "confirm": "1"}
            )
            assert response.status_code == 403
    assert show_incident(ledger, incident).incident.state == "open"


def test_each_wrong_field_is_refused_by_its_field_and_nothing_is_written(
    app_client: TestClient, ledger: Ledger
) -> None:
    incident = _incident(ledger)
    path = f"/console/incidents/{incident}/update"
    csrf = log_in(app_client, "officer")
    app_client.post(path, data={"csrf": csrf, "cause": "操作ミス"})
    before = (_written(ledger), show_incident(ledger, incident).incident)
    wrong = [
        ({"occurred_at": "2026-13-01"}, "occurred_at", WORDS["bad_date"]["ja"]),
        ({"occurred_at": "2026-12-01"}, "occurred_at", WORDS["future_date"]["ja"]),
        ({"occurred_at": "2026-11-22"}, "occurred_at", WORDS["occurred_out_of_order"]["ja"]),
        ({"discovered_on": "2026-11-21"}, "discovered_on", WORDS["discovered_out_of_order"]["ja"]),
        ({"cause": "  "}, "cause", WORDS["cannot_clear"]["ja"]),
        ({"vendor": "evil-corp"}, "vendor", "evil-corp"),
        ({"measures": "bad\x07bell"}, "measures", WORDS["control_characters"]["ja"]),
        ({"other": "長" * 20_001}, "other", WORDS["text_too_long"]["ja"]),
        ({"cause": "操作ミス"}, "form", WORDS["nothing_changed"]["ja"]),
    ]
    for data, field, said in wrong:
        response = app_client.post(path, data={"csrf": csrf, **data})
        assert response.status_code == 422, (data, response.text[:300])
        error = re.search(
            rf'<p class="error" id="update-{field}-error"[^>]*>([^<]*)</p>', response.text
        )
        assert error is not None and said in error.group(1), (data, field)
        if field != "form":
            assert f'aria-describedby="update-{field}-error"' in response.text
    filed = f"/console/incidents/{incident}/filed"
    early = app_client.post(filed, data={"csrf": csrf, "final_filed_on": "2026-11-01"})
    assert early.status_code == 422 and 'id="filed-final_filed_on-error"' in early.text
    assert WORDS["filed_before_known"]["ja"] in early.text
    assert (_written(ledger), show_incident(ledger, incident).incident) == before


def test_hostile_scope_values_are_refused_and_write_nothing(
    app_client: TestClient, ledger: Ledger
) -> None:
    _subject(ledger)
    incident = _incident(ledger)
    path = f"/console/incidents/{incident}"
    csrf = log_in(app_client, "officer")
    page = app_client.get(path)
    assert 'name="items" value="email"' in page.text and '<option value="shop">' in page.text
    before = _written(ledger)
    items = app_client.post(f"{path}/scope", data={"csrf": csrf, "items": ["email", "x_secret"]})
    assert items.status_code == 422 and "x_secret" in items.text
    assert 'id="scope-items-error"' in items.text
    source = app_client.post(f"{path}/scope-source", data={"csrf": csrf, "source": "dark_web"})
    assert source.status_code == 422 and 'id="scope_source-source-error"' in source.text
    assert WORDS["not_in_policy"]["ja"].split(":")[0] in source.text
    empty = app_client.post(f"{path}/notify", data={"csrf": csrf})
    assert empty.status_code == 409 and WORDS["empty_scope"]["ja"] in empty.text
    assert _written(ledger) == before
    done = app_client.post(f"{path}/scope-source", data={"csrf": csrf, "source": "shop"})
    assert done.status_code == 303
    assert show_incident(ledger, incident).scope.people == 1


def test_a_person_without_an_address_is_counted_for_publication(
    app_client: TestClient, ledger: Ledger
) -> None:
    collect(ledger, Collection("shop", {"name": "山田太郎"}), actor="shop-app")
    incident = _incident(ledger)
    scope_by_items(ledger, incident, items=["name"], actor="officer")
    csrf = log_in(app_client, "officer")
    response = app_client.post(f"/console/incidents/{incident}/notify", data={"csrf": csrf})
    assert response.status_code == 200
    assert WORDS["notify_unreachable"]["ja"].format(n=1) in response.text
    assert _count(ledger, t.outbox) == 0

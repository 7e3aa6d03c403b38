"""Finding subjects through the blind index, and showing them masked or for a purpose."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.services.collect import Collection, collect
from hogo.services.errors import BadInput, NotFound
from hogo.services.ledger import Ledger
from hogo.services.policy_versions import publish
from hogo.services.subjects import MASK, find, show
from tests.conftest import FIXTURES

HANAKO = {
    "name": "佐藤花子",
    "email": "Hanako.Sato@Example.JP",
    "phone": "090-1234-5678",
    "purchases": "緑茶 2箱",
}
PHONE_ITEM = (
    "  - {id: phone, label: {ja: 電話番号, en: telephone number}, kind: contact, "
    "format: phone_jp, lookup: true}\n"
)


def with_phone(tmp_path: Path) -> Path:
    """full.yaml with a telephone lookup item the shop collects and orders uses."""
    text = (FIXTURES / "full.yaml").read_text("utf-8")
    text = text.replace("sources:\n", PHONE_ITEM + "sources:\n", 1)
    text = text.replace(
        "items: [name, email, purchases, card, health]",
        "items: [name, email, phone, purchases, card, health]",
        1,
    )
    text = text.replace(
        "items: [name, email, purchases, card]", "items: [name, email, phone, purchases, card]", 1
    )
    path = tmp_path / "with_phone.yaml"
    path.write_text(text, "utf-8")
    return path


@pytest.fixture
def phone_ledger(ledger: Ledger, tmp_path: Path) -> Ledger:
    publish(ledger, with_phone(tmp_path), actor="officer", effective=date(2026, 2, 1))
    return ledger


def counts(ledger: Ledger) -> dict[str, int]:
    with ledger.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.subjects, t.subject_keys, t.records, t.consents, t.audit, t.index_keys)
        }


def hanako(ledger: Ledger) -> str:
    return collect(ledger, Collection("shop", HANAKO), actor="shop").subject_id


def found(ledger: Ledger, **query: str) -> list[str]:
    return [s.subject_id for s in find(ledger, **query)]


@pytest.mark.parametrize(
    "email", ["hanako.sato@example.jp", "  HANAKO.SATO@EXAMPLE.JP ", "Hanako.Sato@Example.JP"]
)
def test_find_by_email_in_any_case_and_with_spaces(phone_ledger: Ledger, email: str) -> None:
    subject = hanako(phone_ledger)
    collect(phone_ledger, Collection("shop", {"email": "other@example.jp"}), actor="shop")
    (summary,) = find(phone_ledger, email=email)
    assert summary.subject_id == subject and summary.kind == "customer"
    assert summary.matched == ("email",)
    assert summary.created_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "phone",
    [
        "09012345678",
        "+81 90-1234-5678",
        "+819012345678",
        "０９０−１２３４−５６７８",
        "(090) 1234 5678",
    ],
)
def test_find_by_phone_in_any_format(phone_ledger: Ledger, phone: str) -> None:
    subject = hanako(phone_ledger)
    assert found(phone_ledger, phone=phone) == [subject]
    assert found(phone_ledger, item="phone", value=phone) == [subject]


def test_find_nothing_and_nothing_indexed_yet(phone_ledger: Ledger) -> None:
    assert find(phone_ledger, email="nobody@example.jp") == []
    assert counts(phone_ledger)["index_keys"] == 0  # a lookup creates no key
    hanako(phone_ledger)
    assert find(phone_ledger, email="nobody@example.jp") == []


def test_erased_subjects_are_not_found(phone_ledger: Ledger) -> None:
    subject = hanako(phone_ledger)
    with phone_ledger.engine.begin() as conn:
        conn.execute(
            t.subjects.update()
            .where(t.subjects.c.id == subject)
            .values(erased_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
        )
    assert found(phone_ledger, email=HANAKO["email"]) == []
    assert found(phone_ledger, phone=HANAKO["phone"]) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"email": "not-an-address"}, "the e-mail address is not an e-mail address"),
        ({"phone": "12345"}, "the telephone number is not"),
        ({"phone": "+1 650 253 0000"}, "not a valid Japanese telephone number"),
        ({"email": "a@example.jp\x00"}, "control characters"),
        ({"email": "x" * 300 + "@example.jp"}, "at most 254"),
        ({"item": "name", "value": "佐藤花子"}, "'name' is not a lookup item"),
        ({"item": "fax", "value": "1"}, "unknown item 'fax'"),
        ({"item": "email"}, "an item and a value go together"),
        ({"value": "x"}, "an item and a value go together"),
        ({}, "give exactly one"),
        ({"email": "a@example.jp", "phone": "09012345678"}, "give exactly one"),
    ],
)
def test_bad_lookups_are_refused_and_write_nothing(
    phone_ledger: Ledger, query: dict[str, str], message: str
) -> None:
    hanako(phone_ledger)
    before = counts(phone_ledger)
    with pytest.raises(BadInput, match=message):
        find(phone_ledger, **query)
    assert counts(phone_ledger) == before


def test_find_by_phone_without_a_phone_lookup_item(ledger: Ledger) -> None:
    with pytest.raises(BadInput, match="no telephone item"):
        find(ledger, phone="09012345678")


def plaintexts() -> list[str]:
    return ["佐藤花子", "Hanako.Sato", "hanako.sato", "1234-5678", "12345678", "緑茶"]


def test_show_without_a_purpose_never_decrypts_and_writes_no_audit(phone_ledger: Ledger) -> None:
    subject = hanako(phone_ledger)
    collect(
        phone_ledger,
        Collection("shop", {"email": HANAKO["email"], "name": "佐藤 花子"}),
        actor="shop",
    )
    before = counts(phone_ledger)
    view = show(phone_ledger, subject, lang="ja")
    assert counts(phone_ledger) == before  # no audit entry, nothing written
    assert view.kind == "customer" and not view.erased and view.policy_version == "2.0"
    assert view.use is None and view.purpose is None
    by_item = {i.item: i for i in view.items}
    assert set(by_item) == {"name", "email", "phone", "purchases"}
    assert by_item["name"].records == 2 and by_item["email"].records == 2
    assert by_item["name"].label == "氏名" and by_item["phone"].source == "shop"
    assert all(i.value == MASK and not i.revealed for i in view.items)
    assert by_item["email"].collected_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    text = repr(view) + json.dumps(view.to_dict("ja"), ensure_ascii=False)
    for secret in plaintexts():
        assert secret not in text


def test_show_with_a_purpose_reads_through_use_and_is_audited(phone_ledger: Ledger) -> None:
    subject = hanako(phone_ledger)
    before = counts(phone_ledger)["audit"]
    view = show(phone_ledger, subject, purpose="newsletter", actor="mailer")
    assert view.use is not None and view.use.decision.allowed
    by_item = {i.item: i for i in view.items}
    assert by_item["email"].value == "Hanako.Sato@example.jp" and by_item["email"].revealed
    assert by_item["name"].value == "佐藤花子"
    assert by_item["phone"].value == MASK and by_item["purchases"].value == MASK  # not mapped
    with phone_ledger.engine.connect() as conn:
        last = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()
    assert counts(phone_ledger)["audit"] == before + 1
    assert (last.action, last.outcome, last.actor, last.purpose, last.subject_id) == (
        "use",
        "allowed",
        "mailer",
        "newsletter",
        subject,
    )
    assert sorted(last.items) == ["email", "name"]
    assert view.to_dict()["decision"] == {
        "allowed": True,
        "reason": "allowed",
        "message": view.use.decision.sentence("en"),
        "items": ["email", "name"],
    }


def test_show_with_a_refused_purpose_masks_and_audits_the_refusal(phone_ledger: Ledger) -> None:
    subject = hanako(phone_ledger)
    before = counts(phone_ledger)["audit"]
    view = show(phone_ledger, subject, purpose="wellness", actor="nurse", lang="ja")
    assert view.use is not None and view.use.decision.reason.value == "consent_missing"
    assert all(i.value == MASK for i in view.items)
    assert counts(phone_ledger)["audit"] == before + 1
    unknown = show(phone_ledger, subject, purpose="nope", actor="x")
    assert unknown.use is not None and unknown.use.decision.reason.value == "purpose_unknown"
    text = repr(view) + json.dumps(view.to_dict("ja"), ensure_ascii=False)
    for secret in plaintexts():
        assert secret not in text


def test_show_consents_restrictions_and_provisions(phone_ledger: Ledger) -> None:
    subject = collect(
        phone_ledger,
        Collection(
            "shop",
            {"email": "k@example.jp", "health": "良好"},
            consents={"wellness": True, "newsletter": False},
            method="form",
        ),
        actor="shop",
    ).subject_id
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    with phone_ledger.engine.begin() as conn:
        version = conn.execute(select(func.max(t.policy_versions.c.id))).scalar_one()
        conn.execute(
            t.consents.insert().values(
                subject_id=subject,
                purpose="wellness",
                granted=False,
                at=now,
                policy_version_id=version,
                method="portal",
            )
        )
        conn.execute(
            t.restrictions.insert(),
            [
                {
                    "subject_id": subject,
                    "scope": "use",
                    "purpose": "newsletter",
                    "reason": "request 12",
                    "origin": "request",
                    "created_at": now,
                    "lifted_at": None,
                },
                {
                    "subject_id": subject,
                    "scope": "provision",
                    "purpose": None,
                    "reason": "lifted",
                    "origin": "officer",
                    "created_at": now,
                    "lifted_at": now,
                },
            ],
        )
        conn.execute(
            t.provision_records.insert().values(
                subject_id=subject,
                recipient="partner_us",
                recipient_name="Partner Inc.",
                basis="consent",
                items=["email"],
                consent_confirmed=True,
                created_at=now,
            )
        )
    view = show(phone_ledger, subject)
    assert [(c.purpose, c.granted, c.method) for c in view.consents] == [
        ("newsletter", False, "form"),
        ("wellness", False, "portal"),
    ]
    assert [(r.scope, r.purpose, r.reason, r.origin) for r in view.restrictions] == [
        ("use", "newsletter", "request 12", "request")
    ]
    assert view.provisions == 1
    data = view.to_dict()
    assert data["provisions"] == 1 and data["consents"][1]["label"] == "Wellness service"  # type: ignore[index]
    assert "良好" not in repr(view)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"purpose": "orders"}, BadInput, "needs an actor"),
        ({"purpose": "orders", "actor": " "}, BadInput, "needs an actor"),
        ({"actor": "x"}, BadInput, "only used with a purpose"),
        ({"lang": "fr"}, BadInput, "unknown language"),
    ],
)
def test_show_bad_arguments_write_nothing(
    phone_ledger: Ledger, kwargs: dict[str, str], error: type[Exception], message: str
) -> None:
    subject = hanako(phone_ledger)
    before = counts(phone_ledger)
    with pytest.raises(error, match=message):
        show(phone_ledger, subject, **kwargs)
    assert counts(phone_ledger) == before


def test_show_an_unknown_subject(phone_ledger: Ledger) -> None:
    with pytest.raises(NotFound, match="no subject"):
        show(phone_ledger, "0" * 32)
    with pytest.raises(NotFound, match="no subject"):
        show(phone_ledger, "0" * 32, purpose="orders", actor="support")


def test_show_an_erased_subject(phone_ledger: Ledger) -> None:
    subject = hanako(phone_ledger)
    erased_at = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    with phone_ledger.engine.begin() as conn:
        conn.execute(
            t.subjects.update().where(t.subjects.c.id == subject).values(erased_at=erased_at)
        )
    view = show(phone_ledger, subject, purpose="orders", actor="support")
    assert view.erased and view.erased_at == erased_at
    assert view.use is not None and view.use.decision.reason.value == "erased"
    assert all(i.value == MASK for i in view.items)


def test_a_lookup_is_audited_without_the_value(phone_ledger: Ledger) -> None:
    subject = hanako(phone_ledger)
    before = counts(phone_ledger)["audit"]
    find(phone_ledger, email=HANAKO["email"].upper(), actor="support:aiko")
    with phone_ledger.engine.connect() as conn:
        last = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()
    assert counts(phone_ledger)["audit"] == before + 1
    assert (last.action, last.actor, last.outcome) == ("lookup", "support:aiko", "done")
    assert last.detail == {"subjects": [subject]}
    assert HANAKO["email"].lower() not in json.dumps([last.items, last.detail]).lower()

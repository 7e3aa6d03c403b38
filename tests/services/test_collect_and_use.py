"""Collect and use end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.services.collect import Collection, collect, collect_many
from hogo.services.errors import BadInput, NotFound, Refused
from hogo.services.ledger import Ledger
from hogo.services.use import use, use_many
from tests.services.conftest import FixedClock

HANAKO = {"name": "佐藤花子", "email": "Hanako.Sato@Example.JP", "purchases": "緑茶 2箱"}


def counts(ledger: Ledger) -> dict[str, int]:
    with ledger.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.subjects, t.subject_keys, t.records, t.consents, t.audit)
        }


def test_collect_creates_a_subject_and_use_returns_the_values(ledger: Ledger) -> None:
    result = collect(ledger, Collection("shop", HANAKO), actor="shop-app")
    assert result.created and result.records == 3
    used = use(
        ledger, result.subject_id, purpose="orders", items=["name", "email"], actor="support:aiko"
    )
    assert used.decision.allowed
    assert used.values == {"name": "佐藤花子", "email": "Hanako.Sato@example.jp"}


def test_a_second_collection_finds_the_subject_through_the_blind_index(ledger: Ledger) -> None:
    first = collect(ledger, Collection("shop", HANAKO), actor="shop-app")
    again = collect(
        ledger,
        Collection("shop", {"email": " hanako.sato@example.jp", "name": "佐藤 花子"}),
        actor="shop-app",
    )
    assert again.subject_id == first.subject_id and not again.created
    used = use(ledger, first.subject_id, purpose="orders", items=["name"], actor="support")
    assert used.values == {"name": "佐藤 花子"}  # the latest value


def test_a_batch_with_the_same_person_twice_makes_one_subject(ledger: Ledger) -> None:
    results = collect_many(
        ledger,
        [
            Collection("shop", {"email": "a@example.jp"}),
            Collection("shop", {"email": "A@example.jp"}),
        ],
        actor="import",
    )
    assert results[0].subject_id == results[1].subject_id
    assert counts(ledger)["subjects"] == 1


def test_refused_use_is_audited_and_returns_nothing(ledger: Ledger) -> None:
    subject = collect(ledger, Collection("shop", HANAKO), actor="shop-app").subject_id
    before = counts(ledger)["audit"]
    refused = use(ledger, subject, purpose="orders", items=["health"], actor="support")
    assert not refused.decision.allowed and refused.decision.reason.value == "item_not_mapped"
    assert refused.values is None
    assert "health" in refused.decision.sentence("en")
    with ledger.engine.connect() as conn:
        last = conn.execute(select(t.audit).order_by(t.audit.c.id.desc()).limit(1)).one()
    assert counts(ledger)["audit"] == before + 1
    assert (last.action, last.outcome, last.reason, last.purpose) == (
        "use",
        "refused",
        "item_not_mapped",
        "orders",
    )


def test_consent_purpose_needs_consent(ledger: Ledger) -> None:
    without = collect(ledger, Collection("shop", {"email": "x@example.jp"}), actor="app").subject_id
    assert (
        use(ledger, without, purpose="wellness", items=["name"], actor="app").decision.reason.value
        == "consent_missing"
    )
    with_consent = collect(
        ledger,
        Collection(
            "shop",
            {"email": "y@example.jp", "name": "Y"},
            consents={"wellness": True},
            evidence="form v3",
            method="form",
        ),
        actor="app",
    ).subject_id
    assert use(
        ledger, with_consent, purpose="wellness", items=["name"], actor="app"
    ).decision.allowed


def test_opt_out_recorded_at_collection_refuses_the_purpose(ledger: Ledger) -> None:
    subject = collect(
        ledger,
        Collection("shop", {"email": "z@example.jp", "name": "Z"}, consents={"newsletter": False}),
        actor="app",
    ).subject_id
    assert (
        use(
            ledger, subject, purpose="newsletter", items=["email"], actor="mailer"
        ).decision.reason.value
        == "opted_out"
    )
    other = collect(ledger, Collection("shop", {"email": "w@example.jp"}), actor="app").subject_id
    assert use(
        ledger, other, purpose="newsletter", items=["email"], actor="mailer"
    ).decision.allowed


def test_special_care_items_need_recorded_consent(ledger: Ledger) -> None:
    before = counts(ledger)
    with pytest.raises(Refused, match="special care-required") as info:
        collect(
            ledger, Collection("shop", {"email": "h@example.jp", "health": "異常なし"}), actor="app"
        )
    assert info.value.code == "special_care_without_consent"
    assert counts(ledger) == before
    ok = collect(
        ledger,
        Collection(
            "shop", {"email": "h@example.jp", "health": "異常なし"}, consents={"wellness": True}
        ),
        actor="app",
    )
    assert use(
        ledger, ok.subject_id, purpose="wellness", items=["health"], actor="nurse"
    ).values == {"health": "異常なし"}


@pytest.mark.parametrize(
    ("collection", "error", "message"),
    [
        (Collection("nowhere", {"email": "a@example.jp"}), BadInput, "unknown source 'nowhere'"),
        (Collection("shop", {"fax": "03"}), BadInput, "unknown item 'fax'"),
        (
            Collection("shop", {"email": "not-an-address"}),
            BadInput,
            "item 'email': the value is not an e-mail address",
        ),
        (Collection("shop", {"name": "x" * 1001}), BadInput, "at most 1,000 are accepted"),
        (Collection("shop", {"name": "caf\udce9"}), BadInput, "is not valid UTF-8"),
        (Collection("shop", {"name": 42}), BadInput, "a value must be text"),  # type: ignore[dict-item]
        (Collection("shop", {}), BadInput, "nothing to collect"),
        (
            Collection("shop", {"email": "a@example.jp"}, consents={"nope": True}),
            BadInput,
            "unknown purpose 'nope'",
        ),
        (
            Collection("shop", {"email": "a@example.jp"}, consents={"orders": True}),
            BadInput,
            "is announced",
        ),
        (
            Collection("shop", {"email": "a@example.jp"}, method="pigeon"),
            BadInput,
            "unknown method",
        ),
        (
            Collection("shop", {"email": "a@example.jp"}, subject_id="0" * 32),
            NotFound,
            "no subject",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    ledger: Ledger, collection: Collection, error: type[Exception], message: str
) -> None:
    before = counts(ledger)
    with pytest.raises(error, match=message):
        collect(ledger, collection, actor="app")
    assert counts(ledger) == before


def test_a_bad_entry_in_a_batch_writes_nothing_at_all(ledger: Ledger) -> None:
    before = counts(ledger)
    with pytest.raises(BadInput):
        collect_many(
            ledger,
            [Collection("shop", {"email": "ok@example.jp"}), Collection("shop", {"email": "bad"})],
            actor="import",
        )
    assert counts(ledger) == before


def test_retention_passed_refuses_use(ledger: Ledger, clock: FixedClock) -> None:
    subject = collect(
        ledger, Collection("shop", {"email": "r@example.jp", "name": "R"}), actor="app"
    ).subject_id
    # orders keeps data 7 years from the end of contract: no due date yet, so never expired here
    clock.advance_to(date(2040, 1, 1))
    assert use(ledger, subject, purpose="orders", items=["name"], actor="app").decision.allowed


def test_use_of_an_unknown_subject_is_bad_input(ledger: Ledger) -> None:
    with pytest.raises(NotFound):
        use(ledger, "f" * 32, purpose="orders", items=["name"], actor="app")


def test_batch_use(ledger: Ledger) -> None:
    a = collect(
        ledger, Collection("shop", {"email": "a@example.jp", "name": "A"}), actor="app"
    ).subject_id
    b = collect(
        ledger,
        Collection("shop", {"email": "b@example.jp", "name": "B"}, consents={"newsletter": False}),
        actor="app",
    ).subject_id
    results = use_many(ledger, [a, b], purpose="newsletter", items=["name"], actor="mailer")
    assert results[a].values == {"name": "A"} and results[b].values is None


def test_no_plaintext_in_the_database(ledger: Ledger, db_url: str, tmp_path: Path) -> None:
    secrets = {
        "name": "秘密の名前",
        "email": "unique.secret.person@example.jp",
        "purchases": "plaintext-marker-93817",
    }
    collect(ledger, Collection("shop", secrets), actor="app")
    if db_url.startswith("sqlite"):
        ledger.close()
        path = Path(db_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    else:
        schema = db_url.split("search_path%3D")[1]
        base = db_url.split("?")[0].replace("postgresql+psycopg", "postgresql")
        raw = subprocess.run(
            ["pg_dump", "--schema", schema, base], capture_output=True, check=True
        ).stdout
    for value in secrets.values():
        assert value.encode() not in raw
        assert value.lower().encode() not in raw

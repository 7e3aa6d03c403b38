"""hogo anonymize from the ledger: the law's order of work, and nothing left on failure."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hogo.ledger import tables as t
from hogo.ledger.tables_anonymized import anonymized_creations
from hogo.services.anonymized import create as create_module
from hogo.services.anonymized.announce import announced
from hogo.services.anonymized.create import Request, create
from hogo.services.anonymized.register import list_creations, read_method
from hogo.services.errors import BadInput, HogoError, NotFound, Refused
from hogo.services.ledger import Ledger
from hogo.services.public_policy import policy_page
from hogo.services.restrictions import suspend
from tests.services.anonymized_support import (
    RELEASED,
    anonymizing,
    publish_variant,
    shoppers,
    table_counts,
)

SHOPPERS = 120


@pytest.fixture
def shop(ledger: Ledger, tmp_path: Path) -> Ledger:
    publish_variant(ledger, tmp_path, anonymizing)
    shoppers(ledger, SHOPPERS)
    return ledger


def _request(tmp_path: Path, **changes: Any) -> Request:
    fields: dict[str, Any] = {
        "dataset": "shoppers",
        "purpose": "research",
        "items": RELEASED,
        "quasi": ["birth_date", "gender", "postal_code"],
        "sensitive": ["spend"],
        "k": 5,
        "max_suppression": 0.05,
        "output": tmp_path / "out" / "shoppers.csv",
    }
    fields.update(changes)
    fields["output"].parent.mkdir(parents=True, exist_ok=True)
    return Request(**fields)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _audit(ledger: Ledger, action: str) -> list[Any]:
    with ledger.engine.connect() as conn:
        return conn.execute(select(t.audit).where(t.audit.c.action == action)).all()


def test_a_dataset_is_k_anonymous_holds_no_identifier_and_is_recorded(
    shop: Ledger, tmp_path: Path
) -> None:
    request = _request(tmp_path)
    created = create(shop, request, actor="officer")
    rows = _rows(request.output)
    assert list(rows[0]) == RELEASED
    assert len(rows) == created.rows_released == SHOPPERS - created.suppressed
    assert created.suppressed <= 0.05 * SHOPPERS
    classes = Counter((r["birth_date"], r["gender"], r["postal_code"]) for r in rows)
    assert min(classes.values()) == created.k >= 5
    assert created.classes == len(classes)
    text = request.output.read_text("utf-8")
    assert "@example.jp" not in text and "客" not in text  # Rules Art. 34(i)
    with shop.engine.connect() as conn:
        subject_ids = [row.id for row in conn.execute(select(t.subjects.c.id))]
    assert not any(s in text for s in subject_ids)  # Rules Art. 34(iii): no linking code
    # A postal code is contact information: never released whole (Rules Art. 34(i)).
    assert all(len(r["postal_code"]) <= 3 for r in rows)
    assert not any(len(r["birth_date"]) == 10 for r in rows)  # no date of birth
    assert 0 <= created.loss <= 1 and created.risk_highest == pytest.approx(1 / created.k)
    (recorded,) = list_creations(shop)
    assert recorded.id == created.creation_id and recorded.items == tuple(RELEASED)
    assert recorded.digest == created.digest and recorded.rows_released == len(rows)
    assert recorded.created_on.isoformat() == "2026-11-24"
    with shop.engine.connect() as conn:
        blob = conn.execute(select(anonymized_creations.c.method)).scalar_one()
    assert b"age5" not in blob and b"postal3" not in blob  # the method is encrypted
    (bulk,) = _audit(shop, "use_bulk")
    assert bulk.outcome == "allowed" and bulk.subject_id is None
    assert bulk.detail["allowed"] == SHOPPERS and bulk.detail["dataset"] == "shoppers"
    (made,) = _audit(shop, "anonymize")
    assert made.detail["creation_id"] == created.creation_id
    assert len(_audit(shop, "use")) == 0  # one entry for the run, not one per subject


def test_the_method_is_in_the_register_for_the_officer_only(shop: Ledger, tmp_path: Path) -> None:
    created = create(shop, _request(tmp_path), actor="officer")
    method = read_method(shop, created.creation_id, actor="officer:sato")
    quasi = method["quasi"]
    assert quasi["birth_date"]["hierarchy"] == "age5"
    assert quasi["birth_date"]["steps"] == ["age5", "age10", "age20"]
    assert quasi["postal_code"]["released_from_level"] == 1
    assert quasi["postal_code"]["level"] >= 1
    assert quasi["gender"]["hierarchy"] == "suppress_only"
    assert method["k_asked"] == 5 and method["sensitive"] == ["spend"]
    with pytest.raises(Refused) as refused:
        read_method(shop, created.creation_id, actor="analyst:suzuki")
    assert refused.value.code == "actor_not_allowed"
    reads = _audit(shop, "anonymized_method_read")
    assert [(r.actor, r.outcome) for r in reads] == [
        ("officer:sato", "allowed"),
        ("analyst:suzuki", "refused"),
    ]
    with pytest.raises(NotFound):
        read_method(shop, 999, actor="officer")


def test_subjects_the_purpose_check_refuses_are_left_out_and_counted(
    shop: Ledger, tmp_path: Path
) -> None:
    with shop.engine.connect() as conn:
        first, second = [row.id for row in conn.execute(select(t.subjects.c.id).limit(2))]
    suspend(shop, first, scope="use", purpose=None, reason="request", origin="request", actor="o")
    suspend(shop, second, scope="use", purpose="research", reason="r", origin="officer", actor="o")
    created = create(shop, _request(tmp_path), actor="officer")
    assert created.subjects == SHOPPERS
    assert created.subjects_refused == {"use_suspended": 2}
    assert created.rows_in == SHOPPERS - 2
    (recorded,) = list_creations(shop)
    assert recorded.subjects_refused == 2


def test_the_rendered_policy_announces_the_creation(shop: Ledger, tmp_path: Path) -> None:
    create(shop, _request(tmp_path), actor="officer")
    with shop.engine.connect() as conn:
        (made,) = announced(conn)
    assert made.dataset == "shoppers" and made.items == tuple(RELEASED)
    ja, en = policy_page(shop, "ja"), policy_page(shop, "en")
    assert "2026年11月24日" in ja and "生年月日、性別、郵便番号、年間購入金額" in ja
    assert "November 24, 2026" in en
    assert "date of birth, gender, postal code and yearly spending" in en
    assert "age5" not in ja and "postal3" not in en  # the method is not published


def _nothing_written(ledger: Ledger, before: dict[str, int], output: Path) -> None:
    after = table_counts(ledger)
    assert after["anonymized_creations"] == before["anonymized_creations"] == 0
    assert not output.exists()
    assert not list(output.parent.iterdir())  # no temporary file either


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"items": [*RELEASED, "email"]}, "items_not_published"),
        ({"items": [*RELEASED, "name"]}, "identifier_item"),
        ({"items": [*RELEASED, "device"]}, "identifier_item"),
        ({"items": [*RELEASED, "review"]}, "free_text_item"),
        ({"quasi": ["birth_date", "gender"]}, "contact_not_generalised"),
    ],
)
def test_items_the_law_keeps_out_are_refused_before_reading(
    shop: Ledger, tmp_path: Path, changes: dict[str, Any], code: str
) -> None:
    before = table_counts(shop)
    request = _request(tmp_path, **changes)
    with pytest.raises(Refused) as refused:
        create(shop, request, actor="officer")
    assert refused.value.code == code
    _nothing_written(shop, before, request.output)
    assert table_counts(shop)["audit"] == before["audit"]  # nothing was read


def test_a_contact_item_without_a_declared_generalization_is_refused(
    ledger: Ledger, tmp_path: Path
) -> None:
    def undeclared(data: dict[str, Any]) -> None:
        anonymizing(data)
        data["anonymized"][0]["generalizations"].pop("postal_code")

    publish_variant(ledger, tmp_path, undeclared)
    shoppers(ledger, 10)
    with pytest.raises(Refused) as refused:
        create(ledger, _request(tmp_path), actor="officer")
    assert refused.value.code == "contact_not_generalised"


def test_no_solution_writes_no_register_row_and_no_file(shop: Ledger, tmp_path: Path) -> None:
    before = table_counts(shop)
    request = _request(tmp_path, k=SHOPPERS + 1, max_suppression=0.0)
    with pytest.raises(HogoError) as failed:
        create(shop, request, actor="officer")
    assert failed.value.code == "no_solution" and "fewer than k" in failed.value.message
    _nothing_written(shop, before, request.output)
    (bulk,) = _audit(shop, "use_bulk")  # the values were read: that is on the record
    assert bulk.outcome == "allowed"


def test_a_purpose_that_does_not_cover_the_items_refuses_the_whole_run(
    shop: Ledger, tmp_path: Path
) -> None:
    before = table_counts(shop)
    request = _request(tmp_path, purpose="orders")
    with pytest.raises(Refused) as refused:
        create(shop, request, actor="officer")
    assert refused.value.code == "item_not_mapped"
    _nothing_written(shop, before, request.output)
    (bulk,) = _audit(shop, "use_bulk")
    assert bulk.outcome == "refused" and bulk.reason == "item_not_mapped"
    assert "allowed" not in bulk.detail


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"dataset": "nope"}, NotFound, "declares no anonymised dataset 'nope'"),
        ({"k": 1}, BadInput, "k must be"),
        ({"l": 3}, BadInput, None),
        ({"l": 3, "sensitive": []}, BadInput, "needs a sensitive item"),
        ({"max_suppression": 1.0}, BadInput, "--max-suppression"),
        ({"quasi": []}, BadInput, "at least one quasi-identifier"),
        ({"quasi": ["birth_date", "postal_code", "spend"]}, BadInput, "both quasi"),
        ({"sensitive": ["purchases"]}, BadInput, "not among the items of the run"),
    ],
)
def test_bad_requests_are_refused_with_the_reason(
    shop: Ledger, tmp_path: Path, changes: dict[str, Any], error: type[Exception], message: str
) -> None:
    before = table_counts(shop)
    request = _request(tmp_path, **changes)
    if message is None:  # l = 3 is fine: the run goes ahead
        create(shop, request, actor="officer")
        return
    with pytest.raises(error, match=message):
        create(shop, request, actor="officer")
    _nothing_written(shop, before, request.output)


def test_an_existing_file_is_never_overwritten(shop: Ledger, tmp_path: Path) -> None:
    request = _request(tmp_path)
    request.output.write_text("keep me", "utf-8")
    with pytest.raises(BadInput, match="already exists"):
        create(shop, request, actor="officer")
    assert request.output.read_text("utf-8") == "keep me"
    assert table_counts(shop)["anonymized_creations"] == 0


def test_a_file_that_cannot_be_placed_leaves_no_register_row(
    shop: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = _request(tmp_path)

    def appears_meanwhile(temporary: Path, target: Path) -> None:
        raise BadInput(f"{target} already exists")

    monkeypatch.setattr(create_module, "_place", appears_meanwhile)
    with pytest.raises(BadInput):
        create(shop, request, actor="officer")
    assert table_counts(shop)["anonymized_creations"] == 0
    assert len(_audit(shop, "anonymize")) == 0
    assert list(request.output.parent.iterdir()) == []


def test_a_register_that_cannot_be_written_leaves_no_file(
    shop: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = _request(tmp_path)
    real = create_module.record_creation

    def then_fail(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(create_module, "record_creation", then_fail)
    with pytest.raises(RuntimeError):
        create(shop, request, actor="officer")
    assert table_counts(shop)["anonymized_creations"] == 0
    assert list(request.output.parent.iterdir()) == []


def test_values_the_generalization_cannot_read_are_withheld_and_counted(
    shop: Ledger, tmp_path: Path
) -> None:
    from hogo.services.collect import Collection, collect_many

    odd = {"birth_date": "1850-01-01", "gender": "女性", "postal_code": "100-0001", "spend": "1"}
    collect_many(shop, [Collection(source="shop", values=odd)], actor="officer")
    created = create(shop, _request(tmp_path), actor="officer")
    method = read_method(shop, created.creation_id, actor="officer")
    assert method["quasi"]["birth_date"]["withheld_unreadable"] == 1
    assert "1850" not in json.dumps(method)  # counted, never named


def test_unusual_values_of_the_other_columns_are_replaced(shop: Ledger, tmp_path: Path) -> None:
    request = _request(tmp_path, sensitive=[], items=[*RELEASED, "purchases"])
    created = create(shop, request, actor="officer")
    method = read_method(shop, created.creation_id, actor="officer")
    assert method["unusual"]["columns"]["spend"]["method"] == "top_bottom"
    assert method["unusual"]["columns"]["purchases"]["method"] == "rare"
    assert created.unusual_replaced == sum(
        c["replaced"] for c in method["unusual"]["columns"].values()
    )

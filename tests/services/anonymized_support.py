"""A policy with an anonymised dataset worth making, and shoppers to make it from."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from hogo.ledger import tables as t
from hogo.services.collect import Collection, collect_many
from hogo.services.ledger import Ledger
from hogo.services.policy_versions import publish
from tests.conftest import FIXTURES

NEW_ITEMS: list[dict[str, Any]] = [
    {
        "id": "birth_date",
        "label": {"ja": "生年月日", "en": "date of birth"},
        "kind": "demographic",
        "format": "date",
    },
    {"id": "gender", "label": {"ja": "性別", "en": "gender"}, "kind": "demographic"},
    {
        "id": "postal_code",
        "label": {"ja": "郵便番号", "en": "postal code"},
        "kind": "contact",
        "format": "postal_code_jp",
    },
    {
        "id": "spend",
        "label": {"ja": "年間購入金額", "en": "yearly spending"},
        "kind": "transaction",
        "format": "number",
    },
    {"id": "device", "label": {"ja": "端末ID", "en": "device id"}, "kind": "online_identifier"},
    {"id": "review", "label": {"ja": "レビュー", "en": "review"}, "kind": "free_text"},
]
RELEASED = ["birth_date", "gender", "postal_code", "spend"]


def anonymizing(data: dict[str, Any]) -> None:
    """full.yaml with a research purpose over demographic items and a dataset made from it."""
    ids = [item["id"] for item in NEW_ITEMS]
    data["items"].extend(NEW_ITEMS)
    data["sources"][0]["items"].extend(ids)
    data["purposes"].append(
        {
            "id": "research",
            "label": {"ja": "購買傾向の分析", "en": "Analysing buying trends"},
            "description": {
                "ja": "年代・地域別の購買傾向を分析し、品揃えの改善に役立てるため",
                "en": "To analyse buying trends by age and area and improve our range",
            },
            "items": [*ids, "name", "email", "purchases"],
            "retention": "seven_years",
        }
    )
    data["anonymized"] = [
        {
            "id": "shoppers",
            "label": {"ja": "購買傾向の分析用データ", "en": "data on buying trends"},
            "items": [*RELEASED, "purchases", "name", "device", "review"],
            "generalizations": {"birth_date": "age5", "postal_code": "postal3"},
            "provided_to": [{"ja": "共同研究先の大学", "en": "universities we research with"}],
            "provision_method": {
                "ja": "暗号化した電子ファイルを手渡しで提供します。",
                "en": "As an encrypted file handed over in person.",
            },
        }
    ]


def publish_variant(
    ledger: Ledger, tmp_path: Path, *changes: Callable[[dict[str, Any]], None], name: str = "v"
) -> int:
    """Publish full.yaml with `changes`, in force from 2026-06-01 (before the clock)."""
    data = yaml.safe_load((FIXTURES / "full.yaml").read_text("utf-8"))
    for change in changes:
        change(data)
    data["policy"]["version"] = f"{data['policy'].get('version', '1')}-{name}"
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return publish(
        ledger, path, actor="officer", effective=date(2026, 6, 1), allow_errors=True
    ).version_id


def shoppers(ledger: Ledger, count: int, *, seed: int = 7) -> None:
    """`count` shoppers with demographic values that cluster, as real customers do."""
    rng = random.Random(seed)
    collections = []
    for number in range(count):
        born = date(rng.randrange(1976, 1996), rng.randrange(1, 13), rng.randrange(1, 29))
        values = {
            "name": f"客{number}",
            "email": f"c{number}@example.jp",
            "birth_date": born.isoformat(),
            "gender": rng.choice(["女性", "男性"]),
            "postal_code": rng.choice(["100-0001", "100-0005", "150-0001", "530-0001"]),
            "spend": str(rng.randrange(1, 50) * 1000),
            "purchases": rng.choice(["本", "家電", "食品"]),
        }
        collections.append(Collection(source="shop", values=values))
    collect_many(ledger, collections, actor="officer")


def table_counts(ledger: Ledger) -> dict[str, int]:
    with ledger.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in t.metadata.sorted_tables
        }


def make_creation(ledger: Ledger, tmp_path: Path, *, count: int = 60) -> int:
    """Publish the anonymising policy, collect `count` shoppers, create one dataset."""
    from hogo.services.anonymized.create import Request, create

    publish_variant(ledger, tmp_path, anonymizing)
    shoppers(ledger, count)
    output = tmp_path / "made" / "shoppers.csv"
    output.parent.mkdir(parents=True, exist_ok=True)
    request = Request(
        dataset="shoppers",
        purpose="research",
        items=RELEASED,
        quasi=["birth_date", "gender", "postal_code"],
        k=5,
        max_suppression=0.1,
        output=output,
    )
    return create(ledger, request, actor="officer").creation_id

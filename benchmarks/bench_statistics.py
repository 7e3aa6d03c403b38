"""`hogo stats` over N subjects (default 100,000) on SQLite: the whole run, end to end.

The ledger holds the showcase policy and N made-up members (date of birth, postal code,
gender); the run counts them by 10-year age band and first postal digit for the analytics
purpose: judged by the purpose check a batch at a time, decrypted, generalized, suppressed,
audited once.

Baselines in the same run, on the same ledger: the raw SQL read of every record row (the
floor: ciphertext only, no decision, no decryption), and the do-it-yourself way an
application would count without `hogo stats`: `use_many` in batches of the same size (the
purpose check, decryption and one audit entry per person), then the same generalizations
counted with a Counter, no suppression.

Run: .venv/bin/python benchmarks/bench_statistics.py [--subjects N] [--batch B]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from hogo.config import Settings
from hogo.domain.generalizations import GeneralizationError, generalize
from hogo.ledger import tables as t
from hogo.ledger.crypto import FileKeyProvider
from hogo.ledger.engine import make_engine
from hogo.ledger.migrate import upgrade
from hogo.services.collect import Collection, collect_many
from hogo.services.demo import showcase_text
from hogo.services.ledger import open_ledger
from hogo.services.policy_versions import publish
from hogo.services.statistics import BATCH, statistics
from hogo.services.use import use_many


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=BATCH)
    args = parser.parse_args()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        key_file = base / "master.key"
        FileKeyProvider.create(key_file)
        policy = base / "hogo.yaml"
        policy.write_text(showcase_text(), "utf-8")
        settings = Settings(database_url=f"sqlite:///{base / 'hogo.db'}", key_file=key_file)
        engine = make_engine(settings.database_url)
        upgrade(engine)
        engine.dispose()
        ledger = open_ledger(settings)
        publish(ledger, policy, actor="bench", effective=date(2026, 1, 1), allow_errors=True)
        start = time.perf_counter()
        for first in range(0, args.subjects, 1000):
            people = [
                Collection(
                    "web_forms",
                    {
                        "birth_date": (
                            date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
                        ).isoformat(),
                        "postal_code": f"{rng.randrange(1000000):07d}",
                        "gender": rng.choice(["女性", "男性", "回答しない"]),
                    },
                )
                for _ in range(first, min(first + 1000, args.subjects))
            ]
            collect_many(ledger, people, actor="bench")
        print(f"collected {args.subjects:,} subjects in {time.perf_counter() - start:.1f} s")
        ledger.close()
        ledger = open_ledger(settings)  # a fresh process's caches: nothing unwrapped yet
        start = time.perf_counter()
        result = statistics(
            ledger,
            purpose="analytics",
            by="birth_date:age10,postal_code:postal1,gender",
            actor="data_analytics:bench",
            batch=args.batch,
        )
        took = time.perf_counter() - start
        ledger.close()
        print(
            f"hogo stats over {result.subjects_read:,} subjects: {took:.1f} s "
            f"({result.subjects_read / took:,.0f} subjects/s), "
            f"{len(result.table.counts):,} figures, {len(result.hidden):,} hidden"
        )
        ledger = open_ledger(settings)
        start = time.perf_counter()
        with ledger.engine.connect() as conn:
            rows = sum(
                1
                for _ in conn.execute(
                    select(t.records.c.subject_id, t.records.c.item, t.records.c.ciphertext)
                )
            )
        raw = time.perf_counter() - start
        print(f"baseline, raw SQL read of {rows:,} record rows: {raw:.1f} s (× {took / raw:.1f})")
        start = time.perf_counter()
        with ledger.engine.connect() as conn:
            ids = [r.id for r in conn.execute(select(t.subjects.c.id).order_by(t.subjects.c.id))]
        counts: Counter[tuple[str, str, str]] = Counter()
        today = ledger.today()
        items = ("birth_date", "postal_code", "gender")
        for first in range(0, len(ids), args.batch):
            answers = use_many(
                ledger,
                ids[first : first + args.batch],
                purpose="analytics",
                items=items,
                actor="data_analytics:bench",
            )
            for answer in answers.values():
                if answer.values is None:
                    continue
                try:
                    counts[
                        (
                            generalize("age10", answer.values["birth_date"], today=today),
                            generalize("postal1", answer.values["postal_code"], today=today),
                            answer.values["gender"],
                        )
                    ] += 1
                except (GeneralizationError, KeyError):
                    counts[("?", "?", "?")] += 1
        diy = time.perf_counter() - start
        ledger.close()
        print(
            f"baseline, use_many + Counter over {len(ids):,} subjects: {diy:.1f} s "
            f"({len(ids) / diy:,.0f} subjects/s, {len(counts):,} cells); "
            f"hogo stats takes × {took / diy:.2f} of it"
        )


if __name__ == "__main__":
    main()

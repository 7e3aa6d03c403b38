"""`hogo stats` over N subjects (default 100,000) on SQLite: the whole run, end to end.

The ledger holds the showcase policy and N made-up members (date of birth, postal code,
gender); the run counts them by 10-year age band and first postal digit for the analytics
purpose: judged by the purpose check a batch at a time, decrypted, generalized, suppressed,
audited once.

Run: .venv/bin/python benchmarks/bench_statistics.py [--subjects N] [--batch B]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from hogo.config import Settings
from hogo.ledger.crypto import FileKeyProvider
from hogo.ledger.engine import make_engine
from hogo.ledger.migrate import upgrade
from hogo.services.collect import Collection, collect_many
from hogo.services.demo import showcase_text
from hogo.services.ledger import open_ledger
from hogo.services.policy_versions import publish
from hogo.services.statistics import BATCH, statistics


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


if __name__ == "__main__":
    main()

"""hogo sweep: output, exit codes, and a sweep killed halfway that leaves nothing half done."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from hogo.config import Settings
from hogo.services.collect import Collection, collect_many
from hogo.services.ledger import open_ledger
from hogo.services.provision import provide
from tests.cli.support import hogo

TODAY = datetime.now(UTC).date()
YESTERDAY = TODAY - timedelta(days=1)


def execute(env: dict[str, str], sql: str, **params: Any) -> list[Any]:
    engine = create_engine(env["HOGO_DATABASE_URL"])
    try:
        with engine.begin() as conn:
            result = conn.execute(text(sql), params)
            return list(result.all()) if result.returns_rows else []
    finally:
        engine.dispose()


def seed(env: dict[str, str], n: int, *, partial_every: int = 0, provided: int = 0) -> list[str]:
    """n subjects, all records due yesterday; every `partial_every`-th keeps its name (not
    due); the first `provided` have a provision record past its retain_until."""
    settings = Settings(database_url=env["HOGO_DATABASE_URL"], key_file=Path(env["HOGO_KEY_FILE"]))
    ledger = open_ledger(settings)
    try:
        done = collect_many(
            ledger,
            [
                Collection(
                    "shop",
                    {"name": f"氏名{i}", "email": f"p{i}@example.jp", "purchases": "緑茶"},
                    consents={"newsletter": True},
                )
                for i in range(n)
            ],
            actor="seed",
        )
        subjects = [c.subject_id for c in done]
        if provided:
            provide(
                ledger,
                subjects[:provided],
                recipient="partner_us",
                items=["name", "email"],
                basis="consent",
                actor="seed",
            )
    finally:
        ledger.close()
    execute(env, "UPDATE records SET retention_due = :d", d=YESTERDAY)
    execute(env, "UPDATE provision_records SET retain_until = :d", d=YESTERDAY)
    if partial_every:
        for s in subjects[::partial_every]:
            execute(
                env,
                "UPDATE records SET retention_due = :d WHERE subject_id = :s AND item = 'name'",
                d=TODAY,
                s=s,
            )
    return subjects


def test_dry_run_then_sweep(ready: dict[str, str]) -> None:
    seed(ready, 4, partial_every=2, provided=1)
    code, out, _ = hogo(ready, "sweep", "--dry-run", "--json")
    planned = json.loads(out)
    assert code == 0 and planned["dry_run"] is True
    assert planned["records_erased"] == {"email": 4, "name": 2, "purchases": 4}
    assert (planned["subjects_swept"], planned["subjects_shredded"]) == (4, 2)
    assert planned["provision_records_purged"] == 1
    assert execute(ready, "SELECT count(*) FROM records")[0][0] == 12  # nothing written

    code, out, _ = hogo(ready, "sweep", "--dry-run")
    assert code == 0 and "records to erase: 10 (email 4, name 2, purchases 4)" in out
    assert "dry run: nothing written" in out

    code, out, _ = hogo(ready, "sweep", "--actor", "cron", "--batch", "3")
    assert code == 0, out
    assert "records erased: 10 (email 4, name 2, purchases 4)" in out
    assert "of which erased whole (data key destroyed): 2" in out
    assert "provision records purged: 1" in out and "3 batch(es)" in out  # 3+1 subjects, 1 purge
    assert execute(ready, "SELECT count(*) FROM records")[0][0] == 2

    code, out, _ = hogo(ready, "sweep", "--json")
    again = json.loads(out)
    assert code == 0 and again["records_total"] == 0 and again["batches"] == 0


def test_a_record_due_today_is_left_for_tomorrow(ready: dict[str, str]) -> None:
    seed(ready, 1)
    execute(ready, "UPDATE records SET retention_due = :d", d=TODAY)
    code, out, _ = hogo(ready, "sweep", "--json")
    assert code == 0 and json.loads(out)["records_total"] == 0


@pytest.mark.parametrize(
    "args",
    [
        ["--today", (TODAY + timedelta(days=1)).isoformat()],
        ["--today", "24/11/2026"],
        ["--batch", "0"],
        ["--batch", "10001"],
        ["--actor", " "],
    ],
)
def test_bad_sweeps_exit_2_and_write_nothing(ready: dict[str, str], args: list[str]) -> None:
    seed(ready, 2)
    before = execute(ready, "SELECT count(*) FROM records")[0][0]
    audit = execute(ready, "SELECT count(*) FROM audit")[0][0]
    code, _, _ = hogo(ready, "sweep", *args)
    assert code == 2
    assert execute(ready, "SELECT count(*) FROM records")[0][0] == before
    assert execute(ready, "SELECT count(*) FROM audit")[0][0] == audit


def test_a_future_day_may_be_looked_at_with_a_dry_run(ready: dict[str, str]) -> None:
    seed(ready, 1)
    execute(ready, "UPDATE records SET retention_due = :d", d=TODAY)
    ahead = (TODAY + timedelta(days=1)).isoformat()
    code, out, _ = hogo(ready, "sweep", "--dry-run", "--today", ahead, "--json")
    assert code == 0 and json.loads(out)["records_total"] == 3


# The interrupted sweep -----------------------------------------------------------------


def snapshot(db: Path) -> dict[str, Any]:
    """What the sweep decides, independent of run ids and times."""
    with sqlite3.connect(db) as conn:
        swept = conn.execute(
            "SELECT subject_id, detail FROM audit WHERE action = 'retention_sweep' "
            "AND subject_id IS NOT NULL"
        ).fetchall()
        purged = conn.execute(
            "SELECT detail FROM audit WHERE action = 'retention_sweep' AND subject_id IS NULL"
        ).fetchall()
        return {
            "records": sorted(conn.execute("SELECT id FROM records").fetchall()),
            "keys": sorted(conn.execute("SELECT subject_id FROM subject_keys").fetchall()),
            "erased": sorted(
                conn.execute("SELECT id FROM subjects WHERE erased_at IS NOT NULL").fetchall()
            ),
            "provision_records": sorted(conn.execute("SELECT id FROM provision_records")),
            "swept": sorted((s, json.dumps(json.loads(d)["records_erased"])) for s, d in swept),
            "purged": sorted(i for (d,) in purged for i in json.loads(d)["record_ids"]),
        }


def check_nothing_half_done(db: Path, seeded: dict[str, int]) -> None:
    with sqlite3.connect(db) as conn:
        # No subject marked erased that still has its key, or records.
        assert not conn.execute(
            "SELECT s.id FROM subjects s JOIN subject_keys k ON k.subject_id = s.id "
            "WHERE s.erased_at IS NOT NULL"
        ).fetchall()
        assert not conn.execute(
            "SELECT r.id FROM records r JOIN subjects s ON s.id = r.subject_id "
            "WHERE s.erased_at IS NOT NULL"
        ).fetchall()
        # Each subject is wholly swept (no due record left, and audited) or untouched.
        audited = {
            s
            for (s,) in conn.execute(
                "SELECT subject_id FROM audit WHERE action = 'retention_sweep'"
            )
        }
        left = dict(
            conn.execute(
                "SELECT subject_id, count(*) FROM records WHERE retention_due < ? GROUP BY subject_id",
                (TODAY.isoformat(),),
            ).fetchall()
        )
        for subject_id, due in seeded.items():
            assert left.get(subject_id, 0) in (0, due), subject_id
            assert (left.get(subject_id, 0) == 0) == (subject_id in audited), subject_id
        # Subjects with a record not due keep their key; the others lost it with the records.
        for (subject_id,) in conn.execute("SELECT DISTINCT subject_id FROM records"):
            assert conn.execute(
                "SELECT 1 FROM subject_keys WHERE subject_id = ?", (subject_id,)
            ).fetchone()


def test_a_sweep_killed_halfway_leaves_nothing_half_done(
    ready: dict[str, str], tmp_path: Path
) -> None:
    subjects = seed(ready, 900, partial_every=7, provided=60)
    seeded = {s: (2 if i % 7 == 0 else 3) for i, s in enumerate(subjects)}
    db = Path(ready["HOGO_DATABASE_URL"].removeprefix("sqlite:///"))
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    twin = tmp_path / "twin.db"
    shutil.copyfile(db, twin)

    env = {**os.environ, **ready}
    args = ["sweep", "--batch", "3", "--today", TODAY.isoformat(), "--actor", "cron"]
    process = subprocess.Popen(
        [sys.executable, "-c", "from hogo.cli.main import run; run()", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        entries = 0
        with sqlite3.connect(db, timeout=30) as watch:
            while (
                entries < len(subjects) // 3
                and time.monotonic() < deadline
                and process.poll() is None
            ):
                entries = watch.execute(
                    "SELECT count(*) FROM audit WHERE action = 'retention_sweep'"
                ).fetchone()[0]
                time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    halfway = snapshot(db)
    assert len(subjects) // 3 <= len(halfway["swept"]) < len(subjects), "not killed halfway"

    check_nothing_half_done(db, seeded)
    code, out, _ = hogo(ready, "audit", "verify")
    assert code == 0, out

    code, out, err = hogo(ready, *args, "--json")
    assert code == 0, err
    resumed = json.loads(out)
    assert resumed["subjects_swept"] == len(subjects) - len(halfway["swept"])
    check_nothing_half_done(db, seeded)
    assert hogo(ready, "audit", "verify")[0] == 0

    twin_env = {**ready, "HOGO_DATABASE_URL": f"sqlite:///{twin}"}
    code, out, err = hogo(twin_env, *args, "--json")
    assert code == 0, err
    assert json.loads(out)["subjects_swept"] == len(subjects)
    assert snapshot(db) == snapshot(twin)  # as if it had never been interrupted
    final = snapshot(db)
    assert len(final["erased"]) == len(subjects) - len(subjects[::7])
    assert final["provision_records"] == [] and len(final["purged"]) == 60

"""Real processes on one SQLite file: collecting, using and rotating keys at the same time.

Each worker is a separate Python process (not a thread), so SQLite's file locks are what
is tested: every write transaction begins IMMEDIATE and waits its turn under the busy
timeout, so no process ever fails with "database is locked".
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hogo.config import Settings
from hogo.ledger import tables as t
from hogo.ledger.audit import verify
from hogo.ledger.crypto import FileKeyProvider
from hogo.ledger.engine import make_engine
from hogo.ledger.migrate import upgrade
from hogo.services.collect import Collection, collect_many
from hogo.services.ledger import Ledger, open_ledger
from hogo.services.policy_versions import publish
from hogo.services.use import use
from tests.conftest import FIXTURES

ROUNDS = 150

WORKER = r"""
import json, sys, time
from pathlib import Path
from hogo.config import Settings
from hogo.services.collect import Collection, collect
from hogo.services.ledger import open_ledger
from hogo.services.use import use

db, key_file, name, rounds, ready, go, seeded = sys.argv[1:8]
rounds = int(rounds)
seeded = json.loads(Path(seeded).read_text()) if seeded != "-" else {}
seeded_ids = sorted(seeded)
ledger = open_ledger(Settings(database_url=db, key_file=Path(key_file)))
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.002)

def rotated():
    ring = json.loads(Path(key_file).read_text())
    return len(ring["keys"]) == 1 and ring["current"] != first_key

first_key = json.loads(Path(key_file).read_text())["current"]
latencies, done, started = [], 0, time.perf_counter()
while done < rounds or (seeded and not rotated() and time.perf_counter() - started < 15):
    email = f"{name}-{done}@example.jp"
    t0 = time.perf_counter()
    subject = collect(
        ledger, Collection("shop", {"email": email, "name": f"{name} {done}"}), actor=name
    ).subject_id
    t1 = time.perf_counter()
    result = use(ledger, subject, purpose="orders", items=["email"], actor=name)
    assert result.values == {"email": email}, result
    t2 = time.perf_counter()
    latencies += [t1 - t0, t2 - t1]
    if seeded_ids:  # an older subject, whose key the rotation may just have re-wrapped
        old = seeded_ids[done % len(seeded_ids)]
        got = use(ledger, old, purpose="orders", items=["email"], actor=name).values
        assert got == {"email": seeded[old]}, (old, got)
    done += 1
elapsed = time.perf_counter() - started
latencies.sort()
print(json.dumps({
    "rounds": done,
    "elapsed": elapsed,
    "ops_per_s": 2 * done / elapsed,
    "p50_ms": 1000 * latencies[len(latencies) // 2],
    "max_ms": 1000 * latencies[-1],
}))
"""


@pytest.fixture
def shared(tmp_path: Path) -> Settings:
    """A ledger on a SQLite file with full.yaml published, for processes to share."""
    key_file = tmp_path / "keys" / "master.key"
    FileKeyProvider.create(key_file)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'shared.db'}", key_file=key_file)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    engine.dispose()
    ledger = open_ledger(settings)
    try:
        publish(ledger, FIXTURES / "full.yaml", actor="officer", effective=date(2026, 1, 1))
    finally:
        ledger.close()
    return settings


def start_worker(
    settings: Settings, name: str, tmp_path: Path, go: Path, seeded: Path | None = None
) -> tuple[subprocess.Popen[str], Path]:
    ready = tmp_path / f"{name}.ready"
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WORKER,
            settings.database_url,
            str(settings.key_file),
            name,
            str(ROUNDS),
            str(ready),
            str(go),
            str(seeded) if seeded else "-",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, ready


def wait_ready(processes: list[tuple[subprocess.Popen[str], Path]]) -> None:
    deadline = time.monotonic() + 30
    while not all(ready.exists() for _, ready in processes):
        for process, _ in processes:
            if process.poll() is not None:
                pytest.fail(f"a worker died while starting: {process.communicate()[1]}")
        if time.monotonic() > deadline:
            pytest.fail("workers did not start within 30 s")
        time.sleep(0.01)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def table_counts(ledger: Ledger) -> dict[str, int]:
    with ledger.engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.subjects, t.subject_keys, t.records, t.audit)
        }


def audit_actors(ledger: Ledger) -> list[str]:
    with ledger.engine.connect() as conn:
        return list(conn.execute(select(t.audit.c.actor).order_by(t.audit.c.id)).scalars())


def test_two_processes_collect_and_use_at_once(shared: Settings, tmp_path: Path) -> None:
    go = tmp_path / "go"
    workers = [start_worker(shared, name, tmp_path, go) for name in ("alpha", "beta")]
    wait_ready(workers)
    go.touch()  # both start together
    results = [finish(process) for process, _ in workers]
    for code, _out, err in results:
        assert "database is locked" not in err
        assert code == 0, err
    stats = [json.loads(out) for _, out, _ in results]
    print("\nconcurrency:", json.dumps(stats))
    ledger = open_ledger(shared)
    try:
        counts = table_counts(ledger)
        assert counts["subjects"] == counts["subject_keys"] == 2 * ROUNDS
        assert counts["records"] == 2 * 2 * ROUNDS
        assert counts["audit"] == 1 + 2 * 2 * ROUNDS  # publish, then a collect and a use each
        actors = audit_actors(ledger)[1:]
        assert actors.count("alpha") == actors.count("beta") == 2 * ROUNDS
        switches = sum(1 for a, b in itertools.pairwise(actors) if a != b)
        print("switches between the processes in the audit trail:", switches)
        with ledger.engine.connect() as conn:
            checked = verify(conn)
        assert checked.ok, checked.problem
        assert checked.checked == counts["audit"]
    finally:
        ledger.close()


def test_a_rotation_in_another_process_while_collecting_and_using(
    shared: Settings, tmp_path: Path
) -> None:
    ledger = open_ledger(shared)
    try:
        seeded_people = {f"seed-{n}@example.jp": f"名前{n}" for n in range(1_000)}
        made = collect_many(
            ledger,
            [Collection("shop", {"email": e, "name": n}) for e, n in seeded_people.items()],
            actor="import",
        )
        seeded = {c.subject_id: e for c, e in zip(made, seeded_people, strict=True)}
        seeded_file = tmp_path / "seeded.json"
        seeded_file.write_text(json.dumps(dict(list(seeded.items())[:200])))
        old_key = ledger.keys.current_key_id()
        go = tmp_path / "go"
        worker = start_worker(shared, "gamma", tmp_path, go, seeded_file)
        wait_ready([worker])
        go.touch()
        script = Path(sys.executable).with_name("hogo")  # the console script, as installed
        hogo = (
            [str(script)]
            if script.exists()
            else [sys.executable, "-c", "from hogo.cli.main import run; run()"]
        )
        rotation = subprocess.run(
            [*hogo, "keys", "rotate", "--batch", "50", "--json"],
            env={
                "HOGO_DATABASE_URL": shared.database_url,
                "HOGO_KEY_FILE": str(shared.key_file),
                "PATH": "/usr/bin:/bin",
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        code, out, err = finish(worker[0])
        assert "database is locked" not in err + rotation.stderr
        assert rotation.returncode == 0, rotation.stderr
        assert code == 0, err
        rotated: dict[str, Any] = json.loads(rotation.stdout)
        stats = json.loads(out)
        print("\nrotation:", json.dumps(rotated), "\nworker:", json.dumps(stats))
        assert rotated["retired"] == [old_key] and rotated["added"]
        assert 1_000 <= rotated["rewrapped"] <= 1_000 + stats["rounds"]
        ring = json.loads(shared.key_file.read_text())
        assert list(ring["keys"]) == [rotated["key_id"]]
        with ledger.engine.connect() as conn:
            under = set(conn.execute(select(t.subject_keys.c.master_key_id)).scalars())
            assert under == {rotated["key_id"]}
            assert verify(conn).ok
        after = open_ledger(shared)  # a process started after the rotation
        try:
            for subject, email in list(seeded.items())[::97]:
                got = use(after, subject, purpose="orders", items=["email"], actor="check")
                assert got.values == {"email": email}
        finally:
            after.close()
        counts = table_counts(ledger)
        assert counts["subjects"] == 1_000 + stats["rounds"]
    finally:
        ledger.close()

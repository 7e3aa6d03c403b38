"""The REST API's throughput: `POST /api/v1/use` over HTTP against a constant-JSON baseline.

Each server runs in its own process (uvicorn, one worker, loopback, no access log) so the
clients do not share its interpreter; N client threads (default 8) each keep one
connection alive and post as fast as the answers come. The baseline is a minimal FastAPI
app whose `POST /use` returns a constant JSON object: the ratio is what hogo's work
(key check, body validation, purpose decision, decryption, audit row, commit) costs on top
of FastAPI and uvicorn themselves.

Run: make bench   (or .venv/bin/python benchmarks/bench_api.py [--threads 8] [--seconds 5])
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "tests" / "policy" / "fixtures" / "full.yaml"
SUBJECTS = 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def baseline_app() -> Any:
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/use")
    def use() -> dict[str, object]:
        return {"allowed": True, "values": {"name": "佐藤花子"}}

    return app


def hogo_app(db: str, key_file: str) -> Any:
    from hogo.config import Settings
    from hogo.server import create_app

    return create_app(Settings(database_url=db, key_file=Path(key_file)))


def serve(kind: str, port: int, db: str, key_file: str) -> None:
    import uvicorn

    app = baseline_app() if kind == "baseline" else hogo_app(db, key_file)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def prepare(folder: Path) -> tuple[str, str, str, list[str]]:
    """A ledger with the fixture policy, SUBJECTS people and an API key for orders."""
    from hogo.config import Settings
    from hogo.ledger.crypto import FileKeyProvider
    from hogo.services import database
    from hogo.services.api_keys import create_key
    from hogo.services.collect import Collection, collect_many
    from hogo.services.ledger import open_ledger
    from hogo.services.policy_versions import publish

    key_file = folder / "master.key"
    FileKeyProvider.create(key_file)
    db = f"sqlite:///{folder / 'api.db'}"
    settings = Settings(database_url=db, key_file=key_file)
    database.upgrade(settings)
    ledger = open_ledger(settings)
    try:
        publish(ledger, POLICY, actor="bench", effective=date(2026, 1, 1))
        people = [
            Collection("shop", {"name": f"利用者{i}", "email": f"p{i}@example.jp"})
            for i in range(SUBJECTS)
        ]
        ids = [c.subject_id for c in collect_many(ledger, people, actor="bench")]
        token, _ = create_key(
            ledger, name="bench", purposes=["orders"], items=["name", "email"], actor="bench"
        )
    finally:
        ledger.close()
    return db, str(key_file), token, ids


def wait_until_up(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"the server at {url} did not start")


def load(
    url: str, bodies: list[dict[str, Any]], headers: dict[str, str], threads: int, seconds: float
) -> float:
    """Requests per second over `seconds`, `threads` clients each on one kept-alive connection."""
    counts = [0] * threads
    failures: list[str] = []
    start_line = threading.Barrier(threads + 1)
    stop = threading.Event()

    def client(n: int) -> None:
        with httpx.Client(headers=headers, timeout=30) as session:
            session.post(url, json=bodies[n % len(bodies)])  # open the connection
            start_line.wait()
            i = n
            while not stop.is_set():
                response = session.post(url, json=bodies[i % len(bodies)])
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text[:200]}")
                    return
                counts[n] += 1
                i += threads

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    start_line.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise SystemExit(f"a request failed: {failures[0]}")
    return sum(counts) / elapsed


def measure(kind: str, folder: Path, args: argparse.Namespace) -> float:
    port = free_port()
    db, key_file, token, ids = args.prepared
    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            kind,
            "--port",
            str(port),
            "--db",
            db,
            "--key-file",
            key_file,
        ]
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + ("/api/v1/openapi.json" if kind == "hogo" else "/docs"))
        if kind == "hogo":
            url = base + "/api/v1/use"
            bodies = [
                {"subject_id": s, "purpose": "orders", "items": ["name", "email"]} for s in ids
            ]
            headers = {"Authorization": f"Bearer {token}"}
        else:
            url = base + "/use"
            bodies = [
                {"subject_id": s, "purpose": "orders", "items": ["name", "email"]} for s in ids
            ]
            headers = {}
        load(url, bodies, headers, args.threads, 1.0)  # warm up
        return load(url, bodies, headers, args.threads, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--serve", choices=["hogo", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--key-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.db, args.key_file)
        return
    with tempfile.TemporaryDirectory() as tmp:
        args.prepared = prepare(Path(tmp))
        print(
            f"POST /api/v1/use over HTTP, {args.threads} client threads with keep-alive, "
            f"{args.seconds:g} s each, uvicorn (1 process) on loopback, SQLite"
        )
        baseline = measure("baseline", Path(tmp), args)
        print(
            f"  {'baseline: FastAPI POST returning a constant JSON':<52} {baseline:>10,.0f}/s {1:>8.2f}"
        )
        hogo = measure("hogo", Path(tmp), args)
        print(
            f"  {'hogo POST /api/v1/use (2 items, allowed, audited)':<52} {hogo:>10,.0f}/s {hogo / baseline:>8.2f}"
        )


if __name__ == "__main__":
    main()

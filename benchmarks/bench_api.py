"""The REST API's throughput: `POST /api/v1/use` over HTTP against a constant-JSON baseline.

Each server runs in its own process (uvicorn, one worker, loopback, no access log). The
baseline is a minimal FastAPI app whose `POST /use` returns a constant JSON object, served
and loaded the same way in the same run: the ratio is what hogo's work (key check, body
validation, purpose decision, decryption, audit row, commit) costs on top of FastAPI and
uvicorn themselves.

The load comes from this process: N client threads (default 1, 8 and 32 in turn), each on
one kept-alive connection, sending pre-encoded requests over a plain socket and reading
each answer by its Content-Length. A general HTTP client costs more CPU per request than
the baseline server does (httpx saturated a core at about 1,000 requests/s, half what
the baseline serves), and on a 2-core machine the client's CPU is taken from the server's;
so the client's and each server's CPU are printed beside the rates.

Every figure is the best of --rounds (3) runs of --seconds, baseline and hogo alternating.
Afterwards the audit chain is verified and the number of `use` entries is checked against
the number of answered requests: every use is audited, and the chain stays whole under
concurrent writers.

Run: make bench   (or .venv/bin/python benchmarks/bench_api.py [--db URL] [--clients 1,8,32])
PostgreSQL: --db postgresql+psycopg://postgres@127.0.0.1:5432/NAME (a fresh schema is made
in that database and dropped afterwards).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

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


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    app = baseline_app() if args.serve == "baseline" else hogo_app(args.db, args.key_file)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        http=args.http,
        loop=args.loop,
    )


@contextmanager
def database(url: str | None, folder: Path) -> Iterator[str]:
    """The URL to bench on: a new SQLite file, or a new schema in the PostgreSQL database
    named (dropped afterwards, so nothing of the database's own is touched)."""
    if url is None or url.startswith("sqlite"):
        yield url or f"sqlite:///{folder / 'api.db'}"
        return
    from sqlalchemy import create_engine

    schema = f"bench_{secrets.token_hex(6)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def prepare(db: str, folder: Path) -> tuple[str, str, list[str]]:
    """A ledger with the fixture policy, SUBJECTS people and an API key for orders."""
    from hogo.config import Settings
    from hogo.ledger.crypto import FileKeyProvider
    from hogo.services import database as ledger_database
    from hogo.services.api_keys import create_key
    from hogo.services.collect import Collection, collect_many
    from hogo.services.ledger import open_ledger
    from hogo.services.policy_versions import publish

    key_file = folder / "master.key"
    FileKeyProvider.create(key_file)
    settings = Settings(database_url=db, key_file=key_file)
    ledger_database.upgrade(settings)
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
    return str(key_file), token, ids


def check_trail(db: str, key_file: str, answered: int) -> tuple[int, int]:
    """Verify the chain and that each answered use left exactly one audit entry."""
    from sqlalchemy import func, select

    from hogo.config import Settings
    from hogo.ledger import tables as t
    from hogo.services.audit_trail import verify
    from hogo.services.ledger import open_ledger

    ledger = open_ledger(Settings(database_url=db, key_file=Path(key_file)))
    try:
        report = verify(ledger)
        with ledger.engine.connect() as conn:
            uses = conn.execute(
                select(func.count()).select_from(t.audit).where(t.audit.c.action == "use")
            ).scalar_one()
    finally:
        ledger.close()
    if not report.ok:
        raise SystemExit(f"the audit chain is broken after the run: {report.problem}")
    if uses != answered:
        raise SystemExit(f"{answered} uses were answered but {uses} were audited")
    return report.checked, uses


def request_bytes(path: str, body: dict[str, Any], headers: dict[str, str]) -> bytes:
    data = json.dumps(body).encode()
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Content-Length: {len(data)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


class Connection:
    """One kept-alive HTTP/1.1 connection that sends prepared requests and reads answers."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        self.sock.sendall(request)
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._receive()
        head = bytes(self.buffer[:end]).lower()
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            raise SystemExit(f"an answer without Content-Length: {head[:200]!r}")
        length = int(head[at + 17 :].split(b"\r\n", 1)[0])
        total = end + 4 + length
        while len(self.buffer) < total:
            self._receive()
        status, body = int(head[9:12]), bytes(self.buffer[end + 4 : total])
        del self.buffer[:total]
        return status, body

    def _receive(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise SystemExit("the server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


@dataclass
class Result:
    rate: float
    answered: int
    client_cpu: float
    server_cpu: float


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) the process and its threads have used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(port: int, requests: list[bytes], clients: int, seconds: float, server: int) -> Result:
    """Requests per second over `seconds`, `clients` threads each on one connection."""
    counts = [0] * clients
    failures: list[str] = []
    start_line = threading.Barrier(clients + 1)
    stop = threading.Event()

    def client(n: int) -> None:
        connection = Connection(port)
        try:
            start_line.wait()
            i = n
            while not stop.is_set():
                status, body = connection.exchange(requests[i % len(requests)])
                if status != 200:
                    failures.append(f"{status} {body[:300]!r}")
                    return
                counts[n] += 1
                i += clients
        finally:
            connection.close()

    workers = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for w in workers:
        w.start()
    start_line.wait()
    server_before = process_cpu(server)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_SELF)
    if failures:
        raise SystemExit(f"a request failed: {failures[0]}")
    client_cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    return Result(
        sum(counts) / elapsed,
        sum(counts),
        client_cpu / elapsed,
        (process_cpu(server) - server_before) / elapsed,
    )


class Server:
    """A uvicorn process serving `kind` on a free port, and the requests to send it."""

    def __init__(self, kind: str, args: argparse.Namespace, db: str, key_file: str) -> None:
        self.kind = kind
        self.port = free_port()
        command = [sys.executable, __file__, "--serve", kind, "--port", str(self.port)]
        command += ["--db", db, "--key-file", key_file, "--http", args.http, "--loop", args.loop]
        self.process = subprocess.Popen(command)
        self.answered = 0

    def requests(self, token: str, ids: list[str]) -> list[bytes]:
        path, headers = ("/api/v1/use", {"Authorization": f"Bearer {token}"})
        if self.kind == "baseline":
            path, headers = "/use", {}
        return [
            request_bytes(
                path, {"subject_id": s, "purpose": "orders", "items": ["name", "email"]}, headers
            )
            for s in ids
        ]

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the {self.kind} server exited")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"the {self.kind} server did not start")

    def run(self, requests: list[bytes], clients: int, seconds: float) -> Result:
        result = load(self.port, requests, clients, seconds, self.process.pid)
        self.answered += result.answered
        return result

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--clients", default="1,8,32", help="client concurrencies, e.g. 1,8,32")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3, help="the best of this many runs")
    parser.add_argument("--http", default="auto", help="uvicorn's --http (auto, h11, httptools)")
    parser.add_argument("--loop", default="auto", help="uvicorn's --loop (auto, asyncio, uvloop)")
    parser.add_argument("--serve", choices=["hogo", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--key-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    clients = [int(c) for c in args.clients.split(",")]
    with tempfile.TemporaryDirectory() as tmp, database(args.db, Path(tmp)) as db:
        key_file, token, ids = prepare(db, Path(tmp))
        servers = {kind: Server(kind, args, db, key_file) for kind in ("baseline", "hogo")}
        try:
            requests = {kind: s.requests(token, ids) for kind, s in servers.items()}
            for s in servers.values():
                s.wait_until_up()
                s.run(requests[s.kind], max(clients), 1.0)  # warm up
            best: dict[tuple[str, int], Result] = {}
            for _ in range(args.rounds):
                for n in clients:
                    for kind, s in servers.items():
                        result = s.run(requests[kind], n, args.seconds)
                        if (kind, n) not in best or result.rate > best[kind, n].rate:
                            best[kind, n] = result
        finally:
            for s in servers.values():
                s.stop()
        checked, uses = check_trail(db, key_file, servers["hogo"].answered)
    backend = "PostgreSQL" if db.startswith("postgresql") else "SQLite"
    print(
        f"POST /api/v1/use over HTTP on {backend}: uvicorn (1 process, --http {resolved(args.http, 'httptools', 'h11')}, "
        f"--loop {resolved(args.loop, 'uvloop', 'asyncio')}) on loopback; best of {args.rounds} runs of {args.seconds:g} s"
    )
    print(
        f"  {'clients':>7} {'baseline/s':>11} {'hogo/s':>9} {'× base':>7}"
        f"   {'server CPU µs/request: baseline':>31} {'hogo':>6} {'× base':>7}   client CPU"
    )
    for n in clients:
        b, h = best["baseline", n], best["hogo", n]
        b_cost, h_cost = b.server_cpu / b.rate * 1e6, h.server_cpu / h.rate * 1e6
        print(
            f"  {n:>7} {b.rate:>11,.0f} {h.rate:>9,.0f} {h.rate / b.rate:>7.2f}"
            f"   {b_cost:>31,.0f} {h_cost:>6,.0f} {b_cost / h_cost:>7.2f}   {h.client_cpu:>10.0%}"
        )
    print(f"  audit chain verified: {checked:,} entries; {uses:,} uses answered, each audited")


def resolved(choice: str, installed: str, otherwise: str) -> str:
    """What uvicorn's "auto" picks: httptools and uvloop when they are installed."""
    if choice != "auto":
        return choice
    return installed if importlib.util.find_spec(installed) else otherwise


if __name__ == "__main__":
    main()

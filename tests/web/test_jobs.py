"""Periodic jobs in the app's lifespan: they run, survive failures and stop at shut-down."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from hogo.server import create_app
from hogo.services.jobs import Job, JobRunner, default_jobs
from hogo.services.ledger import Ledger
from tests.services.conftest import clock, db_url, ledger, settings  # noqa: F401  (fixtures)


def wait_for(runner: JobRunner, name: str, runs: int = 1) -> None:
    deadline = time.monotonic() + 10
    while runner.runs[name] < runs:
        assert time.monotonic() < deadline, f"job {name} did not run"
        time.sleep(0.02)


def test_the_sweep_runs_once_at_start_up(ledger: Ledger) -> None:  # noqa: F811
    app = create_app(ledger.settings, ledger=ledger, jobs=True)
    with TestClient(app) as client:
        runner = app.state.jobs
        wait_for(runner, "sweep")
        assert client.get("/api/v1/openapi.json").status_code == 200
    assert runner.runs["sweep"] == 1 and not runner.failures


def test_no_jobs_runs_none(ledger: Ledger) -> None:  # noqa: F811
    app = create_app(ledger.settings, ledger=ledger)
    with TestClient(app):
        time.sleep(0.1)
        assert not app.state.jobs.runs


def test_a_failing_job_is_logged_and_runs_again(
    ledger: Ledger,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(_: Ledger) -> None:
        raise RuntimeError("the mail server is on fire")

    app = create_app(ledger.settings, ledger=ledger, jobs=[Job("broken", 0.01, broken)])
    with TestClient(app) as client:
        wait_for(app.state.jobs, "broken", runs=3)
        assert client.get("/api/v1/openapi.json").status_code == 200
    assert app.state.jobs.failures["broken"] >= 3
    assert "job broken failed" in caplog.text


def test_the_outbox_worker_runs_only_with_an_smtp_server(ledger: Ledger) -> None:  # noqa: F811
    assert [j.name for j in default_jobs(ledger)] == ["sweep"]
    with_smtp = ledger.settings.model_copy(update={"smtp_url": "smtp://127.0.0.1:2525"})
    ledger.settings = with_smtp
    assert [j.name for j in default_jobs(ledger)] == ["outbox", "sweep"]

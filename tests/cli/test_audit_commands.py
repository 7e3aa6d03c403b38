from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from hogo.cli.main import app
from tests.conftest import FIXTURES

runner = CliRunner()


def test_verify_intact_then_tampered(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path)])
    db = tmp_path / "hogo.db"
    env = {
        "HOGO_DATABASE_URL": f"sqlite:///{db}",
        "HOGO_KEY_FILE": str(tmp_path / ".hogo" / "master.key"),
        "HOGO_POLICY": str(FIXTURES / "full.yaml"),
    }
    for args in (
        ["db", "upgrade"],
        ["policy", "publish"],
        ["collect", "--source", "shop", "--value", "email=a@example.jp"],
    ):
        assert runner.invoke(app, args, env=env).exit_code == 0
    result = runner.invoke(app, ["audit", "verify"], env=env)
    assert (
        result.exit_code == 0
        and "intact: 2 entries" in result.stdout
        and "head: entry 2" in result.stdout
    )
    report = json.loads(runner.invoke(app, ["audit", "verify", "--json"], env=env).stdout)
    assert report["ok"] and len(report["head_hash"]) == 64

    with sqlite3.connect(db) as conn:
        conn.execute("update audit set actor = 'someone else' where id = 1")
    result = runner.invoke(app, ["audit", "verify"], env=env)
    assert result.exit_code == 1 and "BROKEN at entry 1" in result.stdout

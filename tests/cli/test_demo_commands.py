"""hogo demo from the command line: writes the folder once, refuses it again unless --force."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.support import hogo


def test_demo_writes_the_folder_and_prints_the_login(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    code, out, _ = hogo({}, "demo", "--dir", str(folder), "--subjects", "10", "--seed", "2")
    assert code == 0, out
    assert "officer / hogo-demo-officer" in out
    assert {"hogo.db", "hogo.yaml", "master.key"} <= {p.name for p in folder.iterdir()}
    code, _, err = hogo({}, "demo", "--dir", str(folder), "--subjects", "10")
    assert code == 3 and "--force" in err
    code, out, _ = hogo({}, "demo", "--dir", str(folder), "--subjects", "10", "--force", "--json")
    assert code == 0
    assert json.loads(out)["database_url"] == f"sqlite:///{folder / 'hogo.db'}"

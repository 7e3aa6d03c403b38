"""hogo policy publish reports a revision; hogo policy changes lists what a version obliged."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.support import hogo
from tests.conftest import FIXTURES


def collect(env: dict[str, str], *values: str, consent: str | None = None) -> str:
    args = ["collect", "--source", "shop", "--json"]
    for value in values:
        args += ["--value", value]
    if consent:
        args += ["--consent", consent]
    code, out, err = hogo(env, *args)
    assert code == 0, err
    return str(json.loads(out)["subject_id"])


def revised(tmp_path: Path) -> Path:
    """full.yaml with an item added to the wellness purpose, notified by e-mail."""
    text = (FIXTURES / "full.yaml").read_text("utf-8")
    text = text.replace("items: [name, health]", "items: [name, health, purchases]")
    path = tmp_path / "revised.yaml"
    path.write_text(text + "\nchanges:\n  notice: [website, email]\n", "utf-8")
    return path


def test_publish_reports_changes_notices_and_consent_again(
    ready: dict[str, str], tmp_path: Path
) -> None:
    reached = collect(
        ready, "name=花子", "email=h@example.jp", "health=良好", consent="wellness=yes"
    )
    collect(ready, "email=b@example.jp")
    path = revised(tmp_path)
    code, out, err = hogo(
        ready, "policy", "publish", str(path), "--allow-errors", "--effective", "2030-01-01"
    )
    assert code == 0, err
    assert "compared with version #1: 2 change(s) (1 consent, 1 editorial)" in out
    assert "consent   purposes[wellness].items [APPI Art. 18(1)]" in out
    assert "reaches holders of health, name, purchases" in out
    assert "consent needed again" in out and "  wellness: consents recorded after" in out
    assert "notice by e-mail: 1 subject(s) reached, 1 notice(s) queued, 0 without" in out
    code, out, _ = hogo(ready, "policy", "publish", str(path), "--allow-errors", "--json")
    data = json.loads(out)
    assert code == 0 and data["created"] is False and data["version_id"] == 2
    assert data["revision"]["requirements"][0]["purpose"] == "wellness"
    assert data["notices"] == {
        "version_id": 2,
        "notice": "done",
        "reached": 1,
        "queued": 1,
        "without_address": 0,
    }
    code, out, _ = hogo(ready, "policy", "changes", "--json")
    listed = json.loads(out)
    assert code == 0 and listed["version_id"] == 2 and listed["highest"] == "consent"
    assert [c["path"] for c in listed["changes"]] == ["purposes[wellness].items", "changes.notice"]
    assert listed["changes"][0]["notice"]["ja"].startswith("利用目的「健康サービス」")
    code, out, _ = hogo(ready, "policy", "changes", "2")
    assert code == 0 and "editorial changes.notice" in out
    code, out, _ = hogo(
        ready, "use", reached, "--purpose", "wellness", "--items", "name", "--actor", "a", "--json"
    )
    assert code == 0 and json.loads(out)["reason"] == "allowed"  # the revision applies in 2030


def test_changes_of_the_first_version_and_of_none(ready: dict[str, str]) -> None:
    code, out, _ = hogo(ready, "policy", "changes", "1")
    assert code == 0 and "the first published version: nothing to compare" in out
    code, out, _ = hogo(ready, "policy", "changes", "9", "--json")
    assert code == 2 and json.loads(out)["error"] == "not_found"
    code, _, err = hogo(ready, "policy", "changes", "x")
    assert code == 2 and "valid integer" in err

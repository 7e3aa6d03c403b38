"""The policy commands end to end: exit codes, text and JSON output, files written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hogo.cli.main import app
from tests.conftest import FIXTURES, STARTER

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_init_writes_a_starter_that_passes_check(tmp_path: Path) -> None:
    code, out, _ = run("init", str(tmp_path / "new"))
    assert code == 0 and "wrote" in out
    written = tmp_path / "new" / "hogo.yaml"
    assert written.read_text("utf-8") == STARTER.read_text("utf-8")
    code, out, _ = run("check", str(written))
    assert code == 0, out
    assert "0 error(s), 0 warning(s)" in out


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    target = tmp_path / "hogo.yaml"
    target.write_text("mine", encoding="utf-8")
    code, _, err = run("init", str(tmp_path))
    assert code == 2 and "already exists" in err
    assert target.read_text("utf-8") == "mine"
    assert run("init", str(tmp_path), "--force")[0] == 0
    assert target.read_text("utf-8") != "mine"


def test_check_reports_findings_with_location_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        STARTER.read_text("utf-8").replace("retention: inquiry_3y", "retention: nope"), "utf-8"
    )
    code, out, _ = run("check", str(path))
    assert code == 1
    assert f"{path}:" in out and "error HG003" in out and "[APPI Art. 22]" in out


def test_check_json(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(STARTER.read_text("utf-8").replace("retention: inquiry_3y\n", ""), "utf-8")
    code, out, _ = run("check", str(path), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["warnings"] == 1
    (finding,) = report["findings"]
    assert finding["rule"] == "HG007" and finding["severity"] == "warning" and finding["line"] > 0


def test_check_today_changes_the_verdict() -> None:
    full = str(FIXTURES / "full.yaml")
    assert run("check", full, "--today", "2027-03-01")[0] == 0
    code, out, _ = run("check", full, "--today", "2027-03-02")
    assert code == 1 and "HG020" in out


def test_check_load_errors_exit_1_and_missing_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("hogo: 1\nsurprise: true\n", "utf-8")
    code, out, _ = run("check", str(path))
    assert code == 1 and "unknown key 'surprise'" in out
    code, _, err = run("check", str(tmp_path / "absent.yaml"))
    assert code == 2 and "no such file" in err


def test_check_uses_hogo_policy_env(tmp_path: Path) -> None:
    code, out, _ = run("check", env={"HOGO_POLICY": str(STARTER)})
    assert code == 0 and str(STARTER) in out


def test_check_bad_date_is_bad_input() -> None:
    assert run("check", str(STARTER), "--today", "24/11/2026")[0] == 2


def test_list_rules() -> None:
    code, out, _ = run("check", "--list-rules", "--format", "json")
    rules = json.loads(out)
    assert code == 0 and len(rules) >= 20 and rules[0]["id"] == "HG001" and rules[0]["ja"]
    code, out, _ = run("check", "--list-rules")
    assert code == 0 and "HG033" in out


@pytest.mark.parametrize(
    ("lang", "fmt", "marker"),
    [
        ("ja", "md", "第1条"),
        ("en", "md", "Article 1"),
        ("ja", "html", '<html lang="ja"'),
        ("en", "html", '<html lang="en"'),
    ],
)
def test_render_to_stdout(lang: str, fmt: str, marker: str) -> None:
    code, out, _ = run("render", str(STARTER), "--lang", lang, "--format", fmt)
    assert code == 0 and marker in out


def test_render_to_file_and_site(tmp_path: Path) -> None:
    out_file = tmp_path / "deep" / "policy.html"
    assert run("render", str(STARTER), "-o", str(out_file))[0] == 0
    assert out_file.read_text("utf-8").startswith("<!doctype html>")
    code, out, _ = run("render", str(STARTER), "--site", str(tmp_path / "site"))
    assert code == 0 and "site ready" in out
    for rel in (
        "index.html",
        "ja/index.html",
        "en/index.html",
        "ja/privacy-policy.md",
        "en/privacy-policy.md",
    ):
        assert (tmp_path / "site" / rel).is_file(), rel


def test_render_refuses_an_invalid_policy_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        STARTER.read_text("utf-8").replace("retention: inquiry_3y", "retention: nope"), "utf-8"
    )
    code, _out, err = run("render", str(path), "-o", str(tmp_path / "x.html"))
    assert code == 2 and "retention rule 'nope'" in err
    assert not (tmp_path / "x.html").exists()


def test_diff_exit_code_tells_whether_consent_is_needed(tmp_path: Path) -> None:
    text = STARTER.read_text("utf-8")
    same = tmp_path / "same.yaml"
    same.write_text(text, "utf-8")
    code, out, _ = run("diff", str(STARTER), str(same))
    assert code == 0 and "no changes" in out

    editorial = tmp_path / "editorial.yaml"
    editorial.write_text(text.replace('version: "1.0"', 'version: "1.1"'), "utf-8")
    code, out, _ = run("diff", str(STARTER), str(editorial), "--format", "json")
    assert code == 0 and json.loads(out)["requires_consent"] is False

    widened = tmp_path / "widened.yaml"
    widened.write_text(
        text.replace(
            "items: [name, email, phone, inquiry]\n    basis",
            "items: [name, email, phone, inquiry, name]\n    basis",
        ).replace(
            "  - id: inquiry\n    label: {ja: お問い合わせ内容, en: content of the inquiry}\n    kind: free_text\n",
            "  - id: inquiry\n    label: {ja: お問い合わせ内容, en: content of the inquiry}\n    kind: free_text\n"
            "  - id: religion\n    label: {ja: 信条, en: creed}\n    special_care: true\n",
        ),
        "utf-8",
    )
    code, out, _ = run("diff", str(STARTER), str(widened))
    assert code == 1 and "consent" in out


def test_console_script_runs_as_a_real_process(tmp_path: Path) -> None:
    hogo = shutil.which("hogo", path=str(Path(sys.executable).parent))
    assert hogo is not None
    done = subprocess.run(
        [hogo, "check", str(STARTER), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xff\xfe")
    done = subprocess.run([hogo, "render", str(bad)], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "not UTF-8" in done.stderr and "Traceback" not in done.stderr

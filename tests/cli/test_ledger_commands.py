"""The ledger from the command line: exit codes 0/1/2/3, JSON output, nothing written on failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import hogo
from tests.conftest import FIXTURES


def test_commands_before_setup_say_what_to_do(env: dict[str, str]) -> None:
    code, _, err = hogo(env, "collect", "--source", "shop", "--value", "email=a@example.jp")
    assert code == 1 and "hogo db upgrade" in err
    hogo(env, "db", "upgrade")
    code, _, err = hogo(env, "collect", "--source", "shop", "--value", "email=a@example.jp")
    assert code == 1 and "hogo policy publish" in err


def test_missing_key_file_is_not_ready(env: dict[str, str], tmp_path: Path) -> None:
    env = {**env, "HOGO_KEY_FILE": str(tmp_path / "nokey")}
    code, _, err = hogo(env, "collect", "--source", "shop", "--value", "email=a@example.jp")
    assert code == 1 and "no key file" in err


def test_publish_twice_and_versions(ready: dict[str, str]) -> None:
    code, out, _ = hogo(ready, "policy", "publish", "--json")
    assert code == 0 and json.loads(out)["created"] is False
    code, out, _ = hogo(ready, "policy", "versions", "--json")
    (version,) = json.loads(out)
    assert version["version"] == "2.0" and version["effective_date"] == "2026-01-01"


def test_publishing_a_policy_with_errors_is_refused(ready: dict[str, str]) -> None:
    code, _, err = hogo(
        ready, "policy", "publish", str(FIXTURES.parents[2] / "examples" / "exrant.yaml")
    )
    assert code == 3 and "policy_has_errors" in err and "HG025" in err
    code, _, _ = hogo(
        ready,
        "policy",
        "publish",
        str(FIXTURES.parents[2] / "examples" / "exrant.yaml"),
        "--allow-errors",
    )
    assert code == 0


def test_collect_then_use(ready: dict[str, str]) -> None:
    code, out, _ = hogo(
        ready,
        "collect",
        "--source",
        "shop",
        "--value",
        "name=佐藤花子",
        "--value",
        "email=hanako@example.jp",
    )
    assert code == 0
    subject = out.strip()
    code, out, _ = hogo(
        ready,
        "use",
        subject,
        "--purpose",
        "orders",
        "--items",
        "name,email",
        "--actor",
        "support:aiko",
    )
    assert code == 0 and out == "name\t佐藤花子\nemail\thanako@example.jp\n"
    code, out, _ = hogo(
        ready, "use", subject, "--purpose", "wellness", "--items", "name", "--actor", "x", "--json"
    )
    body = json.loads(out)
    assert (
        code == 3
        and body["allowed"] is False
        and body["reason"] == "consent_missing"
        and body["values"] is None
    )


def test_refusal_sentence_in_japanese(ready: dict[str, str]) -> None:
    subject = hogo(ready, "collect", "--source", "shop", "--value", "email=j@example.jp")[1].strip()
    code, out, _ = hogo(
        ready,
        "use",
        subject,
        "--purpose",
        "orders",
        "--items",
        "health",
        "--actor",
        "x",
        "--lang",
        "ja",
    )
    assert code == 3 and "item_not_mapped" in out and "利用目的" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--value", "email"], "is not KEY=VALUE"),
        (["--value", "email=a@example.jp", "--value", "email=b@example.jp"], "given twice"),
        (["--value", "email=a@example.jp", "--consent", "wellness=maybe"], "answer yes or no"),
        (["--value", "email=nope"], "is not an e-mail address"),
        (["--value", "fax=1"], "unknown item 'fax'"),
    ],
)
def test_bad_collect_input_exits_2_and_writes_nothing(
    ready: dict[str, str], args: list[str], message: str
) -> None:
    code, _, err = hogo(ready, "collect", "--source", "shop", *args)
    assert code == 2 and message in err
    code, _, _ = hogo(ready, "policy", "versions", "--json")  # the database still answers
    assert code == 0


def test_special_care_refusal_exits_3_with_json(ready: dict[str, str]) -> None:
    code, out, _ = hogo(ready, "collect", "--source", "shop", "--value", "health=良好", "--json")
    assert code == 3 and json.loads(out) == {
        "ok": False,
        "error": "special_care_without_consent",
        "message": json.loads(out)["message"],
    }

"""hogo keys rotate, hogo subject find and hogo subject show from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import hogo


def collect(env: dict[str, str], **values: str) -> str:
    args = [f"--value={k}={v}" for k, v in values.items()]
    code, out, err = hogo(env, "collect", "--source", "shop", *args)
    assert code == 0, err
    return out.strip()


def test_find_by_email(ready: dict[str, str]) -> None:
    subject = collect(ready, email="Hanako@Example.JP", name="佐藤花子")
    code, out, _ = hogo(ready, "subject", "find", "--email", " HANAKO@example.jp")
    assert code == 0 and out.split("\t")[0] == subject and out.strip().endswith("email")
    code, out, _ = hogo(
        ready, "subject", "find", "--item", "email", "--value", "hanako@example.jp", "--json"
    )
    (found,) = json.loads(out)
    assert code == 0 and found["subject_id"] == subject and found["matched"] == ["email"]
    code, out, err = hogo(ready, "subject", "find", "--email", "nobody@example.jp")
    assert (code, out) == (0, "") and "no subject found" in err
    code, out, _ = hogo(ready, "subject", "find", "--email", "nobody@example.jp", "--json")
    assert code == 0 and json.loads(out) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-address"], "not an e-mail address"),
        (["--phone", "09012345678"], "no telephone item"),
        (["--item", "name", "--value", "x"], "not a lookup item"),
        ([], "give exactly one"),
    ],
)
def test_find_bad_input_exits_2(ready: dict[str, str], args: list[str], message: str) -> None:
    code, _, err = hogo(ready, "subject", "find", *args)
    assert code == 2 and message in err
    code, out, _ = hogo(ready, "subject", "find", *args, "--json")
    assert code == 2 and json.loads(out)["ok"] is False


def test_show_masks_without_a_purpose(ready: dict[str, str]) -> None:
    subject = collect(ready, email="hanako@example.jp", name="佐藤花子")
    code, out, _ = hogo(ready, "subject", "show", subject)
    assert code == 0 and subject in out and "••••" in out
    assert "hanako" not in out and "佐藤" not in out
    code, out, _ = hogo(ready, "subject", "show", subject, "--json", "--lang", "ja")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["decision"] is None
    assert {i["item"]: i["label"] for i in data["items"]} == {
        "email": "メールアドレス",
        "name": "氏名",
    }
    assert "hanako" not in out and "佐藤" not in out


def test_show_with_a_purpose(ready: dict[str, str]) -> None:
    subject = collect(ready, email="hanako@example.jp", name="佐藤花子")
    code, out, _ = hogo(
        ready, "subject", "show", subject, "--purpose", "orders", "--actor", "support"
    )
    assert code == 0 and "hanako@example.jp" in out and "佐藤花子" in out and "audited" in out
    code, out, _ = hogo(
        ready, "subject", "show", subject, "--purpose", "wellness", "--actor", "nurse", "--json"
    )
    data = json.loads(out)
    assert code == 3 and data["ok"] is False and data["decision"]["reason"] == "consent_missing"
    code, out, _ = hogo(
        ready, "subject", "show", subject, "--purpose", "wellness", "--actor", "nurse"
    )
    assert code == 3 and "refused (consent_missing)" in out and "佐藤" not in out
    code, _, err = hogo(ready, "subject", "show", subject, "--purpose", "orders")
    assert code == 2 and "needs an actor" in err
    code, _, err = hogo(ready, "subject", "show", "0" * 32)
    assert code == 2 and "no subject" in err


def test_keys_rotate(ready: dict[str, str]) -> None:
    subject = collect(ready, email="hanako@example.jp", name="佐藤花子")
    old = json.loads(Path(ready["HOGO_KEY_FILE"]).read_text())["current"]
    code, out, _ = hogo(ready, "keys", "rotate", "--json", "--batch", "1")
    data = json.loads(out)
    assert code == 0 and data["ok"] and data["added"] and data["rewrapped"] == 1
    assert data["retired"] == [old] and data["index_rewrapped"] is True
    ring = json.loads(Path(ready["HOGO_KEY_FILE"]).read_text())
    assert list(ring["keys"]) == [data["key_id"]] == [ring["current"]]
    code, out, _ = hogo(ready, "keys", "rotate", "--actor", "officer:kim")
    assert code == 0 and "rotated to master key" in out and "re-wrapped 1 data key" in out
    code, out, _ = hogo(
        ready, "use", subject, "--purpose", "orders", "--items", "email", "--actor", "support"
    )
    assert code == 0 and out == "email\thanako@example.jp\n"
    code, out, _ = hogo(ready, "subject", "find", "--email", "hanako@example.jp")
    assert code == 0 and out.startswith(subject)


def test_keys_rotate_with_a_single_hogo_master_key_explains(ready: dict[str, str]) -> None:
    env = {**ready, "HOGO_MASTER_KEY": "A" * 43 + "="}
    code, _, err = hogo(env, "keys", "rotate")
    assert code == 1 and "HOGO_MASTER_KEY=NEWKEY,OLDKEY" in err

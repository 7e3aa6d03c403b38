"""hogo apikey and hogo user from the command line."""

from __future__ import annotations

import json

from tests.cli.support import hogo


def test_apikey_create_list_revoke(ready: dict[str, str]) -> None:
    code, out, _ = hogo(
        ready, "apikey", "create", "--name", "shop", "--purposes", "orders", "--items", "name,email"
    )
    assert code == 0 and out.startswith("hogo_")
    code, out, _ = hogo(ready, "apikey", "list", "--json")
    listed = json.loads(out)["keys"]
    assert [k["name"] for k in listed] == ["shop"] and "token" not in listed[0]
    assert hogo(ready, "apikey", "revoke", "shop")[0] == 0
    code, _, err = hogo(ready, "apikey", "revoke", "shop")
    assert code == 2 and "already revoked" in err


def test_apikey_with_an_unknown_purpose_is_bad_input(ready: dict[str, str]) -> None:
    code, out, _ = hogo(
        ready,
        "apikey",
        "create",
        "--name",
        "x",
        "--purposes",
        "spying",
        "--items",
        "name",
        "--json",
    )
    assert code == 2 and json.loads(out)["error"] == "bad_input"


def test_user_add_reads_the_password_from_the_environment(ready: dict[str, str]) -> None:
    env = {**ready, "PW": "correct horse battery"}
    code, out, _ = hogo(env, "user", "add", "aiko", "--role", "officer", "--password-env", "PW")
    assert code == 0 and "added aiko (officer)" in out
    code, out, _ = hogo(env, "user", "list", "--json")
    assert json.loads(out)["users"][0]["role"] == "officer"
    assert hogo(env, "user", "disable", "aiko")[0] == 0
    code, _, err = hogo({**env, "PW": "short"}, "user", "add", "ken", "--password-env", "PW")
    assert code == 2 and "12 to 1,000" in err

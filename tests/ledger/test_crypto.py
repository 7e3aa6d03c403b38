from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from hogo.ledger.crypto import (
    BlindIndex,
    EnvKeyProvider,
    FileKeyProvider,
    KeyringError,
    SubjectCipher,
    new_data_key,
)


def test_keyring_file_is_created_private_and_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "master.key"
    provider = FileKeyProvider.create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert provider.current_key_id().startswith("mk-")
    with pytest.raises(KeyringError, match="never replaces"):
        FileKeyProvider.create(path)


def test_wrap_round_trip_and_context_binding(tmp_path: Path) -> None:
    provider = FileKeyProvider.create(tmp_path / "k")
    dek = new_data_key()
    wrapped = provider.wrap(dek, context=b"subject-1")
    assert provider.unwrap(wrapped, context=b"subject-1") == dek
    with pytest.raises(KeyringError, match="does not open"):
        provider.unwrap(wrapped, context=b"subject-2")


def test_rotation_keeps_old_keys_until_retired(tmp_path: Path) -> None:
    provider = FileKeyProvider.create(tmp_path / "k")
    old_id = provider.current_key_id()
    wrapped = provider.wrap(b"x" * 32, context=b"s")
    new_id = provider.add_current()
    assert new_id != old_id and provider.current_key_id() == new_id
    reopened = FileKeyProvider(tmp_path / "k")
    assert reopened.unwrap(wrapped, context=b"s") == b"x" * 32
    rewrapped = reopened.wrap(b"x" * 32, context=b"s")
    assert rewrapped.master_key_id == new_id
    reopened.retire({old_id, new_id})  # the current key is never retired
    assert reopened.key_ids() == [new_id]
    with pytest.raises(KeyringError, match="not available"):
        FileKeyProvider(tmp_path / "k").unwrap(wrapped, context=b"s")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a hogo key file"),
        ('{"format": 2}', "not a hogo key file"),
        ('{"format": 1, "current": "a", "keys": {"a": "!!"}}', "not base64"),
        ('{"format": 1, "current": "a", "keys": {"a": "AAAA"}}', "must hold 32 bytes"),
        (
            '{"format": 1, "current": "b", "keys": {"a": "'
            + base64.b64encode(b"k" * 32).decode()
            + '"}}',
            "not in the keyring",
        ),
    ],
)
def test_bad_key_files_are_refused_clearly(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "k"
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(KeyringError, match=message):
        FileKeyProvider(path)


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    FileKeyProvider.create(tmp_path / "k")
    (tmp_path / "k").chmod(0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        FileKeyProvider(tmp_path / "k")


def test_missing_key_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="hogo init"):
        FileKeyProvider(tmp_path / "absent")


def test_env_provider() -> None:
    key = base64.b64encode(os.urandom(32)).decode()
    provider = EnvKeyProvider(key)
    wrapped = provider.wrap(b"d" * 32, context=b"s")
    assert EnvKeyProvider(key).unwrap(wrapped, context=b"s") == b"d" * 32
    with pytest.raises(KeyringError, match="32 bytes"):
        EnvKeyProvider(base64.b64encode(b"short").decode())


def test_subject_cipher_binds_subject_and_item() -> None:
    key = new_data_key()
    blob = SubjectCipher(key, "s1").encrypt("email", "hanako@example.jp")
    assert b"hanako" not in blob
    assert SubjectCipher(key, "s1").decrypt("email", blob) == "hanako@example.jp"
    with pytest.raises(KeyringError, match="altered or moved"):
        SubjectCipher(key, "s2").decrypt("email", blob)
    with pytest.raises(KeyringError, match="altered or moved"):
        SubjectCipher(key, "s1").decrypt("phone", blob)
    with pytest.raises(KeyringError):
        SubjectCipher(new_data_key(), "s1").decrypt("email", blob)


def test_encryption_is_randomised() -> None:
    cipher = SubjectCipher(new_data_key(), "s1")
    assert cipher.encrypt("name", "山田") != cipher.encrypt("name", "山田")


def test_blind_index_is_keyed_and_item_scoped() -> None:
    index = BlindIndex(b"i" * 32)
    assert index.digest("email", "a@b.jp") == index.digest("email", "a@b.jp")
    assert index.digest("email", "a@b.jp") != index.digest("phone", "a@b.jp")
    assert BlindIndex(b"j" * 32).digest("email", "a@b.jp") != index.digest("email", "a@b.jp")


def test_keyring_json_has_no_plaintext_elsewhere(tmp_path: Path) -> None:
    FileKeyProvider.create(tmp_path / "k")
    data = json.loads((tmp_path / "k").read_text())
    assert set(data) == {"format", "current", "keys"}
    assert not list(tmp_path.glob(".*.tmp"))


def test_env_provider_with_new_and_old_keys() -> None:
    old = base64.b64encode(os.urandom(32)).decode()
    new = base64.b64encode(os.urandom(32)).decode()
    under_old = EnvKeyProvider(old).wrap(b"d" * 32, context=b"s")
    both = EnvKeyProvider(f"{new}, {old}")
    assert both.current_key_id() == EnvKeyProvider(new).current_key_id()
    assert both.key_ids() == [EnvKeyProvider(new).current_key_id(), under_old.master_key_id]
    assert both.unwrap(under_old, context=b"s") == b"d" * 32
    assert both.wrap(b"d" * 32, context=b"s").master_key_id == both.current_key_id()
    with pytest.raises(KeyringError, match="HOGO_MASTER_KEY key 2 must hold 32 bytes"):
        EnvKeyProvider(f"{new},{base64.b64encode(b'short').decode()}")


def test_file_provider_follows_a_rotation_made_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "k"
    FileKeyProvider.create(path)
    running = FileKeyProvider(path)  # e.g. a web server, opened before the rotation
    old_id = running.current_key_id()
    rotating = FileKeyProvider(path)
    new_id = rotating.add_current()
    rewrapped = rotating.wrap(b"d" * 32, context=b"s")
    assert running.unwrap(rewrapped, context=b"s") == b"d" * 32  # learns the new key
    rotating.retire({old_id})
    assert running.wrap(b"e" * 32, context=b"t").master_key_id == new_id  # never the retired
    assert running.current_key_id() == new_id


def test_adding_a_key_keeps_keys_added_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "k"
    FileKeyProvider.create(path)
    first, second = FileKeyProvider(path), FileKeyProvider(path)
    added = first.add_current()
    second.add_current()
    assert added in FileKeyProvider(path).key_ids()

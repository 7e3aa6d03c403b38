"""Envelope encryption: a master key wraps one random data key per subject.

Erasing a subject deletes its wrapped data key, which makes every copy of its values
unreadable, backups included (crypto-shredding). The master key never touches the
database; it comes from a KeyProvider: a key file, an environment variable, or later a
KMS that only wraps and unwraps and never reveals the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the GCM standard nonce


class KeyringError(Exception):
    """A key is missing, malformed, unreadable or does not open what it should."""


@dataclass(frozen=True)
class WrappedKey:
    master_key_id: str
    blob: bytes


class KeyProvider(Protocol):
    """What the ledger needs of a master key: wrap and unwrap data keys, by key id."""

    def current_key_id(self) -> str: ...

    def wrap(self, key: bytes, *, context: bytes) -> WrappedKey: ...

    def unwrap(self, wrapped: WrappedKey, *, context: bytes) -> bytes: ...


@lru_cache(maxsize=8)
def _master_aead(key: bytes) -> AESGCM:
    """The cipher of a master key, built once: every use unwraps a data key with it."""
    return AESGCM(key)


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _master_aead(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    try:
        return _master_aead(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise KeyringError(
            "the ciphertext does not open with this key (wrong key or altered data)"
        ) from None


class _LocalKeys:
    """Master keys held in this process, by id; the base of the file and env providers."""

    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        if current not in keys:
            raise KeyringError(f"the current master key {current!r} is not in the keyring")
        self._keys = keys
        self._current = current

    def current_key_id(self) -> str:
        return self._current

    def key_ids(self) -> list[str]:
        return list(self._keys)

    def wrap(self, key: bytes, *, context: bytes) -> WrappedKey:
        return WrappedKey(self._current, _seal(self._keys[self._current], key, context))

    def unwrap(self, wrapped: WrappedKey, *, context: bytes) -> bytes:
        master = self._keys.get(wrapped.master_key_id)
        if master is None:
            raise KeyringError(
                f"master key {wrapped.master_key_id!r} is not available; was the key file replaced?"
            )
        return _open(master, wrapped.blob, context)


def _key_id(key: bytes, prefix: str) -> str:
    return f"{prefix}-{hashlib.sha256(key).hexdigest()[:16]}"


class EnvKeyProvider(_LocalKeys):
    """HOGO_MASTER_KEY: a base64-encoded 32-byte key (e.g. from a secret manager).

    To rotate, give the new key first and the old ones after it, comma-separated
    ("NEW,OLD"): the first is current (it wraps), the others still unwrap. Once
    `hogo keys rotate` has re-wrapped everything under the new key, drop the old ones.
    """

    def __init__(self, encoded: str) -> None:
        parts = [part.strip() for part in encoded.split(",")]
        keys: dict[str, bytes] = {}
        for position, part in enumerate(parts, start=1):
            where = "HOGO_MASTER_KEY" if len(parts) == 1 else f"HOGO_MASTER_KEY key {position}"
            key = _decode_key(part, where)
            keys.setdefault(_key_id(key, "env"), key)
        super().__init__(keys, next(iter(keys)))


def _decode_key(encoded: str, where: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"{where} is not base64") from None
    if len(key) != KEY_BYTES:
        raise KeyringError(f"{where} must hold {KEY_BYTES} bytes, not {len(key)}")
    return key


KEYRING_FORMAT = 1


class FileKeyProvider(_LocalKeys):
    """A keyring file (JSON, mode 0600): every master key still needed, and the current one.

    Rotation adds a key and makes it current; old keys stay until no data key is wrapped
    under them, so the system keeps working while data keys are re-wrapped.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        keys, current, self._seen = self._read(path)
        super().__init__(keys, current)

    def _refresh(self) -> None:
        """Reload the file when another process changed it (a rotation): wrap under the
        current key, and unwrap what was re-wrapped under a key added since we read it."""
        try:
            seen = _signature(self.path.stat())
        except OSError:
            return  # keep the keys in memory; the next read reports the problem
        if seen != self._seen:
            keys, current, self._seen = self._read(self.path)
            self._keys, self._current = keys, current

    def current_key_id(self) -> str:
        self._refresh()
        return self._current

    def wrap(self, key: bytes, *, context: bytes) -> WrappedKey:
        self._refresh()
        return super().wrap(key, context=context)

    def unwrap(self, wrapped: WrappedKey, *, context: bytes) -> bytes:
        if wrapped.master_key_id not in self._keys:
            self._refresh()
        return super().unwrap(wrapped, context=context)

    @staticmethod
    def _read(path: Path) -> tuple[dict[str, bytes], str, tuple[int, int, int]]:
        try:
            status = path.stat()
            mode = status.st_mode
            raw = path.read_text("utf-8")
        except FileNotFoundError:
            raise KeyringError(
                f"{path}: no key file; create one with `hogo init` or set HOGO_MASTER_KEY"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyringError(f"{path}: cannot read the key file: {exc}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyringError(
                f"{path}: the key file is readable by others (mode {stat.filemode(mode)}); run chmod 600 {path}"
            )
        try:
            data = json.loads(raw)
            if data.get("format") != KEYRING_FORMAT:
                raise ValueError("unknown format")
            keys = {str(k): _decode_key(v, f"{path}: key {k}") for k, v in data["keys"].items()}
            current = str(data["current"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyringError(f"{path}: not a hogo key file ({exc})") from None
        return keys, current, _signature(status)

    @classmethod
    def create(cls, path: Path) -> FileKeyProvider:
        """A new keyring with one fresh key; refuses to replace an existing file."""
        if path.exists():
            raise KeyringError(f"{path} already exists; hogo never replaces a key file")
        key = secrets.token_bytes(KEY_BYTES)
        _write_keyring(path, {_new_id(): key}, current=None)
        return cls(path)

    def add_current(self) -> str:
        """Add a fresh master key and make it current; returns its id."""
        self._refresh()  # never drop a key another process added since we read the file
        key_id = _new_id()
        keys = dict(self._keys)
        keys[key_id] = secrets.token_bytes(KEY_BYTES)
        _write_keyring(self.path, keys, current=key_id)
        self._keys, self._current = keys, key_id
        self._seen = _signature(self.path.stat())
        return key_id

    def retire(self, key_ids: set[str]) -> None:
        """Forget master keys that no longer wrap anything (never the current one)."""
        self._refresh()
        keys = {k: v for k, v in self._keys.items() if k not in key_ids or k == self._current}
        _write_keyring(self.path, keys, current=self._current)
        self._keys = keys
        self._seen = _signature(self.path.stat())


def _signature(status: os.stat_result) -> tuple[int, int, int]:
    """What changes when the key file is replaced (written atomically under a new inode)."""
    return status.st_ino, status.st_mtime_ns, status.st_size


def _new_id() -> str:
    return f"mk-{datetime.now(UTC):%Y%m%d%H%M%S}-{secrets.token_hex(4)}"


def _write_keyring(path: Path, keys: dict[str, bytes], *, current: str | None) -> None:
    """Write atomically with mode 0600 from the first byte: a crash never leaves half a key."""
    current = current or next(iter(keys))
    payload = {
        "format": KEYRING_FORMAT,
        "current": current,
        "keys": {k: base64.b64encode(v).decode() for k, v in keys.items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


class SubjectCipher:
    """Encrypts one subject's values; the subject and item are bound in as associated data,
    so a ciphertext moved to another subject or item no longer opens."""

    __slots__ = ("_aead", "_subject")

    def __init__(self, data_key: bytes, subject_id: str) -> None:
        self._aead = AESGCM(data_key)
        self._subject = subject_id

    def encrypt(self, item: str, value: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = f"{self._subject}\x1f{item}".encode()
        return nonce + self._aead.encrypt(nonce, value.encode("utf-8"), aad)

    def decrypt(self, item: str, blob: bytes) -> str:
        aad = f"{self._subject}\x1f{item}".encode()
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad).decode("utf-8")
        except InvalidTag:
            raise KeyringError(f"record of item {item!r} does not open: altered or moved") from None


class BlindIndex:
    """Keyed HMAC of a normalised value: equal values match without anything being decrypted,
    and without the key the index reveals nothing (not even to a dictionary attack)."""

    __slots__ = ("_key",)

    def __init__(self, index_key: bytes) -> None:
        self._key = index_key

    def digest(self, item: str, normalized: str) -> bytes:
        return hmac.new(self._key, f"{item}\x1f{normalized}".encode(), hashlib.sha256).digest()

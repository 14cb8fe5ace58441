"""Encryption at rest for channel secrets and supporter data.

The keys never live in the database. They come from HOUSEBOAT_ENCRYPTION_KEYS
(or HOUSEBOAT_ENCRYPTION_KEYS_FILE, better on a separate volume), else from
``keys/fernet.keys`` in the data directory, created on first use. One key per
line or comma; the first encrypts, all of them decrypt, so a new key can be put
first and old values re-encrypted at leisure (MultiFernet rotation).
"""

import contextlib
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

from houseboat.env import envstr


class EncryptionKeyError(Exception):
    """The encryption keys are missing, malformed, or do not fit the stored data."""


def key_file() -> Path:
    return Path(settings.DATA_DIR) / "keys" / "fernet.keys"


def parse_keys(text: str) -> list[bytes]:
    keys = [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise EncryptionKeyError(
                "An encryption key is not a valid Fernet key (32 url-safe base64 bytes). "
                "Restore the key file from your backup."
            ) from None
    return [key.encode("ascii") for key in keys]


def create_key_file(path: Path) -> None:
    """Write a new key file readable by its owner only; never overwrite one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(Fernet.generate_key().decode("ascii") + "\n")


@cache
def load_keys() -> tuple[bytes, ...]:
    """Return the keys, primary first, creating the key file on first use."""
    text = envstr("HOUSEBOAT_ENCRYPTION_KEYS")
    if not text:
        path = key_file()
        if not path.exists():
            with contextlib.suppress(FileExistsError):  # another process was quicker
                create_key_file(path)
        text = path.read_text(encoding="ascii")
    keys = parse_keys(text)
    if not keys:
        raise EncryptionKeyError(
            "The encryption key file is empty. Restore it from your backup: without it, "
            "channel secrets and supporter data cannot be read."
        )
    return tuple(keys)


def fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in load_keys()])


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise EncryptionKeyError(
            "Stored secrets cannot be decrypted with the current keys. Was the key file "
            "replaced? Restore the old key (it may stay as a second line) and try again."
        ) from None


def rotate(token: str) -> str:
    """Re-encrypt a value under the primary key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


class EncryptedJSONField(models.TextField):
    """A JSON value stored as a Fernet token: unreadable in the database file.

    The column cannot be searched or filtered; keep anything that must be queried
    in an ordinary field beside it.
    """

    def from_db_value(self, value: str | None, expression, connection) -> Any:
        if value is None or value == "":
            return None if value is None else {}
        return json.loads(decrypt(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return encrypt(json.dumps(value, separators=(",", ":"), sort_keys=True))

    def value_to_string(self, obj) -> str:
        # Serialisation (dumpdata) writes the ciphertext, never the secret.
        return self.get_prep_value(self.value_from_object(obj)) or ""

"""Secrets at rest: unreadable in the database file, readable with the key, rotatable."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from houseboat.connectors.models import Channel
from houseboat.core import crypto


@pytest.fixture
def fresh_keys(monkeypatch):
    crypto.load_keys.cache_clear()
    yield
    crypto.load_keys.cache_clear()


def test_a_channel_secret_is_not_in_the_database_in_clear(team_a, settings):
    Channel.objects.create(
        team=team_a, network="telegram", name="T", secrets={"bot_token": "123:SECRETVALUE"}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT secrets FROM connectors_channel")
        stored = cursor.fetchone()[0]
    assert "SECRETVALUE" not in stored
    assert Channel.objects.get().secrets == {"bot_token": "123:SECRETVALUE"}


def test_the_key_file_is_created_private_and_outside_the_database(
    fresh_keys, settings, tmp_path, monkeypatch
):
    monkeypatch.delenv("HOUSEBOAT_ENCRYPTION_KEYS", raising=False)
    settings.DATA_DIR = tmp_path
    token = crypto.encrypt("hello")
    key_file = tmp_path / "keys" / "fernet.keys"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert crypto.decrypt(token) == "hello"


def test_a_new_primary_key_still_reads_old_values_and_rotation_moves_them(fresh_keys, monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("HOUSEBOAT_ENCRYPTION_KEYS", old)
    token = crypto.encrypt("supporter phone")
    crypto.load_keys.cache_clear()
    monkeypatch.setenv("HOUSEBOAT_ENCRYPTION_KEYS", f"{new},{old}")
    assert crypto.decrypt(token) == "supporter phone"
    rotated = crypto.rotate(token)
    crypto.load_keys.cache_clear()
    monkeypatch.setenv("HOUSEBOAT_ENCRYPTION_KEYS", new)
    assert crypto.decrypt(rotated) == "supporter phone"
    with pytest.raises(crypto.EncryptionKeyError, match="cannot be decrypted"):
        crypto.decrypt(token)


def test_a_malformed_key_gives_a_clear_error(fresh_keys, monkeypatch):
    monkeypatch.setenv("HOUSEBOAT_ENCRYPTION_KEYS", "not-a-key")
    with pytest.raises(crypto.EncryptionKeyError, match="not a valid Fernet key"):
        crypto.encrypt("x")

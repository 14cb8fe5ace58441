import importlib.util
import stat

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from houseboat.env import (
    SettingError,
    envbool,
    envint,
    envstr,
    prepare_data_dir,
    read_or_create_secret,
    require_postgresql_driver,
)
from tests.core.test_cli import houseboat


def test_envbool_accepts_common_words_and_refuses_others(monkeypatch):
    monkeypatch.setenv("HB_FLAG", "Yes")
    assert envbool("HB_FLAG", False) is True
    monkeypatch.setenv("HB_FLAG", "off")
    assert envbool("HB_FLAG", True) is False
    monkeypatch.setenv("HB_FLAG", "maybe")
    with pytest.raises(SettingError, match="HB_FLAG='maybe' is not a yes/no value"):
        envbool("HB_FLAG", False)


def test_envint_names_the_variable_when_it_is_not_a_number(monkeypatch):
    monkeypatch.setenv("HB_NUMBER", "12x")
    with pytest.raises(SettingError, match="HB_NUMBER"):
        envint("HB_NUMBER", 1)


def test_secret_is_read_from_a_file_when_name_file_is_set(tmp_path, monkeypatch):
    (tmp_path / "db-url").write_text("postgres://u@h/db\n")
    monkeypatch.setenv("HB_URL_FILE", str(tmp_path / "db-url"))
    monkeypatch.setenv("HB_URL", "ignored")
    assert envstr("HB_URL") == "postgres://u@h/db"


def test_unreadable_secret_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HB_URL_FILE", str(tmp_path / "missing"))
    with pytest.raises(SettingError, match="cannot be read"):
        envstr("HB_URL")


def test_secret_key_is_created_once_private_and_then_reused(tmp_path):
    path = tmp_path / "secret_key"
    first = read_or_create_secret(path)
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_or_create_secret(path) == first
    assert list(tmp_path.iterdir()) == [path]


def test_empty_key_file_is_refused_rather_than_replaced(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("")
    with pytest.raises(SettingError, match="Restore it from your backup"):
        read_or_create_secret(path)
    assert path.read_text() == ""


def test_data_dir_is_created_private(tmp_path):
    made = prepare_data_dir(tmp_path / "new" / "data")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700


def test_data_dir_under_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SettingError, match="cannot be created"):
        prepare_data_dir(tmp_path / "file" / "data")


def test_the_secret_key_lives_in_the_data_dir_and_not_in_the_repository():
    key_file = settings.DATA_DIR / "secret_key"
    assert key_file.read_text().strip() == settings.SECRET_KEY


def test_production_defaults_are_safe():
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.PRODUCTION_PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_world_readable_data_dir_is_tightened_and_the_database_created_private(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)  # as `mkdir` with the usual umask leaves it

    result = houseboat("migrate", "-v0", data_dir=data)

    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = [path for path in data.glob("houseboat.sqlite3*") if path.is_file()]
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name


def test_a_world_readable_database_is_made_private(tmp_path):
    data = tmp_path / "data"
    assert houseboat("migrate", "-v0", data_dir=data).returncode == 0
    (data / "houseboat.sqlite3").chmod(0o644)

    assert houseboat("team", "list", data_dir=data).returncode == 0

    assert stat.S_IMODE((data / "houseboat.sqlite3").stat().st_mode) == 0o600


def test_postgresql_without_its_driver_says_which_extra_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "psycopg" else real(name, *a)
    )
    with pytest.raises(ImproperlyConfigured, match=r"houseboat\[postgresql\]"):
        require_postgresql_driver("django.db.backends.postgresql")
    require_postgresql_driver("django.db.backends.sqlite3")  # SQLite needs nothing more


def test_postgresql_with_its_driver_is_accepted():
    require_postgresql_driver("django.db.backends.postgresql")

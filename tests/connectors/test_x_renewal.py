"""X token renewal under concurrency: one renewal per channel at a time, merged saves.

X rotates refresh tokens: each works once. Two senders that renew with the same one
would see the second refused and the channel marked for reconnecting; a worker that
saved its whole stale copy of the secrets would undo a reconnect made meanwhile. The
stand-in X (tests/connectors/x_token_server.py) rotates and refuses as X does.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import respx

from houseboat.connectors import services
from houseboat.connectors.constants import ChannelStatus
from houseboat.connectors.models import Channel
from tests.connectors.replay import load, response_for, transport
from tests.connectors.x_renewal_race import FIRST_ACCESS, FIRST_REFRESH
from tests.connectors.x_token_server import XTokenServer

CLIENT_ID = "rG9n6402A3dbUJKzXTNX4oWHJ"


def sqlite_env(path: Path) -> dict[str, str]:
    """The environment of a process working on its own SQLite file in ``path``, also
    when the suite runs on PostgreSQL."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "HOUSEBOAT_DATA_DIR"}
    }
    return {**env, "HOUSEBOAT_DATA_DIR": str(path)}


def race(*args: str, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "tests.connectors.x_renewal_race", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)


def seeded(tmp_path: Path, server: XTokenServer) -> tuple[dict, str]:
    """A fresh data folder with an X channel whose access token has expired."""
    env = sqlite_env(tmp_path)
    migrate = [sys.executable, "-m", "houseboat", "migrate", "-v0"]
    assert subprocess.run(migrate, env=env, timeout=120).returncode == 0
    seed = race("seed", server.base_url, env=env)
    pk = seed.communicate(timeout=60)[0].strip()
    assert seed.returncode == 0 and pk.isdigit()
    return env, pk


def go(tmp_path: Path, racers: list[subprocess.Popen]) -> list[str]:
    """Start every racer at the same moment; return every line they printed."""
    for racer in racers:
        assert racer.stdout.readline().strip() == "ready"
    (tmp_path / "go").touch()
    return [line for racer in racers for line in racer.communicate(timeout=120)[0].split("\n")]


def report(env: dict, pk: str) -> dict[str, str]:
    out = race("report", pk, env=env).communicate(timeout=60)[0]
    return dict(line.split("=", 1) for line in out.split())


@pytest.fixture
def x_server():
    server = XTokenServer(refresh=FIRST_REFRESH, access="never-issued").start()
    yield server
    server.shutdown()


@pytest.mark.parametrize("error", ["invalid_request", "invalid_grant"])
def test_two_threads_renewing_one_x_token_leave_the_channel_working(tmp_path, error):
    server = XTokenServer(refresh=FIRST_REFRESH, access="never-issued", error=error).start()
    try:
        env, pk = seeded(tmp_path, server)
        lines = go(tmp_path, [race("check", pk, "2", env=env)])
    finally:
        server.shutdown()

    assert sorted(line for line in lines if line) == ["ok", "ok"]
    assert server.token_requests == [FIRST_REFRESH]  # one renewal, not two
    assert server.refused == []
    stored = report(env, pk)
    assert stored["status"] == ChannelStatus.OK
    assert stored["refresh_token"] in server.refresh_tokens  # the one X will accept next


def test_two_processes_renewing_one_x_token_leave_the_channel_working(tmp_path, x_server):
    env, pk = seeded(tmp_path, x_server)

    lines = go(tmp_path, [race("check", pk, "1", env=env) for _ in range(2)])

    assert sorted(line for line in lines if line) == ["ok", "ok"]
    assert x_server.token_requests == [FIRST_REFRESH]
    stored = report(env, pk)
    assert stored["status"] == ChannelStatus.OK
    assert stored["refresh_token"] in x_server.refresh_tokens


# --- in one process: merged saves, a reconnect meanwhile, a refusal looked at again ---


def x_channel(team, base_url: str, **secrets) -> Channel:
    return Channel.objects.create(
        team=team,
        network="x",
        name="X — main",
        config={"client_id": CLIENT_ID, "api_base_url": base_url, "allow_private_network": True},
        secrets={
            "access_token": FIRST_ACCESS,
            "refresh_token": FIRST_REFRESH,
            "expires_at": int(time.time()) - 60,
            **secrets,
        },
        status=ChannelStatus.OK,
    )


def test_a_refresh_after_a_reconnect_keeps_the_new_credentials(team_a, x_server):
    channel = x_channel(team_a, x_server.base_url)
    worker = Channel.objects.get(pk=channel.pk).connector()  # built before the reconnect
    # A person signs in with X again meanwhile: new tokens, the old refresh token unused.
    x_server.access_tokens.add("access-token-reconnected")
    x_server.refresh_tokens.add("refresh-token-reconnected")
    reconnected = {
        "access_token": "access-token-reconnected",
        "refresh_token": "refresh-token-reconnected",
        "expires_at": int(time.time()) + 7200,
        "scope": "tweet.read users.read tweet.write media.write offline.access",
    }
    Channel.objects.filter(pk=channel.pk).update(secrets=reconnected)

    assert worker.check().handle == "@TwitterDev"

    channel.refresh_from_db()
    assert channel.secrets == reconnected
    assert x_server.token_requests == []  # the worker took the new tokens over


def test_renewed_tokens_are_merged_without_undoing_a_key_changed_meanwhile(team_a, x_server):
    channel = x_channel(team_a, x_server.base_url, client_secret="old-client-secret-0001")
    worker = Channel.objects.get(pk=channel.pk).connector()
    fixed = {**channel.secrets, "client_secret": "new-client-secret-0002"}
    Channel.objects.filter(pk=channel.pk).update(secrets=fixed)

    worker.renew_token()

    channel.refresh_from_db()
    assert channel.secrets["client_secret"] == "new-client-secret-0002"
    assert channel.secrets["refresh_token"] in x_server.refresh_tokens
    assert channel.secrets["refresh_token"] != FIRST_REFRESH


def test_a_refused_refresh_token_is_read_again_before_the_channel_is_called_revoked(team_a):
    api = "https://api.x.com"
    channel = x_channel(team_a, api)
    router = respx.Router()
    me = load("x", "users_me")

    def renewed_elsewhere(request: httpx.Request) -> httpx.Response:
        # Another install process renewed a moment ago, without this one's lock.
        others = {"access_token": "access-token-other", "refresh_token": "refresh-token-other"}
        Channel.objects.filter(pk=channel.pk).update(secrets=others)
        return response_for(load("x", "token_refresh_invalid"))

    router.post(f"{api}/2/oauth2/token").mock(side_effect=renewed_elsewhere)
    users = router.get(f"{api}/2/users/me").mock(return_value=response_for(me))

    services.check_channel(Channel.objects.get(pk=channel.pk), transport=transport(router))

    channel.refresh_from_db()
    assert channel.status == ChannelStatus.OK
    assert users.calls.last.request.headers["Authorization"] == "Bearer access-token-other"


@pytest.mark.backend("postgresql")
@pytest.mark.django_db(transaction=True)
def test_two_threads_renewing_under_a_postgresql_row_lock_leave_the_channel_working(x_server):
    from django.db import connections

    from houseboat.core.models import Team

    team = Team.objects.create(name="Renewal", slug="renewal")
    channel = x_channel(team, x_server.base_url)
    start, results = threading.Barrier(2), []

    def one() -> None:
        try:
            mine = Channel.objects.get(pk=channel.pk)
            start.wait()
            services.check_channel(mine)
            results.append("ok")
        except Exception as error:  # reported by the test, not lost in the thread
            results.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert results == ["ok", "ok"]
    assert x_server.token_requests == [FIRST_REFRESH]
    channel.refresh_from_db()
    assert channel.status == ChannelStatus.OK

"""Connecting a Matrix channel from the Channels page and with `houseboat channel add`.

A server on 127.0.0.1 answers with the recorded Client-Server API fixtures, so the
form or the installed command, the channel, the connector, the HTTP wrapper and a
real socket all run; only the homeserver's answers are recorded.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from houseboat.connectors.constants import ChannelStatus
from houseboat.connectors.models import Channel
from tests.connectors.fixture_server import serving
from tests.connectors.replay import load

ROOM_ID = "!636q39766251:example.org"
PASSWORD = "correct horse battery staple"
LOGIN_TOKEN = "syt_ZGVzaw_LoGiNtOkEnFrOmPaSsWoRd_1a2b3c"


def homeserver() -> list[dict]:
    names = ("login", "whoami", "directory_room", "member_join", "power_levels", "media_config")
    return [load("matrix", name) for name in names]


def test_an_owner_connects_matrix_with_a_password_and_only_the_token_is_kept(as_alice):
    with serving(homeserver()) as server:
        response = as_alice.post(
            "/t/team-a/channels/new/matrix/",
            {
                "name": "Matrix — campaign room",
                "homeserver_url": server.base_url,
                "room": "#campaign:example.org",
                "user_id": "@desk:example.org",
                "password": PASSWORD,
                "allow_private_network": "on",
            },
        )
    assert response.status_code == 302
    channel = Channel.objects.get(network="matrix")
    assert channel.status == ChannelStatus.OK
    assert channel.account_handle == "@desk:example.org"
    assert channel.secrets == {"access_token": LOGIN_TOKEN, "device_id": "GHTYAJCE", "password": ""}
    assert channel.config["limits"] == {"media": {"max_bytes": 20971520}}
    page = as_alice.get("/t/team-a/channels/").content.decode()
    assert "Matrix — campaign room" in page and "Working" in page
    assert LOGIN_TOKEN not in page and PASSWORD not in page


def test_the_connect_page_explains_the_homeserver_the_room_and_the_token(as_alice):
    page = as_alice.get("/t/team-a/channels/new/matrix/").content.decode()
    for words in ("Homeserver", "#campaign:example.org", "Access token", "forgets the password"):
        assert words in page, words


def houseboat(data: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The installed console script, on its own data folder."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"HOUSEBOAT_DATA_DIR", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env["HOUSEBOAT_DATA_DIR"] = str(data)
    script = os.path.join(os.path.dirname(sys.executable), "houseboat")
    return subprocess.run(
        [script, *args], capture_output=True, text=True, env=env, input=stdin, timeout=120
    )


def test_channel_add_signs_in_to_matrix_once_and_a_later_check_uses_the_kept_token(tmp_path):
    data = tmp_path / "data"
    assert houseboat(data, "migrate", "-v0").returncode == 0
    made = houseboat(data, "team", "create", "Harbour Watch")
    assert made.returncode == 0, made.stderr
    secrets = tmp_path / "matrix.secrets"
    secrets.write_text(f"password={PASSWORD}\n", encoding="utf-8")

    with serving(homeserver()) as server:
        added = houseboat(
            data, "channel", "add", "--team", "harbour-watch", "--network", "matrix",
            "--set", f"homeserver_url={server.base_url}", "--set", f"room={ROOM_ID}",
            "--set", "user_id=@desk:example.org", "--secrets-file", str(secrets),
            "--allow-private-network",
        )  # fmt: skip
        checked = houseboat(data, "channel", "check", "1")

    assert added.returncode == 0, added.stderr
    assert "works: @desk:example.org" in added.stdout
    assert "may: read, publish, delete" in added.stdout
    assert checked.returncode == 0, checked.stderr
    assert [seen for seen in server.seen if seen[1].endswith("/login")] == [
        ("POST", "/_matrix/client/v3/login")
    ]
    assert PASSWORD not in added.stdout + added.stderr + checked.stdout + checked.stderr

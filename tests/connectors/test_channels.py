"""The Channels page and `houseboat channel`, end to end against a real local server.

The server on 127.0.0.1 answers with the recorded Telegram Bot API fixtures, so
the form or the command, the channel, the connector, the HTTP wrapper and a real
socket all run; only the network's answers are recorded.
"""

import copy
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from houseboat.connectors.constants import ChannelStatus
from houseboat.connectors.models import Channel
from houseboat.core.constants import AuditAction
from houseboat.core.models import AuditEvent
from tests.connectors.fixture_server import closed_port, serving
from tests.connectors.replay import load

TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"


def good_bot() -> list[dict]:
    return [load("telegram", n) for n in ("get_me", "get_chat", "get_chat_member_admin")]


def revoked_bot() -> list[dict]:
    refused = copy.deepcopy(load("telegram", "error_unauthorized"))
    refused["request"] = {"method": "GET", "url": load("telegram", "get_me")["request"]["url"]}
    return [refused]


def form(base_url: str, **extra) -> dict:
    return {
        "name": "Telegram — Riverside",
        "chat_id": "@riversideten",
        "bot_token": TOKEN,
        "api_base_url": base_url,
        "allow_private_network": "on",
        **extra,
    }


def test_an_owner_connects_telegram_and_sees_it_working(as_alice, team_a):
    with serving(good_bot()) as server:
        response = as_alice.post("/t/team-a/channels/new/telegram/", form(server.base_url))
    assert response.status_code == 302
    channel = Channel.objects.get(network="telegram")
    assert channel.status == ChannelStatus.OK
    assert channel.account_handle
    assert channel.secrets == {"bot_token": TOKEN}
    page = as_alice.get("/t/team-a/channels/").content.decode()
    assert "Telegram — Riverside" in page and "Working" in page
    assert TOKEN not in page
    assert AuditEvent.objects.filter(action=AuditAction.CHANNEL_ADDED, team=team_a).exists()


def test_the_connect_page_explains_where_to_get_the_credential(as_alice):
    for network, words in [
        ("telegram", "BotFather"),
        ("mastodon", "token"),
        ("bluesky", "app password"),
    ]:
        page = as_alice.get(f"/t/team-a/channels/new/{network}/").content.decode()
        assert words.lower() in page.lower(), network


def test_a_revoked_token_is_shown_with_what_to_do_and_the_channel_is_kept(as_alice):
    with serving(revoked_bot()) as server:
        as_alice.post("/t/team-a/channels/new/telegram/", form(server.base_url))
    channel = Channel.objects.get(network="telegram")
    assert channel.status == ChannelStatus.NEEDS_RECONNECT
    assert "BotFather" in channel.last_error
    page = as_alice.get("/t/team-a/channels/").content.decode()
    assert "Needs reconnecting" in page and "BotFather" in page


def test_a_missing_field_keeps_what_was_typed_but_never_echoes_the_token(as_alice):
    data = form("https://api.telegram.org")
    del data["chat_id"]
    response = as_alice.post("/t/team-a/channels/new/telegram/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Telegram — Riverside" in page
    assert TOKEN not in page
    assert not Channel.objects.filter(network="telegram").exists()


def test_editing_with_an_empty_token_keeps_the_saved_one(as_alice, team_a):
    channel = Channel.objects.create(
        team=team_a,
        network="telegram",
        name="T",
        config={"chat_id": "@old", "allow_private_network": True},
        secrets={"bot_token": TOKEN},
    )
    with serving(good_bot()) as server:
        data = form(server.base_url, bot_token="", name="Renamed")
        as_alice.post(f"/t/team-a/channels/{channel.pk}/edit/", data)
    channel.refresh_from_db()
    assert channel.name == "Renamed" and channel.config["chat_id"] == "@riversideten"
    assert channel.secrets == {"bot_token": TOKEN}


def test_a_contributor_cannot_connect_or_remove_channels(as_charlie, team_a):
    channel = Channel.objects.create(team=team_a, network="rss", name="Press", config={})
    assert as_charlie.get("/t/team-a/channels/new/telegram/").status_code == 403
    assert as_charlie.post(f"/t/team-a/channels/{channel.pk}/remove/").status_code == 403
    assert Channel.objects.filter(pk=channel.pk).exists()
    assert as_charlie.get("/t/team-a/channels/").status_code == 200


def test_an_outsider_cannot_reach_another_teams_channel(as_mallory, team_a, mallory):
    channel = Channel.objects.create(team=team_a, network="rss", name="Press", config={})
    assert as_mallory.post(f"/t/team-b/channels/{channel.pk}/remove/").status_code == 404
    assert Channel.objects.filter(pk=channel.pk).exists()


def test_removing_a_channel_deletes_its_credentials(as_alice, team_a):
    channel = Channel.objects.create(
        team=team_a, network="telegram", name="T", secrets={"bot_token": TOKEN}
    )
    as_alice.post(f"/t/team-a/channels/{channel.pk}/remove/")
    assert not Channel.objects.filter(pk=channel.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM connectors_channel WHERE network = 'telegram'")
        assert cursor.fetchone()[0] == 0


def test_an_unknown_network_is_a_404(as_alice):
    assert as_alice.get("/t/team-a/channels/new/myspace/").status_code == 404
    assert as_alice.get("/t/team-a/channels/new/own_site/").status_code == 404


# --- the command line ---------------------------------------------------------------------


def add_by_command(tmp_path, base_url: str) -> str:
    secrets = tmp_path / "secrets"
    secrets.write_text(f"# from @BotFather\nbot_token={TOKEN}\n")
    out = io.StringIO()
    call_command(
        "channel",
        "add",
        "--team=team-a",
        "--network=telegram",
        "--name=Riverside",
        f"--set=api_base_url={base_url}",
        "--set=chat_id=@riversideten",
        f"--secrets-file={secrets}",
        "--allow-private-network",
        stdout=out,
    )
    return out.getvalue()


def test_channel_check_answers_for_a_good_token_a_revoked_one_and_an_unreachable_server(
    team_a, tmp_path
):
    with serving(good_bot()) as server:
        out = add_by_command(tmp_path, server.base_url)
        assert "works: @riversideten" in out and "@riverside_desk_bot" in out
        channel = Channel.objects.get(network="telegram")
    with serving(revoked_bot()) as server:
        channel.config["api_base_url"] = server.base_url
        channel.save()
        with pytest.raises(CommandError, match=r"revoked.*BotFather"):
            call_command("channel", "check", str(channel.pk))
    channel.config["api_base_url"] = closed_port()
    channel.save()
    with pytest.raises(CommandError, match="could not be reached"):
        call_command("channel", "check", str(channel.pk))
    listing = io.StringIO()
    call_command("channel", "list", "--team=team-a", stdout=listing)
    assert "last error:" in listing.getvalue() and TOKEN not in listing.getvalue()


def test_a_credential_on_the_command_line_is_refused(team_a):
    with pytest.raises(CommandError, match="shell"):
        call_command(
            "channel", "add", "--team=team-a", "--network=telegram", f"--set=bot_token={TOKEN}"
        )
    assert not Channel.objects.filter(network="telegram").exists()


def test_channel_remove_needs_yes_without_a_terminal(team_a, monkeypatch):
    channel = Channel.objects.create(team=team_a, network="rss", name="Press", config={})
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--yes"):
        call_command("channel", "remove", str(channel.pk))
    call_command("channel", "remove", str(channel.pk), "--yes", stdout=io.StringIO())
    assert not Channel.objects.filter(pk=channel.pk).exists()


def test_the_whatsapp_settings_page_shows_the_webhook_address_and_verify_token(as_alice, team_a):
    channel = Channel.objects.create(
        team=team_a,
        network="whatsapp",
        name="WA",
        config={"phone_number_id": "106540352242922"},
        secrets={"access_token": "EAAtoken-secret", "verify_token": "vt-2b1c9e"},
    )
    page = as_alice.get(f"/t/team-a/channels/{channel.pk}/edit/").content.decode()
    assert f"/hooks/whatsapp/{channel.pk}/" in page
    assert "vt-2b1c9e" in page
    assert "EAAtoken-secret" not in page

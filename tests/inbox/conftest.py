"""Fixtures for the team inbox: the team's accounts, a sent post, and items arriving."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from houseboat.connectors.base import RemoteAuthor, RemoteItem
from houseboat.connectors.models import Channel
from houseboat.inbox.filing import file_all
from houseboat.listening.imports import capture_live
from houseboat.listening.models import Item
from houseboat.publishing.constants import DeliveryState
from houseboat.publishing.models import Delivery
from tests.publishing.conftest import (  # noqa: F401 (fixtures)
    bob_member,
    charlie_member,
    mastodon,
    mastodon_channel,
    networks,
    no_waiting,
    publish,
    run,
    telegram,
    telegram_channel,
    x,
)

PAGE = "1234567890"


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    """Each test keeps its media files in a folder of its own."""
    settings.HOUSEBOAT_ARCHIVE_DIR = tmp_path / "archive"
    return tmp_path / "archive"


@pytest.fixture
def accounts(team_a, mastodon_channel, telegram_channel) -> dict[str, Channel]:  # noqa: F811
    """The team's accounts on Mastodon, Bluesky, Telegram and a Facebook Page."""
    mastodon_channel.account_handle = "@FreeTheTen@social.example"
    mastodon_channel.save()
    bluesky = Channel.objects.create(
        team=team_a,
        network="bluesky",
        name="Bluesky",
        account_handle="@freetheten.bsky.social",
    )
    facebook = Channel.objects.create(
        team=team_a, network="facebook", name="Facebook Page", config={"page_id": PAGE}
    )
    return {
        "mastodon": mastodon_channel,
        "bluesky": bluesky,
        "telegram": telegram_channel,
        "facebook": facebook,
    }


@pytest.fixture
def sent_post(publish, run, accounts) -> Delivery:  # noqa: F811
    """The team's post on Mastodon, sent through the dispatcher: the thing people reply to."""
    publish("Vigil on Friday at the ministry", accounts["mastodon"])
    run()
    delivery = Delivery.objects.get(variant__channel=accounts["mastodon"])
    assert delivery.state == DeliveryState.SENT
    return delivery


def item(
    remote_id: str,
    text: str = "",
    *,
    network: str = "mastodon",
    author: str = "@sam@other.example",
    hours_ago: float = 1,
    **fields: Any,
) -> RemoteItem:
    """An item as a connector reads it."""
    return RemoteItem(
        network=network,
        remote_id=remote_id,
        text=text or f"post {remote_id}",
        created_at=datetime.now(UTC) - timedelta(hours=hours_ago),
        author=RemoteAuthor(remote_id=f"a-{author}", handle=author, display_name=author.strip("@")),
        **fields,
    )


@pytest.fixture
def arrive(campaign_a) -> Callable[..., list[Item]]:
    """Store items through the archive's one pipeline (as a live column does), then file them."""

    def store(*items: RemoteItem, file: bool = True) -> list[Item]:
        capture_live(campaign=campaign_a, items=list(items), network=items[0].network, source="t")
        if file:
            file_all(campaign_a)
        stored = Item.objects.filter(
            campaign=campaign_a, remote_id__in=[i.remote_id for i in items]
        )
        by_id = {found.remote_id: found for found in stored}
        return [by_id[i.remote_id] for i in items]  # in the order given, on any database

    return store


def telegram_update(chat: dict, number: int, text: str, sender: dict) -> RemoteItem:
    """A Bot API update read by the Telegram connector (see telegram/messages.py)."""
    from houseboat.connectors.telegram.messages import read_item

    message = {
        "message_id": number,
        "from": sender,
        "chat": chat,
        "date": int(timezone.now().timestamp()) - 60,
        "text": text,
    }
    return read_item(message, {"update_id": 900 + number, "message": message})

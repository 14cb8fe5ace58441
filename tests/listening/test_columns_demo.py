"""The demo's board: columns showing the sample archive, and a feed column that the worker
fills from the demo's own public feed, served on 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from houseboat import demo
from houseboat.campaigns.models import Campaign
from houseboat.core.models import User
from houseboat.listening import polling
from houseboat.listening.models import Column, Item
from tests.connectors.fixture_server import serving

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_board_fills_from_the_archive_and_from_its_own_feed(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    with serving([]) as served:
        port = urlsplit(served.base_url).port
        demo.seed(port=port)
        campaign = Campaign.objects.get(slug="free-the-riverside-ten")
        # The demo's own feed, as its web server answers it, served on 127.0.0.1.
        feed = Client().get(campaign.feed_url())
        served.answers[("GET", campaign.feed_url())] = {
            "status": 200,
            "headers": {"Content-Type": feed["Content-Type"]},
            "text": feed.content.decode(),
        }
        check_board(campaign, port)


def check_board(campaign: Campaign, port: int) -> None:
    tag, chats, feed = Column.objects.filter(campaign=campaign).order_by("position")

    assert tag.kind == "hashtag" and tag.paused and "Demo:" in tag.pause_reason
    assert tag.column_items.count() >= 5
    assert all(
        "freeriverside10" in str(i.hashtags).lower()
        for i in Item.objects.filter(column_links__column=tag)
    )
    assert chats.kind == "chats" and chats.column_items.count() > 0
    assert feed.kind == "feed" and not feed.paused and feed.channel is None
    assert feed.query == f"http://127.0.0.1:{port}/c/free-the-riverside-ten/feed.atom"

    # One round of the reading lane reads the demo's own feed over HTTP.
    assert polling.poll_due("demo-worker") == 1
    feed.refresh_from_db()
    assert feed.last_error == "" and feed.items_new == campaign.published_posts().count() > 0
    titles = set(Item.objects.filter(column_links__column=feed).values_list("text", flat=True))
    assert any(post.title in text for post in campaign.published_posts() for text in titles)

    owner = Client()
    owner.force_login(User.objects.get(username=demo.OWNER))
    page = owner.get(f"/t/{demo.TEAM_SLUG}/archive/board/").text
    assert "#FreeRiverside10 · X — @FreeRiverside10" in page
    assert "Demo: this channel is not connected" in page

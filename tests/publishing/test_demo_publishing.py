"""The demo's Publish area shows the product at its best, and never reaches a network."""

from collections import Counter

import pytest
from django.test import Client

from houseboat import demo
from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import ConnectorError
from houseboat.connectors.models import Channel
from houseboat.core.models import User
from houseboat.publishing.constants import DeliveryState, PostStatus
from houseboat.publishing.models import Delivery, Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    demo.seed()
    return Campaign.objects.get(slug="free-the-riverside-ten")


def test_the_demo_holds_posts_in_every_state_and_its_pages_show_them(seeded):
    statuses = Counter(Post.objects.filter(campaign=seeded).values_list("status", flat=True))
    # The publishing sample; other apps' demos (organising's event post) may add more.
    expected = Counter(
        [
            PostStatus.SENT,
            PostStatus.PARTLY_FAILED,
            PostStatus.SCHEDULED,
            PostStatus.SCHEDULED,
            PostStatus.PENDING_APPROVAL,
            PostStatus.DRAFT,  # sent back with a comment
        ]
    )
    assert expected <= statuses, statuses
    states = set(Delivery.objects.values_list("state", flat=True))
    assert {DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.UNKNOWN} <= states
    assert Post.objects.get(status=PostStatus.DRAFT).review_comment

    # ...and its pages show them (one seeding for all: the demo takes seconds to fill).
    browser = Client()
    browser.force_login(User.objects.get(username="amina"))
    posts = browser.get("/t/riverside/publish/").content.decode()
    assert "The Ministry has 21 days to answer" in posts
    assert "No posts yet." not in posts
    attention = browser.get("/t/riverside/publish/?show=attention").content.decode()
    assert "The Ministry has 21 days to answer" in attention
    review = browser.get("/t/riverside/publish/review/").content.decode()
    assert "Families of the ten will speak at the vigil" in review
    calendar = browser.get("/t/riverside/publish/calendar/").content.decode()
    assert "Vigil at the Courier" in calendar
    # What went out is on the public page.
    page = Client().get("/c/free-the-riverside-ten/").content.decode()
    assert "Still no charge for the ten reporters" in page
    assert 'alt="Ten lit candles on a dark blue background' in page  # with its picture
    assert "The Ministry has 21 days to answer" in page


def test_the_demo_s_network_channels_can_reach_no_network(seeded):
    channels = Channel.objects.exclude(network="own_site")
    assert {c.network for c in channels} == {"mastodon", "x", "telegram"}
    for channel in channels:
        with pytest.raises(ConnectorError, match="private or local address"):
            channel.connector().check()

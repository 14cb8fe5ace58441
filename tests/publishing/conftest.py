"""Fixtures for publishing: stand-in networks, their channels, and a way to run rounds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from houseboat.connectors.base import Connector
from houseboat.connectors.models import Channel
from houseboat.connectors.services import own_site_channel
from houseboat.core.models import Membership
from houseboat.publishing import dispatch, services
from houseboat.publishing.constants import DeliveryState
from houseboat.publishing.models import Delivery, Post
from tests.publishing.networks import FakeMastodon, FakeTelegram, FakeX, Networks, channel_for


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    """Connectors wait between retries; in tests the clock need not really pass."""
    monkeypatch.setattr(Connector, "sleep", staticmethod(lambda seconds: None))


@pytest.fixture
def mastodon() -> FakeMastodon:
    return FakeMastodon()


@pytest.fixture
def x() -> FakeX:
    return FakeX()


@pytest.fixture
def telegram() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
def networks(mastodon, x, telegram) -> Networks:
    return Networks(mastodon, x, telegram)


@pytest.fixture
def mastodon_channel(mastodon, team_a) -> Channel:
    return channel_for(mastodon, team_a, "Mastodon — main")


@pytest.fixture
def x_channel(x, team_a) -> Channel:
    return channel_for(x, team_a, "X — main")


@pytest.fixture
def telegram_channel(telegram, team_a) -> Channel:
    return channel_for(telegram, team_a, "Telegram — channel")


@pytest.fixture
def own_site(campaign_a) -> Channel:
    return own_site_channel(campaign_a)


@pytest.fixture
def bob_member(bob, team_a) -> Membership:
    return Membership.objects.get(user=bob, team=team_a)


@pytest.fixture
def charlie_member(charlie, team_a) -> Membership:
    return Membership.objects.get(user=charlie, team=team_a)


@pytest.fixture
def publish(bob_member, campaign_a) -> Callable[..., Post]:
    """Schedule a post as bob (editor) for these channels, due now unless told otherwise."""

    def make(
        text: str,
        *channels: Channel,
        parts: list[str] | None = None,
        at=None,
        own_site: bool = False,
    ) -> Post:
        post = services.create_post(
            membership=bob_member,
            campaign=campaign_a,
            text=text,
            channels=channels,
            own_site=own_site,
        )
        if parts:
            post.variants.update(parts=parts)
        return services.schedule(bob_member, post, at=at)

    return make


@pytest.fixture
def run(networks) -> Callable[..., int]:
    """Run one dispatch round as a named worker, against the stand-in networks."""

    def round_(name: str = "worker-1") -> int:
        return dispatch.dispatch(name, transport=networks.transport)

    return round_


def expire_leases() -> int:
    """Let every lease run out, as if its worker died long ago."""
    return Delivery.objects.filter(state=DeliveryState.SENDING).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )


def come_back() -> int:
    """Let every delivery waiting for a later attempt be due now, as if the wait passed."""
    return Delivery.objects.filter(state=DeliveryState.SCHEDULED).update(
        next_attempt_at=timezone.now()
    )


def crash_once(real: Callable) -> Callable:
    """Wrap a step so that its first call dies, as a worker killed at that moment would."""
    calls = []

    def step(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise SystemError("the worker died here")
        return real(*args, **kwargs)

    return step

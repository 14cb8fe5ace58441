"""Press sources replayed from recorded answers: nothing leaves the machine."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx

from houseboat.connectors.rss.connector import RssConnector
from houseboat.radar import fetching
from houseboat.radar.models import PressCollection, PressSource
from tests.connectors.replay import transport

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FEED = "https://gazette.example.org/feed/"


def feed_answer(name: str, status: int = 200, **headers: str) -> httpx.Response:
    """A recorded answer: the feed file's bytes with the server's headers."""
    return httpx.Response(
        status,
        headers={"content-type": "application/rss+xml; charset=utf-8", **headers},
        content=(FIXTURES / name).read_bytes(),
    )


@pytest.fixture
def router(monkeypatch) -> respx.Router:
    """Route every press fetch to this router, and never sleep between retries."""
    router = respx.Router(assert_all_called=False)

    def connector_for(source):
        connector = RssConnector(
            config={"feed_url": source.feed_url}, secrets={}, transport=transport(router)
        )
        connector.sleep = lambda seconds: None  # type: ignore[method-assign]
        return connector

    monkeypatch.setattr(fetching, "connector_for", connector_for)
    return router


@pytest.fixture
def gazette(team_a) -> PressSource:
    state_media = PressCollection.objects.create(team=team_a, name="State media")
    return PressSource.objects.create(
        team=team_a,
        collection=state_media,
        name="The Capital Gazette",
        feed_url=FEED,
        country="XX",
        language="en",
        kind="state",
    )

"""What each network's limit headers said after a read, for the poller to schedule by.

Headers as the references write them: Mastodon ``X-RateLimit-*`` with an ISO reset
(docs.joinmastodon.org/api/rate-limits), X ``x-rate-limit-*`` with a Unix reset
(docs.x.com/x-api/fundamentals/rate-limits), Bluesky ``ratelimit-*`` with a Unix reset
(docs.bsky.app/docs/advanced-guides/rate-limits), and Meta's usage percentages
(developers.facebook.com/docs/graph-api/overview/rate-limiting).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from houseboat.connectors.base import RateLimited, Source
from houseboat.connectors.bluesky.connector import BlueskyConnector
from houseboat.connectors.facebook.connector import FacebookConnector
from houseboat.connectors.http import budget_from_headers
from houseboat.connectors.mastodon.connector import MastodonConnector
from houseboat.connectors.x.connector import XConnector
from tests.connectors.replay import load, response_for, route, transport

NOW = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)


def mastodon(router: respx.Router) -> MastodonConnector:
    return MastodonConnector(
        config={"base_url": "https://mastodon.social"},
        secrets={"access_token": "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"},
        transport=transport(router),
    )


def test_a_connector_that_has_made_no_call_has_no_budget_to_tell():
    assert mastodon(respx.Router()).read_budget() is None


def test_mastodon_tells_the_calls_left_and_its_iso_reset_time():
    router = respx.Router()
    route(router, load("mastodon", "timeline_tag"))
    connector = mastodon(router)
    connector.read(Source("hashtag", "cats"), "103200000000000000")
    assert connector.read_budget() == {
        "remaining": 299,
        "reset_at": datetime(2019, 11, 26, 21, 5, tzinfo=UTC),
    }


def test_x_tells_the_calls_left_and_its_unix_reset_time():
    router = respx.Router()
    route(router, load("x", "search_recent_empty"))
    connector = XConnector(
        config={"client_id": "rG9n6402A3dbUJKzXTNX4oWHJ"},
        secrets={"access_token": "QUNDRVNTLXRva2VuLTIwMjY6MToxOmF0OjE"},
        transport=transport(router),
    )
    connector.read(Source("hashtag", "FreeTheTen"), "1880000000000000000")
    assert connector.read_budget() == {
        "remaining": 847,
        "reset_at": datetime.fromtimestamp(1705420800, UTC),
    }


def test_bluesky_tells_the_calls_left_and_its_unix_reset_time():
    router = respx.Router()
    route(router, load("bluesky", "search_posts"))
    connector = BlueskyConnector(
        config={"handle": "campaign.bsky.social"},
        secrets={
            "app_password": "abcd-efgh-ijkl-mnop",
            "access_jwt": "access-jwt-1",
            "refresh_jwt": "refresh-jwt-1",
            "did": "did:plc:u5cwb2mwiv2bfq53cjufe6yn",
        },
        transport=transport(router),
    )
    connector.read(Source("hashtag", "FreeThemAll"), None)
    assert connector.read_budget() == {
        "remaining": 2987,
        "reset_at": datetime.fromtimestamp(1728379500, UTC),
    }


def test_facebook_tells_the_share_of_its_hourly_allowance_left_by_the_busiest_measure():
    router = respx.Router()
    feed = load("facebook", "feed")
    route(router, feed)
    # Meta sends its usage headers on every answer; the last one read is what counts.
    router.get("https://graph.facebook.com/v26.0/1234567890/posts").mock(
        return_value=httpx.Response(200, headers=feed["response"]["headers"], json={"data": []})
    )
    connector = FacebookConnector(
        config={"page_id": "1234567890"},
        secrets={"page_access_token": "EAAGm0PX4ZCpsBAPageToken0123456789"},
        transport=transport(router),
    )
    assert connector.read_budget() is None
    before = datetime.now(UTC)

    connector.read(Source("page"), None)

    budget = connector.read_budget()
    assert budget["remaining"] == 59 and budget["unit"] == "percent"  # 41 % used, the most
    hour = timedelta(hours=1)
    assert before + hour <= budget["reset_at"] <= datetime.now(UTC) + hour


def test_facebook_says_when_access_returns_when_the_usage_header_says_so():
    router = respx.Router()
    limited = load("facebook", "rate_limited")
    limited["request"]["method"] = "GET"
    limited["request"]["url"] = "https://graph.facebook.com/v26.0/1234567890/feed"
    route(router, limited)
    connector = FacebookConnector(
        config={"page_id": "1234567890"},
        secrets={"page_access_token": "EAAGm0PX4ZCpsBAPageToken0123456789"},
        transport=transport(router),
    )
    with pytest.raises(RateLimited) as caught:
        connector.read(Source("page"), None)
    budget = connector.read_budget()
    assert budget["remaining"] == 0
    assert abs(budget["reset_at"] - caught.value.until) < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-12-03T20:05:00.000Z"},
            {"remaining": 0, "reset_at": NOW + timedelta(minutes=5)},
        ),
        (
            {"x-rate-limit-remaining": "12", "x-rate-limit-reset": str(int(NOW.timestamp()) + 60)},
            {"remaining": 12, "reset_at": NOW + timedelta(minutes=1)},
        ),
        (  # the IETF draft's seconds-from-now, which some servers send
            {"RateLimit-Remaining": "7", "RateLimit-Reset": "30"},
            {"remaining": 7, "reset_at": NOW + timedelta(seconds=30)},
        ),
        ({"X-RateLimit-Remaining": "many"}, None),
        ({}, None),
    ],
)
def test_limit_headers_are_read_each_way_networks_write_them(headers, expected):
    assert budget_from_headers(httpx.Headers(headers), NOW) == expected


def test_a_mastodon_429_with_a_far_reset_raises_rate_limited_until_then():
    router = respx.Router()
    reset = (datetime.now(UTC) + timedelta(minutes=4)).replace(microsecond=0)
    router.get("https://mastodon.social/api/v1/timelines/tag/cats").mock(
        return_value=httpx.Response(
            429,
            headers={
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset.isoformat().replace("+00:00", "Z"),
            },
            json={"error": "Too many requests"},
        )
    )
    connector = mastodon(router)
    with pytest.raises(RateLimited) as caught:
        connector.read(Source("hashtag", "cats"), "1")
    assert caught.value.until == reset
    assert connector.read_budget() == {"remaining": 0, "reset_at": reset}


def test_a_bluesky_read_told_to_wait_long_raises_rate_limited_with_the_reset():
    router = respx.Router()
    limited = load("bluesky", "search_posts_rate_limited")
    router.get("https://bsky.social/xrpc/app.bsky.feed.searchPosts").mock(
        return_value=response_for(limited)
    )
    connector = BlueskyConnector(
        config={"handle": "campaign.bsky.social"},
        secrets={
            "app_password": "abcd-efgh-ijkl-mnop",
            "access_jwt": "access-jwt-1",
            "refresh_jwt": "refresh-jwt-1",
            "did": "did:plc:u5cwb2mwiv2bfq53cjufe6yn",
        },
        transport=transport(router),
    )
    connector.sleep = lambda seconds: None
    reset = int(limited["response"]["headers"]["ratelimit-reset"])
    with pytest.raises(RateLimited) as caught:
        connector.read(Source("hashtag", "FreeThemAll"), None)
    assert caught.value.until == datetime.fromtimestamp(reset, UTC)
    assert connector.read_budget()["remaining"] == 0

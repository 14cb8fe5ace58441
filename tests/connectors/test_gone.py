"""The deletion watch's question to each network: which of these posts are gone, and why.

Answers are replayed from tests/fixtures, shaped as each API reference shows them.
"""

from __future__ import annotations

import httpx
import pytest
import respx

from houseboat.connectors.base import AuthRevoked, NotSupported
from houseboat.connectors.bluesky.connector import BlueskyConnector
from houseboat.connectors.mastodon.connector import MastodonConnector
from houseboat.connectors.x.connector import XConnector
from tests.connectors.replay import assert_sent, load, response_for, route, transport

MASTODON_TOKEN = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"


def mastodon(router: respx.Router) -> MastodonConnector:
    return MastodonConnector(
        config={"base_url": "https://mastodon.social"},
        secrets={"access_token": MASTODON_TOKEN},
        transport=transport(router),
    )


def test_mastodon_asks_twenty_at_once_and_only_the_missing_ones_alone():
    router = respx.Router()
    index = route(router, load("mastodon", "statuses_index_some_gone"))
    alone = [
        route(router, load("mastodon", name))
        for name in ("status_get", "status_get_not_found", "status_get_suspended")
    ]

    gone = mastodon(router).gone(["1", "2", "3", "4"])

    assert_sent(index.calls.last.request, load("mastodon", "statuses_index_some_gone"))
    assert gone == {"2": "deleted", "3": "suspended", "4": "suspended"}
    assert [route.call_count for route in alone] == [0, 1, 1], "1 and 4 were shown: not asked"


def test_mastodon_before_4_3_asks_for_each_status_alone():
    router = respx.Router()
    route(router, load("mastodon", "statuses_index_missing"))
    for name in (
        "status_get",
        "status_get_not_found",
        "status_get_suspended",
        "status_get_account_suspended",
    ):
        route(router, load("mastodon", name))

    gone = mastodon(router).gone(["1", "2", "3", "4"])

    assert gone == {"2": "deleted", "3": "suspended", "4": "suspended"}
    assert_sent(router.calls[1].request, load("mastodon", "status_get"))


def test_mastodon_gone_with_a_revoked_token_says_to_reconnect_instead_of_calling_all_deleted():
    router = respx.Router()
    router.get("https://mastodon.social/api/v1/statuses").mock(
        return_value=httpx.Response(401, json={"error": "The access token was revoked"})
    )
    with pytest.raises(AuthRevoked):
        mastodon(router).gone(["1"])


def bluesky(router: respx.Router) -> BlueskyConnector:
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
    return connector


def test_bluesky_tells_a_deleted_post_from_one_whose_account_was_taken_down():
    router = respx.Router()
    posts_fixture = load("bluesky", "get_posts_some_gone")
    posts = route(router, posts_fixture)
    profiles = {
        "did:plc:z72i7hdynmk6r22z27h6tvur": response_for(load("bluesky", "get_profile")),
        "did:plc:ragtjsm2j2vknwkz3zp4oxrd": response_for(load("bluesky", "get_profile_taken_down")),
        "did:plc:4qqizocrnriintskkh6trnzv": response_for(load("bluesky", "get_profile_not_found")),
    }
    profile = router.get("https://bsky.social/xrpc/app.bsky.actor.getProfile").mock(
        side_effect=lambda request: profiles[request.url.params["actor"]]
    )
    uris = posts_fixture["request"]["params"]["uris"]

    gone = bluesky(router).gone(uris)

    assert_sent(posts.calls.last.request, posts_fixture)
    assert gone == {uris[1]: "deleted", uris[2]: "suspended", uris[3]: "deleted"}
    assert profile.call_count == 3, "each missing post's author is asked about once"


def test_bluesky_leaves_out_a_post_whose_account_is_only_deactivated():
    router = respx.Router()
    uri = "at://did:plc:ragtjsm2j2vknwkz3zp4oxrd/app.bsky.feed.post/3l6ob2takedown"
    router.get("https://bsky.social/xrpc/app.bsky.feed.getPosts").mock(
        return_value=httpx.Response(200, json={"posts": []})
    )
    router.get("https://bsky.social/xrpc/app.bsky.actor.getProfile").mock(
        return_value=httpx.Response(
            400, json={"error": "AccountDeactivated", "message": "Account is deactivated"}
        )
    )
    assert bluesky(router).gone([uri]) == {}


def test_x_says_deleted_for_not_found_and_suspended_when_the_detail_says_so():
    router = respx.Router()
    lookup_fixture = load("x", "tweets_lookup_gone")
    lookup = route(router, lookup_fixture)
    connector = XConnector(
        config={"client_id": "rG9n6402A3dbUJKzXTNX4oWHJ"},
        secrets={"access_token": "QUNDRVNTLXRva2VuLTIwMjY6MToxOmF0OjE"},
        transport=transport(router),
    )
    ids = lookup_fixture["request"]["params"]["ids"].split(",")

    gone = connector.gone(ids)

    assert_sent(lookup.calls.last.request, lookup_fixture)
    # The fourth is hidden from this account (protected, or suspended: X says the
    # same for both), so it is left out rather than guessed.
    assert gone == {ids[1]: "deleted", ids[2]: "suspended"}


@pytest.mark.parametrize(
    ("network", "why"),
    [
        ("facebook", "cannot tell a post deleted by its author from one hidden"),
        ("telegram", "does not tell a bot when a message is deleted"),
        ("rss", "may simply be old"),
        ("own_site", "cannot tell whether posts were deleted"),
    ],
)
def test_networks_that_cannot_tell_say_why_in_words(network, why):
    from houseboat.connectors.registry import connector_class

    connector = connector_class(network)(config={}, secrets={})
    with pytest.raises(NotSupported) as caught:
        connector.gone(["1"])
    assert why in str(caught.value)

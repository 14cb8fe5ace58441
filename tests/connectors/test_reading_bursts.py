"""Bursts longer than one read: every network's reader goes on where it stopped.

The searches and timelines below are served by small fakes that page through a list of
posts exactly as the network's reference describes (Bluesky: newest first with an
offset cursor, as ``app.bsky.feed.searchPosts`` answers; Mastodon: ``min_id`` pages with
a Link header, as docs.joinmastodon.org describes), each post shaped like the recorded
fixture. New posts arrive between reads, as they do during a pile-on.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import respx

from houseboat.connectors.base import PayloadRejected, Source
from houseboat.connectors.bluesky.common import iso_z
from houseboat.connectors.bluesky.connector import BlueskyConnector
from houseboat.connectors.facebook.connector import FacebookConnector
from houseboat.connectors.mastodon.connector import MastodonConnector
from houseboat.connectors.x.connector import XConnector
from tests.connectors.replay import load, transport

PDS = "https://bsky.social"
START = datetime(2024, 10, 8, 9, 0, tzinfo=UTC)
SESSION = {
    "app_password": "abcd-efgh-ijkl-mnop",
    "access_jwt": "access-jwt-1",
    "refresh_jwt": "refresh-jwt-1",
    "did": "did:plc:u5cwb2mwiv2bfq53cjufe6yn",
}


class FakeSearch:
    """app.bsky.feed.searchPosts over a growing list of posts, newest first."""

    def __init__(self) -> None:
        self.template = load("bluesky", "search_posts")["response"]["json"]["posts"][0]
        self.posts: list[dict] = []  # oldest first
        self.calls = 0

    def add(self, count: int) -> list[str]:
        """Post ``count`` new posts, a second apart after the newest; return their URIs."""
        uris = []
        for _ in range(count):
            n = len(self.posts)
            post = copy.deepcopy(self.template)
            post["uri"] = f"at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6o{n:07d}"
            post["record"]["text"] = f"post {n} #FreeThemAll"
            moment = iso_z(START + timedelta(seconds=n))
            post["record"]["createdAt"] = moment
            post["indexedAt"] = moment
            self.posts.append(post)
            uris.append(post["uri"])
        return uris

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        params = request.url.params
        assert params["sort"] == "latest"
        limit = int(params["limit"])
        offset = int(params.get("cursor", "0"))
        newest_first = self.posts[::-1]
        page = newest_first[offset : offset + limit]
        body: dict = {"posts": page, "hitsTotal": len(self.posts)}
        if offset + limit < len(self.posts):
            body["cursor"] = str(offset + limit)
        return httpx.Response(200, json=body)


def bluesky(router: respx.Router) -> BlueskyConnector:
    connector = BlueskyConnector(
        config={"handle": "campaign.bsky.social"},
        secrets=dict(SESSION),
        transport=transport(router),
    )
    connector.sleep = lambda seconds: None
    return connector


def test_a_bluesky_burst_of_2500_posts_is_read_across_polls_with_nothing_skipped():
    search = FakeSearch()
    router = respx.Router()
    router.get(f"{PDS}/xrpc/app.bsky.feed.searchPosts").mock(side_effect=search)
    connector = bluesky(router)
    search.add(50)  # before the column started
    first = connector.read(Source("hashtag", "FreeThemAll"), None)
    cursor = first.cursor
    assert first.more is False

    burst = search.add(2500)
    seen: Counter[str] = Counter()
    polls = 0
    more = True
    # A read stopped mid-burst gives the oldest post it returned once more at the next
    # read, as a read gives the post at the watermark's own time: a tie in time is
    # returned twice rather than risked (the ingest pipeline drops the copy).
    boundary = {search.posts[49]["uri"], burst[-1]}
    while more:
        polls += 1
        assert polls < 10, "the burst never ended"
        page = connector.read(Source("hashtag", "FreeThemAll"), cursor)
        seen.update(item.remote_id for item in page.items)
        if page.more:
            boundary.add(min(page.items, key=lambda item: item.created_at).remote_id)
        if polls == 1:
            late = search.add(30)  # arriving while the burst is read: pages shift by 30
        cursor = page.cursor or cursor
        more = page.more

    assert polls >= 3, "2,500 posts cannot fit in one read of at most 1,000"
    # One more ordinary read picks up what arrived during the burst.
    after = connector.read(Source("hashtag", "FreeThemAll"), cursor)
    seen.update(item.remote_id for item in after.items)
    assert after.more is False

    assert not set(burst) - set(seen), "a post of the burst was skipped"
    assert not set(late) - set(seen), "a post that arrived during the burst was skipped"
    repeated = {uri for uri, times in seen.items() if times > 1}
    assert repeated <= boundary, "only a post at a stored cursor's own time comes back"
    assert max(seen.values()) == 2


def test_a_bluesky_read_stopped_mid_burst_never_moves_its_watermark_past_what_it_returned():
    search = FakeSearch()
    router = respx.Router()
    router.get(f"{PDS}/xrpc/app.bsky.feed.searchPosts").mock(side_effect=search)
    connector = bluesky(router)
    search.add(1)
    cursor = connector.read(Source("hashtag", "FreeThemAll"), None).cursor
    search.add(1500)

    page = connector.read(Source("hashtag", "FreeThemAll"), cursor)

    assert page.more is True
    assert len(page.items) == 1000
    assert search.calls == 1 + 10, "at most ten pages per read"
    # Read by the old code, this cursor was the newest time: the 500 older posts were lost.
    resumed = connector.read(Source("hashtag", "FreeThemAll"), page.cursor)
    assert resumed.more is False
    assert len({i.remote_id for i in page.items} | {i.remote_id for i in resumed.items}) == 1501


class FakeTagTimeline:
    """GET /api/v1/timelines/tag/:hashtag with ``min_id`` as Mastodon pages it.

    With ``min_id`` the answer is the ``limit`` statuses immediately newer than it,
    newest first, with a Link header whose "prev" continues from the newest of them.
    Without it, the newest ``limit``.
    """

    def __init__(self) -> None:
        self.template = load("mastodon", "timeline_tag")["response"]["json"][0]
        self.statuses: list[dict] = []  # oldest first
        self.calls = 0

    def add(self, count: int) -> list[str]:
        ids = []
        for _ in range(count):
            status = copy.deepcopy(self.template)
            status["id"] = str(110000000000000000 + len(self.statuses))
            status["created_at"] = (START + timedelta(seconds=len(self.statuses))).isoformat()
            self.statuses.append(status)
            ids.append(status["id"])
        return ids

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        params = request.url.params
        limit = int(params["limit"])
        assert "since_id" not in params, "since_id gives the newest page and skips the rest"
        if "min_id" in params:
            newer = [s for s in self.statuses if int(s["id"]) > int(params["min_id"])]
            page = newer[:limit][::-1]
        else:
            page = self.statuses[::-1][:limit]
        headers = {}
        if page:
            base = str(request.url.copy_with(query=None))
            headers["Link"] = (
                f'<{base}?max_id={page[-1]["id"]}>; rel="next", '
                f'<{base}?min_id={page[0]["id"]}>; rel="prev"'
            )
        return httpx.Response(200, json=page, headers=headers)


def test_a_mastodon_burst_of_500_statuses_is_read_oldest_first_across_polls():
    timeline = FakeTagTimeline()
    router = respx.Router()
    router.get("https://mastodon.social/api/v1/timelines/tag/cats").mock(side_effect=timeline)
    connector = MastodonConnector(
        config={"base_url": "https://mastodon.social"},
        secrets={"access_token": "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"},
        transport=transport(router),
    )
    timeline.add(10)
    cursor = connector.read(Source("hashtag", "cats"), None).cursor
    burst = timeline.add(500)

    seen: Counter[str] = Counter()
    polls, more = 0, True
    while more:
        polls += 1
        assert polls < 10, "the burst never ended"
        page = connector.read(Source("hashtag", "cats"), cursor)
        seen.update(item.remote_id for item in page.items)
        if polls == 1:
            assert page.more is True and len(page.items) == 200
            late = timeline.add(7)
        cursor = page.cursor or cursor
        more = page.more

    assert polls == 3
    assert set(seen) == set(burst) | set(late), "nothing skipped, nothing from before"
    assert max(seen.values()) == 1, "nothing repeated"
    assert cursor == late[-1]


class FakeRecentSearch:
    """GET /2/tweets/search/recent with since_id and next_token, newest first.

    The page token names the id to continue below, so it stays valid while new posts
    arrive (as X's tokens do).
    """

    def __init__(self) -> None:
        self.template = load("x", "search_recent")["response"]["json"]
        self.ids: list[int] = []  # oldest first

    def add(self, count: int) -> list[str]:
        start = self.ids[-1] + 1 if self.ids else 1880000000000000000
        new = list(range(start, start + count))
        self.ids.extend(new)
        return [str(i) for i in new]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        size = int(params["max_results"])
        since = int(params.get("since_id", "0"))
        below = int(params["next_token"], 16) if "next_token" in params else None
        candidates = [i for i in self.ids[::-1] if i > since and (below is None or i < below)]
        page = candidates[:size]
        posts = []
        for i in page:
            post = copy.deepcopy(self.template["data"][0])
            post["id"] = str(i)
            posts.append(post)
        meta: dict = {"result_count": len(page)}
        if page:
            meta |= {"newest_id": str(page[0]), "oldest_id": str(page[-1])}
        if len(candidates) > size:
            meta["next_token"] = format(page[-1], "x")
        body = {"data": posts, "includes": self.template["includes"], "meta": meta}
        return httpx.Response(200, json=body if page else {"meta": meta})


def test_an_x_burst_of_1200_posts_is_read_to_its_end_across_polls():
    search = FakeRecentSearch()
    router = respx.Router()
    router.get("https://api.x.com/2/tweets/search/recent").mock(side_effect=search)
    connector = XConnector(
        config={"client_id": "rG9n6402A3dbUJKzXTNX4oWHJ"},
        secrets={"access_token": "QUNDRVNTLXRva2VuLTIwMjY6MToxOmF0OjE"},
        transport=transport(router),
    )
    search.add(3)
    cursor = connector.read(Source("hashtag", "FreeTheTen"), None).cursor
    burst = search.add(1200)

    seen: Counter[str] = Counter()
    polls, more = 0, True
    while more:
        polls += 1
        assert polls < 10, "the burst never ended"
        page = connector.read(Source("hashtag", "FreeTheTen"), cursor)
        seen.update(item.remote_id for item in page.items)
        if polls == 1:
            late = search.add(20)
        cursor = page.cursor or cursor
        more = page.more
    after = connector.read(Source("hashtag", "FreeTheTen"), cursor)
    seen.update(item.remote_id for item in after.items)

    assert polls == 3
    assert set(seen) == set(burst) | set(late)
    assert max(seen.values()) == 1
    assert after.cursor == late[-1]


class FakePageFeed:
    """GET /{page-id}/feed with ``since``, newest first, 25 a page, "next" links on the host."""

    GRAPH = "https://graph.facebook.com/v26.0/1234567890/feed"

    def __init__(self) -> None:
        self.template = load("facebook", "feed")["response"]["json"]["data"][0]
        self.times: list[int] = []  # oldest first

    def add(self, count: int) -> list[str]:
        start = self.times[-1] + 60 if self.times else 1795392000
        new = [start + 60 * i for i in range(count)]
        self.times.extend(new)
        return [f"1234567890_{t}" for t in new]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        since = int(params.get("since", "0"))
        before = int(params["until"]) if "until" in params else None
        chosen = [t for t in self.times[::-1] if t >= since and (before is None or t < before)]
        page = chosen[:25]
        data = []
        for t in page:
            post = copy.deepcopy(self.template)
            post["id"] = f"1234567890_{t}"
            post["created_time"] = datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
            data.append(post)
        body: dict = {"data": data}
        if len(chosen) > 25:
            body["paging"] = {
                "next": f"{self.GRAPH}?since={since}&until={page[-1]}&__paging_token=enc_{page[-1]}"
            }
        return httpx.Response(200, json=body)


def test_a_facebook_page_burst_of_300_posts_is_read_to_its_end_across_polls():
    feed = FakePageFeed()
    router = respx.Router()
    router.get(FakePageFeed.GRAPH).mock(side_effect=feed)
    router.get("https://graph.facebook.com/v26.0/1234567890/posts").mock(
        return_value=httpx.Response(200, json={"data": []})
    )
    connector = FacebookConnector(
        config={"page_id": "1234567890"},
        secrets={"page_access_token": "EAAGm0PX4ZCpsBAPageToken0123456789"},
        transport=transport(router),
    )
    feed.add(2)
    cursor = connector.read(Source("page"), None).cursor
    burst = feed.add(300)

    seen: Counter[str] = Counter()
    polls, more = 0, True
    while more:
        polls += 1
        assert polls < 10, "the burst never ended"
        page = connector.read(Source("page"), cursor)
        seen.update(item.remote_id for item in page.items)
        cursor = page.cursor or cursor
        more = page.more

    assert polls == 3, "five pages of 25 a read"
    assert not set(burst) - set(seen), "a post of the burst was skipped"
    # The post at the cursor's own second is read again on purpose (two in one second).
    assert {uid for uid, n in seen.items() if n > 1} <= {f"1234567890_{feed.times[1]}"}
    assert cursor == burst[-1].split("_")[1]


def test_a_mastodon_like_server_is_paged_by_its_link_header_not_by_sorting_its_ids():
    """GoToSocial and others use ids that are not Mastodon's numbers: the Link says where next."""
    template = load("mastodon", "timeline_tag")["response"]["json"][0]
    base = "https://social.example/api/v1/timelines/tag/cats"

    def status(status_id: str) -> dict:
        return {**copy.deepcopy(template), "id": status_id}

    full = [status(f"01J{n:03d}ZZ") for n in range(40)]
    router = respx.Router()
    timeline = router.get(base).mock(
        side_effect=[
            httpx.Response(
                200,
                json=full,
                headers={
                    "Link": f'<{base}?max_id=01J000ZZ>; rel="next", <{base}?min_id=01JPAGE1>; rel="prev"'
                },
            ),
            httpx.Response(
                200,
                json=[status("01K001")],
                headers={"Link": f'<{base}?min_id=01JPAGE2>; rel="prev"'},
            ),
        ]
    )
    connector = MastodonConnector(
        config={"base_url": "https://social.example"},
        secrets={"access_token": "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"},
        transport=transport(router),
    )

    page = connector.read(Source("hashtag", "cats"), "01HSTART")

    assert [call.request.url.params["min_id"] for call in timeline.calls] == [
        "01HSTART",
        "01JPAGE1",
    ]
    assert page.cursor == "01JPAGE2" and page.more is False and len(page.items) == 41


def test_a_damaged_stored_position_is_refused_in_words_before_any_call():
    router = respx.Router()
    connectors = [
        bluesky(router),
        XConnector(
            config={"client_id": "rG9n6402A3dbUJKzXTNX4oWHJ"},
            secrets={"access_token": "QUNDRVNTLXRva2VuLTIwMjY6MToxOmF0OjE"},
            transport=transport(router),
        ),
        FacebookConnector(
            config={"page_id": "1234567890"},
            secrets={"page_access_token": "EAAGm0PX4ZCpsBAPageToken0123456789"},
            transport=transport(router),
        ),
    ]
    sources = [Source("hashtag", "FreeThemAll"), Source("hashtag", "FreeTheTen"), Source("page")]
    for connector, source in zip(connectors, sources, strict=True):
        for damaged in ('{"page": 5', '{"next": "https://evil.example/feed", "since": 1}'):
            with pytest.raises(PayloadRejected) as caught:
                connector.read(source, damaged)
            assert "reading position is damaged" in caught.value.message
    assert not router.calls

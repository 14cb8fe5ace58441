"""Fetching press feeds: polite conditional GETs, back-off, pauses with reasons, nothing lost."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from houseboat.radar import fetching
from houseboat.radar.constants import SourceState
from houseboat.radar.fetching import FIRST_WAIT, LONGEST_WAIT, MAX_FAILURES, backoff, fetch_now
from houseboat.radar.models import PressSource, Story, StoryVersion
from tests.radar.conftest import FEED, feed_answer

pytestmark = pytest.mark.django_db


def refreshed(source: PressSource) -> PressSource:
    source.refresh_from_db()
    return source


def test_a_200_stores_the_stories_and_the_next_fetch_sends_the_etag_back_and_a_304_adds_nothing(
    router, gazette
):
    route = router.get(FEED).mock(
        side_effect=[
            feed_answer(
                "gazette.xml", etag='"v1"', **{"last-modified": "Wed, 02 Dec 2026 08:05:00 GMT"}
            ),
            httpx.Response(304, headers={"etag": '"v1"'}),
        ]
    )

    first = fetch_now(gazette)
    second = fetch_now(refreshed(gazette))

    assert (first.result, first.new) == ("stored", 2)
    assert second.result == "not-modified"
    assert "If-None-Match" not in route.calls[0].request.headers
    sent = route.calls[1].request.headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Wed, 02 Dec 2026 08:05:00 GMT"
    assert Story.objects.count() == 2
    assert StoryVersion.objects.count() == 2
    source = refreshed(gazette)
    assert (source.etag, source.failures, source.state) == ('"v1"', 0, SourceState.ACTIVE)
    assert source.next_fetch_at > timezone.now() + timedelta(minutes=25)


def test_stories_keep_their_title_summary_date_language_and_normalised_address(router, gazette):
    router.get(FEED).mock(return_value=feed_answer("gazette.xml"))

    fetch_now(gazette)

    story = Story.objects.get(guid="gazette-1001")
    assert story.title == "Police disperse riot outside Central Court"
    assert story.summary == "Officers moved in after a crowd gathered without a permit."
    assert story.url_key == "https://gazette.example.org/news/riot-central-court"
    assert story.title_key == "police disperse riot outside central court"
    assert story.language == "en"
    assert story.published_at.isoformat() == "2026-12-01T21:10:00+00:00"
    assert (story.team, story.source, story.edited) == (gazette.team, gazette, False)


def test_an_unchanged_body_is_skipped_by_its_hash_without_parsing(router, gazette, monkeypatch):
    router.get(FEED).mock(return_value=feed_answer("gazette.xml"))
    fetch_now(gazette)
    seen = Story.objects.get(guid="gazette-1001").last_seen_at

    def no_parsing(*args, **kwargs):
        raise AssertionError("an unchanged body was parsed")

    monkeypatch.setattr("houseboat.connectors.rss.connector.RssConnector.parse_feed", no_parsing)
    outcome = fetch_now(refreshed(gazette))

    assert outcome.result == "unchanged"
    assert Story.objects.get(guid="gazette-1001").last_seen_at == seen
    assert StoryVersion.objects.count() == 2
    assert refreshed(gazette).last_ok_at is not None


def test_server_errors_back_off_15_minutes_doubling_and_pause_after_eight(router, gazette):
    router.get(FEED).mock(return_value=httpx.Response(500, text="upstream down"))
    waits = []
    for _ in range(MAX_FAILURES - 1):
        outcome = fetch_now(gazette)
        gazette = refreshed(gazette)
        assert outcome.result == "failed"
        assert "server error (500)" in gazette.last_error
        waits.append(gazette.next_fetch_at - gazette.last_fetched_at)

    assert waits == [timedelta(minutes=15 * 2**n) for n in range(MAX_FAILURES - 1)]
    assert gazette.failures == MAX_FAILURES - 1
    assert gazette.state == SourceState.ACTIVE

    last = fetch_now(gazette)

    gazette = refreshed(gazette)
    assert last.result == "paused"
    assert gazette.state == SourceState.PAUSED
    assert gazette.failures == MAX_FAILURES
    assert gazette.paused_reason.startswith("Paused after 8 failed fetches in a row. The last:")
    assert "Resume the source" in gazette.paused_reason


def test_the_back_off_never_waits_more_than_a_day():
    assert backoff(1) == FIRST_WAIT
    assert backoff(7) == timedelta(minutes=960)
    assert backoff(8) == LONGEST_WAIT
    assert backoff(30) == LONGEST_WAIT


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (404, "The feed answered 404 Not Found: check its address"),
        (410, "The feed answered 410 Gone: the site says the feed was removed for good"),
        (403, "The feed answered 403 Forbidden: the site refuses"),
        (401, "The feed answered 401 Unauthorized: the feed asks for a password"),
    ],
)
def test_a_feed_that_is_not_there_pauses_at_once_with_the_reason_in_words(
    router, gazette, status, words
):
    router.get(FEED).mock(return_value=httpx.Response(status, text="nope"))

    outcome = fetch_now(gazette)

    gazette = refreshed(gazette)
    assert outcome.result == "paused"
    assert gazette.state == SourceState.PAUSED
    assert gazette.paused_reason.startswith(words)
    assert gazette.failures == 1


def test_a_paused_source_is_not_fetched_until_resumed(router, gazette):
    route = router.get(FEED).mock(return_value=httpx.Response(404))
    fetch_now(gazette)

    again = fetch_now(refreshed(gazette))
    assert again.result == "paused"
    assert route.call_count == 1

    route.mock(return_value=feed_answer("gazette.xml"))
    fetching.resume(gazette)
    resumed = fetch_now(refreshed(gazette))

    gazette = refreshed(gazette)
    assert resumed.result == "stored"
    assert (gazette.state, gazette.paused_reason, gazette.failures) == ("active", "", 0)


def test_a_429_waits_at_least_as_long_as_retry_after_says(router, gazette):
    router.get(FEED).mock(return_value=httpx.Response(429, headers={"retry-after": "7200"}))
    before = timezone.now()

    outcome = fetch_now(gazette)

    gazette = refreshed(gazette)
    assert outcome.result == "failed"
    assert gazette.failures == 1
    assert gazette.next_fetch_at >= before + timedelta(seconds=7200)
    assert gazette.next_fetch_at <= timezone.now() + timedelta(seconds=7205)


def test_a_timeout_is_a_failure_that_backs_off(router, gazette):
    router.get(FEED).mock(side_effect=httpx.ReadTimeout("slow"))

    outcome = fetch_now(gazette)

    gazette = refreshed(gazette)
    assert outcome.result == "failed"
    assert gazette.failures == 1
    assert gazette.next_fetch_at - gazette.last_fetched_at == FIRST_WAIT


def test_broken_xml_is_a_failure_and_loses_nothing_stored(router, gazette):
    router.get(FEED).mock(
        side_effect=[
            feed_answer("gazette.xml", etag='"v1"'),
            feed_answer("broken.xml", etag='"v2"'),
        ]
    )
    fetch_now(gazette)
    stored_hash = refreshed(gazette).content_hash

    outcome = fetch_now(refreshed(gazette))

    gazette = refreshed(gazette)
    assert outcome.result == "failed"
    assert "broken" in gazette.last_error
    assert gazette.failures == 1
    # The validators of the last good document stay, so nothing is skipped later.
    assert (gazette.etag, gazette.content_hash) == ('"v1"', stored_hash)
    assert Story.objects.filter(source=gazette).count() == 2


def test_a_permanent_redirect_moves_the_source_to_the_new_address(router, gazette):
    router.get(FEED).mock(
        return_value=httpx.Response(301, headers={"location": "https://new.example.org/rss"})
    )
    router.get("https://new.example.org/rss").mock(return_value=feed_answer("gazette.xml"))

    outcome = fetch_now(gazette)

    assert outcome.result == "stored"
    assert refreshed(gazette).feed_url == "https://new.example.org/rss"


def test_a_private_address_pauses_the_source_and_says_why(gazette, monkeypatch):
    monkeypatch.setattr("houseboat.connectors.http.resolve", lambda host, port: ["10.0.0.5"])

    outcome = fetch_now(gazette)

    gazette = refreshed(gazette)
    assert outcome.result == "paused"
    assert "private or local address" in gazette.paused_reason
    assert "allows the private network" in gazette.paused_reason


# --- the worker step ---------------------------------------------------------------------


def test_the_reading_lane_fetches_the_due_sources_only(router, gazette, team_a, settings):
    later = PressSource.objects.create(
        team=team_a,
        name="Later",
        feed_url="https://later.example.org/rss",
        next_fetch_at=timezone.now() + timedelta(hours=1),
    )
    paused = PressSource.objects.create(
        team=team_a, name="Paused", feed_url="https://paused.example.org/rss", state="paused"
    )
    route = router.get(FEED).mock(return_value=feed_answer("gazette.xml"))

    assert "houseboat.radar.fetching.fetch_due" in settings.HOUSEBOAT_WORKER_LANES["reading"]
    assert fetching.fetch_due("worker-1") == 1
    assert fetching.fetch_due("worker-1") == 0  # not due again for a while

    assert route.call_count == 1
    assert Story.objects.filter(source=gazette).count() == 2
    gazette = refreshed(gazette)
    assert (gazette.lease_owner, gazette.lease_until) == ("", None)
    assert refreshed(later).last_fetched_at is None
    assert refreshed(paused).last_fetched_at is None


def test_a_source_another_worker_holds_is_left_alone(router, gazette):
    PressSource.objects.filter(pk=gazette.pk).update(
        lease_owner="worker-2", lease_until=timezone.now() + timedelta(seconds=60)
    )
    route = router.get(FEED).mock(return_value=feed_answer("gazette.xml"))

    assert fetching.fetch_due("worker-1") == 0
    assert fetch_now(gazette).result == "lost"
    assert route.call_count == 0


def test_a_lease_lost_before_storing_stores_nothing(router, gazette, monkeypatch):
    router.get(FEED).mock(return_value=feed_answer("gazette.xml"))

    def stolen(*args, **kwargs):
        PressSource.objects.filter(pk=gazette.pk).update(lease_owner="worker-2")
        return original(*args, **kwargs)

    original = fetching.stories.store
    monkeypatch.setattr(fetching.stories, "store", stolen)

    assert fetching.fetch_due("worker-1") == 1

    assert Story.objects.count() == 0
    assert refreshed(gazette).content_hash == ""

"""Stories: once per team by address and by headline, every wording kept, stealth edits flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from houseboat.connectors.base import RemoteItem
from houseboat.radar.fetching import fetch_now
from houseboat.radar.models import PressSource, Story, StoryVersion
from houseboat.radar.stories import store
from tests.radar.conftest import FEED, feed_answer

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def item(
    url: str, title: str, summary: str = "", *, guid: str = "", hours: float = 0
) -> RemoteItem:
    """A parsed entry as the connector gives it (title and summary joined by a blank line)."""
    return RemoteItem(
        network="rss",
        remote_id=guid or url,
        text="\n\n".join(part for part in (title, summary) if part),
        created_at=NOW + timedelta(hours=hours),
        author=None,
        url=url,
        raw={"title": title},
    )


@pytest.fixture
def wire(team_a) -> PressSource:
    return PressSource.objects.create(
        team=team_a, name="Agency Wire", feed_url="https://wire.example.net/rss", kind="wire"
    )


def test_a_changed_headline_keeps_both_versions_and_flags_the_stealth_edit(router, gazette):
    router.get(FEED).mock(
        side_effect=[
            feed_answer("gazette.xml", etag='"v1"'),
            feed_answer("gazette_edited.xml", etag='"v2"'),
        ]
    )
    fetch_now(gazette)
    gazette.refresh_from_db()

    outcome = fetch_now(gazette)

    assert (outcome.new, outcome.edited) == (0, 1)
    assert Story.objects.count() == 2
    story = Story.objects.get(guid="gazette-1001")
    assert story.edited is True
    assert story.title == "Police clear gathering outside Central Court"
    versions = list(story.versions.values_list("title", flat=True))
    assert versions == [
        "Police disperse riot outside Central Court",
        "Police clear gathering outside Central Court",
    ]
    # The other story came back under an address variant (#comments) with the same words.
    other = Story.objects.get(guid="gazette-1002")
    assert other.edited is False
    assert other.versions.count() == 1


def test_a_changed_summary_is_a_stealth_edit_too(gazette):
    store(gazette, [item("https://g.example/a", "Court hears the ten", "Peaceful vigil.")], NOW)

    result = store(
        gazette, [item("https://g.example/a", "Court hears the ten", "Violent unrest.")], NOW
    )

    story = Story.objects.get()
    assert result.edited == 1
    assert story.edited
    assert story.summary == "Violent unrest."
    assert list(story.versions.values_list("summary", flat=True)) == [
        "Peaceful vigil.",
        "Violent unrest.",
    ]


def test_spacing_alone_is_not_an_edit(gazette):
    store(gazette, [item("https://g.example/a", "Court hears the ten", "Peaceful vigil.")], NOW)

    result = store(
        gazette, [item("https://g.example/a", "Court  hears the ten ", "Peaceful\nvigil.")], NOW
    )

    assert (result.edited, result.seen) == (0, 1)
    assert not Story.objects.get().edited


def test_address_variants_are_one_story_across_the_teams_feeds(gazette, wire):
    store(
        gazette,
        [item("https://gazette.example.org/news/a?id=7&lang=en", "Ten on trial today")],
        NOW,
    )

    variants = [
        "http://WWW.gazette.example.org/news/a/?lang=en&id=7&utm_source=wire",
        "https://gazette.example.org/news/a?fbclid=XYZ&id=7&lang=en#top",
    ]
    result = store(
        wire, [item(url, f"Ten on trial today ({n})") for n, url in enumerate(variants)], NOW
    )

    assert result.new == 0
    assert Story.objects.count() == 1
    story = Story.objects.get()
    # Another feed's words for the publisher's article are not the publisher's edit.
    assert story.source == gazette
    assert not story.edited
    assert story.versions.count() == 1


def test_the_same_headline_from_the_same_source_within_a_day_is_one_story(gazette):
    store(gazette, [item("https://g.example/news/1", "Ten activists face court today")], NOW)

    result = store(
        gazette,
        [
            item("https://m.g.example/amp/news/1", "Ten activists face COURT today!", hours=3),
            item("https://g.example/news/99", "Ten activists face court today", hours=50),
        ],
        NOW,
    )

    assert (result.new, result.seen) == (1, 1)
    assert Story.objects.count() == 2


def test_the_same_headline_from_another_source_is_another_report(gazette, wire):
    store(gazette, [item("https://g.example/news/1", "Ten activists face court today")], NOW)

    result = store(
        wire, [item("https://wire.example.net/1", "Ten activists face court today")], NOW
    )

    assert result.new == 1
    assert Story.objects.count() == 2


def test_short_generic_headlines_never_merge_stories(gazette):
    result = store(
        gazette,
        [
            item("https://g.example/live/1", "Live updates"),
            item("https://g.example/live/2", "Live updates"),
        ],
        NOW,
    )

    assert result.new == 2


def test_teams_keep_their_own_stories(gazette, team_b):
    other = PressSource.objects.create(team=team_b, name="Gazette", feed_url=FEED)
    store(gazette, [item("https://g.example/a", "Court hears the ten")], NOW)

    result = store(other, [item("https://g.example/a", "Court hears the ten")], NOW)

    assert result.new == 1
    assert Story.objects.filter(team=team_b).count() == 1
    assert StoryVersion.objects.count() == 2


def test_a_story_without_a_language_tag_is_identified_offline(team_a):
    source = PressSource.objects.create(
        team=team_a, name="Le Courrier", feed_url="https://c.example/rss"
    )

    store(
        source,
        [
            item(
                "https://c.example/1",
                "Des milliers de personnes réunies pour une veillée devant le tribunal",
                "Les familles des dix militants ont allumé des bougies toute la nuit.",
            )
        ],
        NOW,
    )

    assert Story.objects.get().language == "fr"

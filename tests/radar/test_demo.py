"""The demo's press side: sample feeds read through the real parser and story store."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from houseboat.radar.demo import seed_press
from houseboat.radar.models import IssueQuery, PressCollection, PressSource, Story

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(team_a, campaign_a):
    started = time.perf_counter()
    sources = seed_press(team_a, campaign_a)
    return sources, time.perf_counter() - started


def test_the_demo_has_three_collections_of_sources_in_three_languages(seeded, team_a):
    sources, _ = seeded

    assert len(sources) == 7
    assert sorted(PressCollection.objects.filter(team=team_a).values_list("name", flat=True)) == [
        "Independent press",
        "International press",
        "State media",
    ]
    active = PressSource.objects.filter(team=team_a, state="active")
    assert active.count() == 6
    assert set(active.values_list("language", flat=True)) == {"en", "ar", "fr"}
    paused = PressSource.objects.get(team=team_a, state="paused")
    assert paused.paused_reason.startswith("The feed answered 404 Not Found")
    # The worker leaves the sample feeds alone: they are files, not internet addresses.
    assert all(source.next_fetch_at > timezone.now() for source in active)


def test_the_demo_stories_tell_the_campaigns_story_in_each_language(seeded, team_a):
    stories = Story.objects.filter(team=team_a)

    assert 38 <= stories.count() <= 45
    assert set(stories.values_list("language", flat=True)) == {"en", "ar", "fr"}
    state = stories.filter(source__kind="state")
    independent = stories.filter(source__kind="independent")
    # The press says riot where people say vigil.
    assert state.filter(title__icontains="riot").count() >= 2
    assert independent.filter(title__icontains="vigil").exists()
    assert not independent.filter(title__icontains="riot").exists()
    # Tracking parameters in the sample links are gone from the keys.
    assert not stories.filter(url_key__contains="utm_").exists()
    assert stories.filter(url__contains="utm_").exists()
    # Times are relative to now, within the archive's ten days.
    newest = stories.order_by("-published_at").first().published_at
    oldest = stories.order_by("published_at").first().published_at
    assert timezone.now() - newest < timezone.timedelta(hours=6)
    assert timezone.now() - oldest < timezone.timedelta(hours=240)


def test_the_herald_stealth_edited_its_vigil_story_and_both_versions_are_kept(seeded):
    story = Story.objects.get(edited=True)

    assert story.source.name == "Port Verene Herald"
    versions = list(story.versions.order_by("seen_at"))
    assert [v.title for v in versions] == [
        "Families hold candlelit vigil outside Courier office",
        "Agitators riot outside Courier office, police restore order",
    ]
    assert versions[1].seen_at - versions[0].seen_at > timezone.timedelta(hours=12)
    assert story.title == versions[1].title


def test_the_campaign_has_an_issue_query_with_words_from_both_sides(seeded, campaign_a):
    query = IssueQuery.objects.get(campaign=campaign_a)

    assert {"vigil", "riot", "#FreeRiverside10"} <= set(query.terms)
    assert any(not term.isascii() for term in query.terms)


def test_the_press_demo_is_quick(seeded):
    _, seconds = seeded
    assert seconds < 2.0

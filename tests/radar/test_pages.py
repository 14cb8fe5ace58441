"""The Press sources page: members see every source and its state; editors change them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from houseboat.radar.constants import SourceState
from houseboat.radar.models import PressCollection, PressSource, Story

pytestmark = pytest.mark.django_db


def page(name: str = "sources", **kwargs) -> str:
    return reverse(f"press:{name}", kwargs={"team_slug": "team-a", **kwargs})


@pytest.fixture
def failing(team_a, gazette) -> PressSource:
    independent = PressCollection.objects.create(team=team_a, name="Independent press")
    return PressSource.objects.create(
        team=team_a,
        collection=independent,
        name="Free Voice",
        feed_url="https://freevoice.example.net/rss",
        state=SourceState.PAUSED,
        failures=1,
        paused_reason="The feed answered 404 Not Found: check its address.",
    )


def test_a_member_sees_the_sources_grouped_with_their_state_and_reason(as_victor, failing):
    response = as_victor.get(page())

    assert response.status_code == 200
    text = response.content.decode()
    assert text.index("Independent press") < text.index("Free Voice")
    assert text.index("State media") < text.index("The Capital Gazette")
    assert "The feed answered 404 Not Found: check its address." in text
    assert "1 failed fetch in a row" in text
    # A viewer sees no forms to change anything.
    assert "Add a press source" not in text
    assert page("resume", pk=failing.pk) not in text


def test_an_editor_sees_the_forms(as_bob, failing):
    text = as_bob.get(page()).content.decode()

    assert "Add a press source" in text
    assert page("resume", pk=failing.pk) in text
    assert "csrfmiddlewaretoken" in text


def test_an_editor_adds_a_source_into_a_new_collection(as_bob, team_a):
    response = as_bob.post(
        page("add"),
        {
            "name": "Al-Shahed",
            "feed_url": "https://alshahed.example.com/feed.xml",
            "country": "lb",
            "language": "AR",
            "kind": "independent",
            "collection_name": "Independent press",
        },
    )

    assert response.status_code == 302
    source = PressSource.objects.get(name="Al-Shahed")
    assert (source.team, source.country, source.language) == (team_a, "LB", "ar")
    assert source.collection.name == "Independent press"


def test_a_bad_source_is_refused_with_the_reason(as_bob, gazette):
    response = as_bob.post(
        page("add"), {"name": "Again", "feed_url": gazette.feed_url, "kind": "other"}
    )

    assert response.status_code == 400
    assert "The team already follows this feed." in response.content.decode()
    assert PressSource.objects.count() == 1


@pytest.mark.parametrize("client_name", ["as_victor", "as_charlie"])
def test_a_viewer_or_contributor_cannot_add_pause_or_resume(request, client_name, failing, gazette):
    client = request.getfixturevalue(client_name)

    added = client.post(page("add"), {"name": "X", "feed_url": "https://x.example/rss"})
    paused = client.post(page("pause", pk=gazette.pk))
    resumed = client.post(page("resume", pk=failing.pk))

    assert (added.status_code, paused.status_code, resumed.status_code) == (403, 403, 403)
    assert PressSource.objects.count() == 2
    gazette.refresh_from_db()
    failing.refresh_from_db()
    assert (gazette.state, failing.state) == ("active", "paused")


def test_an_editor_pauses_and_resumes_a_source(as_bob, gazette):
    as_bob.post(page("pause", pk=gazette.pk))
    gazette.refresh_from_db()
    assert gazette.state == "paused"
    assert gazette.paused_reason.startswith("Paused by bob on ")

    as_bob.post(page("resume", pk=gazette.pk))
    gazette.refresh_from_db()
    assert (gazette.state, gazette.paused_reason, gazette.failures) == ("active", "", 0)


def test_an_outsider_gets_404_on_the_page_and_the_sources(as_mallory, gazette):
    assert as_mallory.get(page()).status_code == 404
    assert as_mallory.post(page("pause", pk=gazette.pk)).status_code == 404


def test_the_page_asks_the_same_few_queries_however_many_sources(
    as_alice, team_a, django_assert_max_num_queries
):
    collection = PressCollection.objects.create(team=team_a, name="Wires")
    PressSource.objects.bulk_create(
        PressSource(
            team=team_a, collection=collection, name=f"S{n}", feed_url=f"https://s{n}.example/rss"
        )
        for n in range(30)
    )

    with django_assert_max_num_queries(12):
        response = as_alice.get(page())

    assert response.content.decode().count("https://s") >= 30


def test_the_page_counts_each_sources_stories_and_stealth_edits(as_victor, team_a, gazette):
    for n, edited in enumerate([True, False, False]):
        Story.objects.create(
            team=team_a,
            source=gazette,
            url=f"https://g.example/{n}",
            url_key=f"g/{n}",
            edited=edited,
        )

    text = as_victor.get(page()).content.decode()

    assert "1 edited after publication" in text
    assert ">3<" in text.replace("\n", "").replace(" ", "")

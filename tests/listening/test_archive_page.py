"""The Archive page: every member searches a campaign's archive with the filters."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.urls import reverse

from houseboat.campaigns.models import Campaign
from houseboat.connectors.base import RemoteAuthor, RemoteItem
from houseboat.listening.imports import capture_live

pytestmark = pytest.mark.django_db

URL = reverse("listening:archive", kwargs={"team_slug": "team-a"})


def post(n: int, text: str, author: str = "ana") -> RemoteItem:
    return RemoteItem(
        network="x",
        remote_id=str(n),
        text=text,
        created_at=datetime(2026, 11, 20, 10, n % 60, tzinfo=UTC),
        author=RemoteAuthor(f"id-{author}", author, author.title()),
        url=f"https://x.com/{author}/status/{n}",
        raw={"id": str(n)},
    )


@pytest.fixture
def archive(campaign_a):
    capture_live(
        campaign=campaign_a,
        items=[
            post(1, "Day 100 for the Riverside Ten #FreeRiverside10"),
            post(2, "الحرية للصحفيين #FreeRiverside10", author="omar"),
        ],
        network="x",
        source="test",
    )
    return campaign_a


def test_a_viewer_sees_results_with_author_time_network_hashtags_and_the_original(
    as_victor, archive
):
    page = as_victor.get(URL, {"q": "riverside"}).content.decode()
    assert "1 item" in page
    assert "Day 100 for the Riverside Ten" in page
    assert "@ana" in page
    assert (
        '<time datetime="2026-11-20T10:01:00+00:00" dir="auto">20 Nov 2026, 10:01 UTC</time>'
        in page
    )
    assert '· <bdi class="network">X</bdi>' in page
    assert "#FreeRiverside10" in page
    assert 'href="https://x.com/ana/status/1"' in page
    assert "الحرية" not in page


def test_the_archive_is_in_the_navigation_and_marked_current(as_victor, archive):
    page = as_victor.get(URL).content.decode()
    assert f'<a href="{URL}" aria-current="page">Archive</a>' in page


def test_a_hashtag_link_keeps_the_other_filters(as_victor, archive):
    page = as_victor.get(URL, {"q": "", "author": "omar"}).content.decode()
    assert "hashtag=FreeRiverside10" in page
    assert "author=omar" in page


def test_broken_query_syntax_is_answered_not_crashed(as_victor, archive):
    for query in ['"unbalanced', "-", "NEAR(", "a OR", "((*"]:
        response = as_victor.get(URL, {"q": query})
        assert response.status_code == 200, query


def test_a_bad_date_is_named_in_the_form(as_victor, archive):
    response = as_victor.get(URL, {"since": "2026-11-30", "until": "2026-11-01"})
    assert response.status_code == 400
    assert "The end date comes before the start date." in response.content.decode()


def test_another_campaign_is_chosen_by_its_address_and_another_teams_is_ignored(
    as_victor, archive, team_a, team_b
):
    Campaign.objects.create(team=team_a, name="Open Files", slug="open-files")
    Campaign.objects.create(team=team_b, name="Secret", slug="secret")
    page = as_victor.get(URL, {"campaign": "open-files"}).content.decode()
    assert "archive is empty" in page
    page = as_victor.get(URL, {"campaign": "secret"}).content.decode()
    assert "Day 100" in page  # the team's own first campaign instead


def test_without_a_choice_the_campaign_whose_archive_last_grew_is_shown(as_victor, archive, team_a):
    Campaign.objects.create(team=team_a, name="Later", slug="later", starts_on="2030-01-01")
    assert "Day 100" in as_victor.get(URL).content.decode()


def test_a_team_without_campaigns_is_told_to_create_one(as_victor):
    assert "Create a campaign first" in as_victor.get(URL).content.decode()


def test_a_full_page_of_results_costs_a_handful_of_queries(
    as_victor, campaign_a, django_assert_max_num_queries
):
    capture_live(
        campaign=campaign_a,
        items=[post(n, f"post {n} about the ten", author=f"person{n}") for n in range(60)],
        network="x",
        source="test",
    )
    # Six for the session, sign-in checks and membership; the campaigns; the count and the
    # page (authors joined); a savepoint around the search; today's graphic exposure and
    # the team's limit for the break banner: none per item or author (no media here).
    # PostgreSQL adds two: the search's work_mem and the planner's estimate of the count.
    with django_assert_max_num_queries(13 + (2 if connection.vendor == "postgresql" else 0)):
        response = as_victor.get(URL, {"q": "ten", "page": "2", "campaign": "free-the-ten"})
    assert response.status_code == 200
    assert "Page 2 of 3" in response.content.decode()

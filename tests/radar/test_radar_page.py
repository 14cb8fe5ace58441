"""The radar page: side by side for any member, nothing for another team, CSV for all."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from houseboat.radar.models import IssueQuery
from tests.radar.test_compare import fill_radar

PERIOD = {"since": "2026-05-01", "until": "2026-05-02"}


def page(campaign) -> str:
    return reverse("radar:radar", args=[campaign.team.slug, campaign.slug])


@pytest.fixture
def issue(campaign_a, team_b):
    return fill_radar(campaign_a, team_b)


def test_a_viewer_sees_both_sides_and_the_sentences(as_victor, campaign_a, issue):
    response = as_victor.get(page(campaign_a), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Social media named it 5 hours earlier: @ana (mastodon)" in html
    assert "The press: 3 stories on the issue, 60.0% of the 5 stories" in html
    comparison = response.context["comparison"]
    assert (comparison.press.matched, comparison.social.matched) == (3, 5)
    # Both columns, each with its chart drawn on the server, and people's words isolated.
    assert html.count('class="chart"') == 3
    assert '<bdi translate="no">@ana (mastodon)</bdi>' in html
    assert '<bdi translate="no">#vigil</bdi>' in html
    assert "3 of 5 collected (60.0%)" in html and "5 of 7 collected (71.4%)" in html
    assert "<bdi>https://dailystar.example/riot-1</bdi>" in html
    assert "<script" not in html.split("</head>")[1] and "style=" not in html


def test_the_newest_issue_is_the_default_and_another_can_be_chosen(as_victor, campaign_a, issue):
    other = IssueQuery.objects.create(campaign=campaign_a, name="Harbour", terms=["harbour"])
    response = as_victor.get(page(campaign_a), PERIOD)
    assert response.context["query"] == other
    assert response.context["comparison"].press.matched == 1  # S1 only
    chosen = as_victor.get(page(campaign_a), {**PERIOD, "query": issue.pk})
    assert chosen.context["comparison"].press.matched == 3


def test_another_teams_member_gets_404(as_mallory, campaign_a, issue):
    assert as_mallory.get(page(campaign_a), PERIOD).status_code == 404
    assert as_mallory.get(page(campaign_a), {**PERIOD, "csv": "all"}).status_code == 404


def test_the_csv_download_holds_every_table_with_the_pages_numbers(as_victor, campaign_a, issue):
    response = as_victor.get(page(campaign_a), {**PERIOD, "csv": "all"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "free-the-ten-radar-2026-05-01-2026-05-02.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted(
        f"{name}.csv"
        for name in ("summary", "volume", "sources", "languages", "distinctive", "firsts",
                     "crossing_links")
    )  # fmt: skip
    volume = list(csv.reader(io.StringIO(archive.read("volume.csv").decode())))
    assert volume[1] == ["2026-05-01", "2", "2", "1.0", "3", "4", "0.75"]
    one = as_victor.get(page(campaign_a), {**PERIOD, "csv": "languages"})
    rows = list(csv.reader(io.StringIO(one.content.decode())))
    assert ["social", "ar", "1", "0.2"] in rows and ["press", "fr", "1", "0.333333"] in rows
    chart = as_victor.get(page(campaign_a), {**PERIOD, "csv": "share"})
    assert chart.content.decode().splitlines()[1] == "2026-05-01,100.0,75.0"
    assert as_victor.get(page(campaign_a), {**PERIOD, "csv": "nope"}).status_code == 404


def test_a_campaign_without_an_issue_asks_for_one(as_alice, as_victor, campaign_a):
    response = as_alice.get(page(campaign_a))
    assert response.status_code == 200 and "Name the issue first" in response.content.decode()
    assert "comparison" not in response.context
    assert "Save the issue" not in as_victor.get(page(campaign_a)).content.decode()


def test_an_editor_names_the_issue_and_a_viewer_cannot(as_alice, as_victor, campaign_a):
    url = reverse("radar:issue_add", args=[campaign_a.team.slug, campaign_a.slug])
    refused = as_victor.post(url, {"name": "Sami", "terms": "riot"})
    assert refused.status_code == 403 and not IssueQuery.objects.exists()
    saved = as_alice.post(url, {"name": "Sami", "terms": "riot, #Vigil,\nRIOT, émeute"})
    query = IssueQuery.objects.get()
    assert query.terms == ["riot", "#Vigil", "émeute"]
    assert saved.status_code == 302 and saved.url.endswith(f"?query={query.pk}")
    empty = as_alice.post(url, {"name": "x", "terms": " , "})
    assert empty.status_code == 400 and IssueQuery.objects.count() == 1


def test_a_bad_period_is_refused_with_a_reason(as_victor, campaign_a, issue):
    swapped = as_victor.get(page(campaign_a), {"since": "2026-05-03", "until": "2026-05-01"})
    assert swapped.status_code == 400
    assert "The first day comes after the last" in swapped.content.decode()
    too_long = as_victor.get(page(campaign_a), {"since": "2020-01-01", "until": "2026-05-01"})
    assert too_long.status_code == 400


def test_the_campaign_page_links_to_the_radar(as_victor, campaign_a):
    detail = reverse("campaigns:detail", args=[campaign_a.team.slug, campaign_a.slug])
    assert f'href="{page(campaign_a)}"' in as_victor.get(detail).content.decode()


def test_the_page_asks_the_database_a_bounded_number_of_questions(
    as_victor, campaign_a, issue, django_assert_max_num_queries
):
    # Sign-in and navigation, the campaign and its issues, the archive's matches and its
    # roll-up, the stories' words, the matched stories, one count per day (2 here) and the
    # undated stories: 16, whatever the number of posts and stories.
    with django_assert_max_num_queries(16):
        response = as_victor.get(page(campaign_a), PERIOD)
    assert response.context["comparison"].social.matched == 5

"""The dashboard's numbers, checked against the small archive counted by hand."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from houseboat.connectors.models import Channel
from houseboat.listening import analytics, dashboards
from houseboat.listening.constants import RollupDimension
from houseboat.listening.models import AuthorFirstPost, HourlyKeyCount
from tests.listening.dashboard_fixture import LINK_A, LINK_B, at, fill

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def archive(campaign_a):
    Channel.objects.create(
        team=campaign_a.team,
        network="mastodon",
        name="Mastodon",
        account_handle="@FreeTheTen@example.social",
    )
    fill(campaign_a)
    return campaign_a


def whole(campaign):
    return dashboards.resolve_period(campaign, "all")


def rows_of(chart):
    return {row[0]: row[1:] for row in chart.rows}


def test_the_whole_archive_spans_its_first_to_its_last_hour(archive):
    period = whole(archive)
    # Periods are whole days: from the first day's midnight to the last hour's end.
    assert (period.since, period.until) == (at(0), at(17))
    assert len(period.buckets()) == 17


def test_volume_by_network_counts_each_hour_of_each_network(archive):
    chart = dashboards.volume_by_network(archive, whole(archive), rtl=False)
    assert chart.header == ["hour (UTC)", "Mastodon", "Bluesky"]
    by_hour = rows_of(chart)
    assert by_hour["2026-05-10 05:00"] == [1, 0]
    assert by_hour["2026-05-10 12:00"] == [0, 1]
    assert by_hour["2026-05-10 15:00"] == [2, 0]
    assert by_hour["2026-05-10 10:00"] == [0, 0]
    assert by_hour["2026-05-10 00:00"] == [0, 0]
    assert [sum(column) for column in zip(*by_hour.values(), strict=True)] == [6, 3]


def test_a_period_keeps_only_its_hours(archive):
    period = dashboards.Period(at(12), at(17), "custom")
    chart = dashboards.volume_by_network(archive, period, rtl=False)
    assert [sum(col) for col in zip(*rows_of(chart).values(), strict=True)] == [3, 3]


def test_a_period_of_days_ranks_what_was_posted_on_those_days(archive):
    day = dashboards.resolve_period(archive, "custom", at(0).date(), at(0).date())
    assert dashboards.top_hashtags(archive, day, 5) == [("freetheten", 6), ("march", 4)]
    before = at(0).date() - timedelta(days=1)
    empty = dashboards.resolve_period(archive, "custom", before, before)
    assert dashboards.top_hashtags(archive, empty, 5) == []
    assert dashboards.top_keys(archive, RollupDimension.LINK, empty) == []


def test_hashtags_links_languages_and_co_hashtags_match_the_hand_count(archive):
    period = whole(archive)
    assert dashboards.top_hashtags(archive, period, 5) == [("freetheten", 6), ("march", 4)]
    assert dashboards.top_keys(archive, RollupDimension.LINK, period) == [(LINK_A, 3), (LINK_B, 2)]
    languages = dashboards.top_keys(archive, RollupDimension.LANGUAGE, period)
    assert languages == [("en", 5), ("ar", 3), ("es", 1)]
    assert dashboards.co_hashtags(archive, "FreeTheTen") == [("march", 2)]


def test_top_amplifiers_count_posts_and_say_reach_is_not_known(archive):
    # An account is one handle on one network: a1 on Mastodon and a1 on Bluesky are two.
    people = dashboards.amplifiers(archive)
    assert [(a.handle, a.network, a.posts) for a in people[:1]] == [("a2", "Mastodon", 2)]
    assert len(people) == 8
    assert {a.posts for a in people[1:]} == {1}
    assert all(a.reach is None for a in people)


def test_an_accounts_first_post_is_when_it_first_posted_not_when_it_was_archived(archive):
    first = dict(
        ((network, handle), first_at)
        for network, handle, first_at in AuthorFirstPost.objects.filter(
            campaign=archive
        ).values_list("author__network", "author__handle", "first_at")
    )
    assert first == {
        ("mastodon", "a3"): at(5),
        ("mastodon", "a1"): at(9, 10),
        ("mastodon", "a2"): at(11, 30),
        ("bluesky", "a1"): at(12, 15),
        ("bluesky", "a3"): at(13, 5),
        ("bluesky", "a4"): at(14, 20),
        ("mastodon", "a5"): at(15),
        ("mastodon", "a6"): at(16),
    }


def test_mentions_of_the_teams_account_are_counted_per_hour(archive):
    rows = HourlyKeyCount.objects.filter(campaign=archive, dimension=RollupDimension.TEAM_MENTION)
    assert list(rows.values_list("hour", "key", "count")) == [
        (at(11), "freetheten@example.social", 1)
    ]


def test_a_rebuild_counts_the_dashboards_roll_ups_exactly_as_ingest_did(archive):
    def snapshot():
        keys = set(
            HourlyKeyCount.objects.filter(campaign=archive).values_list(
                "dimension", "hour", "key", "count"
            )
        )
        first = set(
            AuthorFirstPost.objects.filter(campaign=archive).values_list("author", "first_at")
        )
        return keys, first

    before = snapshot()
    analytics.rebuild(archive)
    assert snapshot() == before


def test_the_dashboard_page_shows_every_chart_with_its_table(as_alice, archive):
    response = as_alice.get("/t/team-a/archive/dashboard/", {"campaign": archive.slug})
    assert response.status_code == 200
    html = response.content.decode()
    for key in (
        "volume_network",
        "volume_hashtag",
        "hashtags",
        "co_hashtags",
        "links",
        "languages",
    ):
        assert f'id="chart-{key}"' in html
    assert "not known" in html
    assert LINK_A in html


def test_each_chart_downloads_as_the_csv_of_its_numbers(as_alice, archive):
    response = as_alice.get(
        "/t/team-a/archive/dashboard/", {"campaign": archive.slug, "csv": "languages"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["language", "posts"],
        ["English (en)", "5"],
        ["Arabic (ar)", "3"],
        ["Spanish (es)", "1"],
    ]


def test_the_volume_chart_draws_one_point_per_hour_of_the_period(as_alice, archive):
    response = as_alice.get("/t/team-a/archive/dashboard/", {"campaign": archive.slug})
    html = response.content.decode()
    start = html.index("<svg", html.index('id="chart-volume_network"'))
    root = ET.fromstring(html[start : html.index("</svg>", start) + len("</svg>")])
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [17, 17]


def test_an_unknown_chart_is_not_found(as_alice, archive):
    response = as_alice.get("/t/team-a/archive/dashboard/", {"csv": "nothing"})
    assert response.status_code == 404


def test_every_member_sees_the_dashboard_and_an_outsider_gets_not_found(
    as_alice, as_bob, as_charlie, as_mallory, archive
):
    for client in (as_alice, as_bob, as_charlie):
        assert client.get("/t/team-a/archive/dashboard/").status_code == 200
    assert as_mallory.get("/t/team-a/archive/dashboard/").status_code == 404
    assert as_mallory.get("/t/team-a/archive/dashboard/", {"csv": "languages"}).status_code == 404


def test_an_empty_archive_says_so(as_alice, campaign_a):
    response = as_alice.get("/t/team-a/archive/dashboard/")
    assert response.status_code == 200
    assert "archive is empty" in response.content.decode()


def test_a_custom_period_of_days_covers_whole_days(archive):
    period = dashboards.resolve_period(archive, "custom", at(0).date(), at(0).date())
    assert (period.since, period.until) == (at(0), at(0) + timedelta(days=1))


def test_the_dashboard_asks_a_fixed_number_of_queries(
    as_alice, archive, django_assert_max_num_queries
):
    # Sessions, membership, navigation counts, then the roll-ups: never one per row.
    with django_assert_max_num_queries(20):
        as_alice.get("/t/team-a/archive/dashboard/", {"campaign": archive.slug})


def test_a_long_period_draws_days_from_the_daily_counts(archive):
    period = dashboards.Period(at(0) - timedelta(days=20), at(17), "custom")
    assert period.by_day
    by_day = rows_of(dashboards.volume_by_network(archive, period, rtl=False))
    assert len(by_day) == 21
    assert by_day["2026-05-10"] == [6, 3]
    assert by_day["2026-05-01"] == [0, 0]
    tags = dashboards.top_hashtags(archive, period, 5)
    assert rows_of(dashboards.volume_by_hashtag(archive, period, tags, rtl=False))[
        "2026-05-10"
    ] == [6, 4]


def test_a_corrected_posting_time_moves_the_dashboards_counts_with_it(campaign_a, tmp_path):
    from houseboat.listening.imports import run_import
    from houseboat.listening.models import DailyKeyCount

    path = tmp_path / "_chat.txt"
    path.write_text("24/11/2026, 21:05 - Ana: hola #FreeTheTen\n", encoding="utf-8")
    run_import(campaign=campaign_a, format="whatsapp-txt", path=path)
    run_import(
        campaign=campaign_a,
        format="whatsapp-txt",
        path=path,
        options={"timezone": "America/Bogota"},
    )
    days = set(
        DailyKeyCount.objects.filter(campaign=campaign_a, count__gt=0).values_list(
            "dimension", "day", "key", "count"
        )
    )
    assert {(dim, str(day)) for dim, day, _key, _n in days} == {
        ("hashtag", "2026-11-25"),
        ("language", "2026-11-25"),
        ("network", "2026-11-25"),
    }
    first = AuthorFirstPost.objects.get(campaign=campaign_a).first_at
    assert first.isoformat() == "2026-11-25T02:05:00+00:00"
    hours = set(HourlyKeyCount.objects.filter(campaign=campaign_a).values_list("hour", flat=True))
    assert {h.isoformat() for h in hours} == {"2026-11-25T02:00:00+00:00"}

"""The response to an action, checked against the small archive counted by hand
(tests/listening/dashboard_fixture.py): before [09:00, 12:00), during [12:00, 13:00),
after [13:00, 16:00) on 10 May 2026 with 3 hours either side."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from houseboat.connectors.models import Channel
from houseboat.listening import actions
from houseboat.listening.models import DatedEvent
from houseboat.publishing.constants import DeliveryState, PostStatus
from houseboat.publishing.models import Delivery, MetricSample, Post, Variant
from tests.listening.dashboard_fixture import LINK_A, LINK_B, at, fill

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def archive(campaign_a):
    fill(campaign_a)
    return campaign_a


@pytest.fixture
def march(archive, alice):
    return DatedEvent.objects.create(
        campaign=archive, name="March to the court", kind="march", starts_at=at(12), ends_at=at(13)
    )


@pytest.fixture
def statement(archive, alice):
    """The team's statement, sent at 12:30 on Mastodon, its counts read back twice."""
    channel = Channel.objects.create(team=archive.team, network="mastodon", name="Mastodon")
    post = Post.objects.create(
        team=archive.team,
        campaign=archive,
        author=alice,
        text="We march today",
        status=PostStatus.SENT,
    )
    variant = Variant.objects.create(post=post, channel=channel)
    delivery = Delivery.objects.create(
        variant=variant,
        text=post.text,
        state=DeliveryState.SENT,
        due_at=at(12, 30),
        sent_at=at(12, 30),
        remote_id="1",
    )
    MetricSample.objects.create(delivery=delivery, captured_at=at(13, 30), replies=4, reposts=7)
    MetricSample.objects.create(delivery=delivery, captured_at=at(18, 30), replies=5, reposts=9)
    return post


def test_the_windows_are_whole_hours_before_during_and_after(march):
    w = actions.windows(actions.event_action(march), 3)
    assert (w.before, w.during, w.after) == ((at(9), at(12)), (at(12), at(13)), (at(13), at(16)))


def test_a_post_lasts_the_hour_it_went_out(statement, archive):
    action = actions.find_action(archive, f"post-{statement.pk}")
    w = actions.windows(action, 3)
    assert w.during == (at(12), at(13))


def test_the_response_numbers_match_the_hand_count(archive, march, statement):
    r = actions.response(archive, actions.event_action(march), hours=3)
    assert r.volume == {"before": 2, "during": 1, "after": 4}
    assert r.new_accounts == {"before": 2, "during": 1, "after": 3}
    assert r.score == 1.67  # (4 + 1) / (2 + 1)
    assert [(x.key, x.before, x.after) for x in r.hashtags] == [("march", 0, 3)]
    assert [(x.key, x.before, x.after) for x in r.links] == [(LINK_B, 0, 2), (LINK_A, 1, 2)]
    assert [n for _hour, n in r.hourly] == [1, 0, 1, 1, 1, 1, 2]
    [own] = r.own_posts
    assert (own.post_id, own.replies, own.reposts, str(own.window)) == (
        statement.pk,
        5,
        9,
        "during",
    )


def test_actions_are_ranked_by_response(archive, march, statement):
    quiet = DatedEvent.objects.create(
        campaign=archive, name="Early vigil", kind="other", starts_at=at(5), ends_at=at(6)
    )
    found = actions.all_actions(archive)
    ranked = actions.ranked(archive, found, 3)
    assert [(r.action.ref, r.before, r.after, r.score) for r in ranked][-1] == (
        f"event-{quiet.pk}",
        0,
        0,
        1.0,
    )
    assert {r.action.ref for r in ranked[:2]} == {f"event-{march.pk}", f"post-{statement.pk}"}
    assert all(r.score == 1.67 for r in ranked[:2])


def test_the_response_page_shows_the_score_and_says_how_it_is_counted(as_bob, archive, march):
    response = as_bob.get(
        f"/t/team-a/archive/actions/event-{march.pk}/", {"campaign": archive.slug, "hours": 3}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="response-score">1.67</span>' in html
    assert "(4 + 1) ÷ (2 + 1)" in html
    start = html.index("<svg", html.index('id="chart-hourly"'))
    root = ET.fromstring(html[start : html.index("</svg>", start) + len("</svg>")])
    assert len(root.find(f"{SVG}polyline").get("points").split()) == 7


def test_the_response_charts_download_as_csv(as_bob, archive, march):
    response = as_bob.get(
        f"/t/team-a/archive/actions/event-{march.pk}/",
        {"campaign": archive.slug, "hours": 3, "csv": "windows"},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["window", "posts", "new accounts"],
        ["before", "2", "2"],
        ["during", "1", "1"],
        ["after", "4", "3"],
    ]


def test_the_list_ranks_actions_and_says_the_score(as_charlie, archive, march):
    response = as_charlie.get("/t/team-a/archive/actions/", {"campaign": archive.slug, "hours": 3})
    html = response.content.decode()
    assert "March to the court" in html
    assert "Response = (posts in the 3 hours after + 1)" in html


def test_a_contributor_enters_an_event_and_lands_on_its_response(as_charlie, archive):
    response = as_charlie.post(
        "/t/team-a/archive/actions/events/new/",
        {
            "campaign": archive.slug,
            "name": "Hearing",
            "kind": "hearing",
            "starts_at": "2026-05-10T12:00",
            "ends_at": "2026-05-10T14:00",
            "notes": "",
        },
    )
    event = DatedEvent.objects.get(name="Hearing")
    assert response.status_code == 302
    assert f"/actions/event-{event.pk}/" in response["Location"]


def test_an_event_that_ends_before_it_starts_is_refused_and_nothing_is_stored(as_bob, archive):
    response = as_bob.post(
        "/t/team-a/archive/actions/events/new/",
        {
            "campaign": archive.slug,
            "name": "Backwards",
            "kind": "other",
            "starts_at": "2026-05-10T14:00",
            "ends_at": "2026-05-10T12:00",
        },
    )
    assert response.status_code == 400
    assert "The end comes before the start" in response.content.decode()
    assert not DatedEvent.objects.exists()


def test_a_viewer_cannot_enter_an_event_and_a_contributor_cannot_remove_one(
    as_victor, as_charlie, as_alice, archive, march
):
    data = {
        "campaign": archive.slug,
        "name": "X",
        "kind": "other",
        "starts_at": "2026-05-10T12:00",
        "ends_at": "2026-05-10T13:00",
    }
    assert as_victor.post("/t/team-a/archive/actions/events/new/", data).status_code == 403
    assert (
        as_charlie.post(f"/t/team-a/archive/actions/events/{march.pk}/remove/").status_code == 403
    )
    assert as_alice.post(f"/t/team-a/archive/actions/events/{march.pk}/remove/").status_code == 302
    assert not DatedEvent.objects.exists()


def test_an_outsider_gets_not_found_everywhere(as_mallory, archive, march, statement):
    for url in (
        "/t/team-a/archive/actions/",
        f"/t/team-a/archive/actions/event-{march.pk}/",
        f"/t/team-a/archive/actions/post-{statement.pk}/",
    ):
        assert as_mallory.get(url).status_code == 404
    assert (
        as_mallory.post(f"/t/team-a/archive/actions/events/{march.pk}/remove/").status_code == 404
    )
    assert DatedEvent.objects.filter(pk=march.pk).exists()


def test_another_teams_event_is_not_found_from_this_team(as_mallory, mallory, team_b, march):
    from houseboat.campaigns.models import Campaign

    Campaign.objects.create(team=team_b, name="B", slug="b")
    assert as_mallory.get(f"/t/team-b/archive/actions/event-{march.pk}/").status_code == 404
    assert (
        as_mallory.post(f"/t/team-b/archive/actions/events/{march.pk}/remove/").status_code == 404
    )


def test_an_address_that_names_no_action_is_not_found(as_alice, archive):
    for ref in ("event-999", "post-999", "nothing", "event-x"):
        assert as_alice.get(f"/t/team-a/archive/actions/{ref}/").status_code == 404

"""Each section on a little data, its numbers counted by hand."""

from __future__ import annotations

from datetime import date

import pytest

from houseboat.accountability.models import Demand, EvidenceLink, Review, StatusChange
from houseboat.connectors.models import Channel
from houseboat.listening.models import DatedEvent, HourlyCount
from houseboat.organizing.models import CallToAction, LadderRung, Response, Supporter
from houseboat.publishing.constants import DeliveryState, PostStatus
from houseboat.publishing.models import Delivery, MetricSample, Post, Variant
from houseboat.reports import sections
from houseboat.reports.models import Outcome
from houseboat.reports.sections import Period
from houseboat.safety.models import Alert
from tests.reports.conftest import at


def send(campaign, author, channel, when, *, state=DeliveryState.SENT, parts=1, **metrics):
    """A post sent on one channel at ``when`` (a thread of ``parts``), its counts read back."""
    post = Post.objects.create(
        team=campaign.team, campaign=campaign, author=author, text="x", status=PostStatus.SENT
    )
    variant = Variant.objects.create(post=post, channel=channel)
    first = None
    for part in range(parts):
        delivery = Delivery.objects.create(
            variant=variant, part=part, text="x", state=state, due_at=when, sent_at=when
        )
        first = first or delivery
    if metrics:
        MetricSample.objects.create(delivery=first, captured_at=when, **metrics)
    return post


@pytest.fixture
def channels(team_a):
    return {
        network: Channel.objects.create(team=team_a, network=network, name=network)
        for network in ("mastodon", "x")
    }


# --- outputs


def test_outputs_count_posts_per_network_in_the_period_and_a_thread_once(
    campaign_a, alice, channels, period
):
    send(campaign_a, alice, channels["mastodon"], at(2), parts=3)  # a thread: one post
    send(campaign_a, alice, channels["mastodon"], at(30, 23))
    send(campaign_a, alice, channels["x"], at(15))
    send(campaign_a, alice, channels["x"], at(15), state=DeliveryState.FAILED)
    send(campaign_a, alice, channels["x"], at(31, 10, month=10))  # the day before
    send(campaign_a, alice, channels["x"], at(1, 0, month=12))  # the day after
    CallToAction.objects.create(campaign=campaign_a, kind="event", title="Vigil", starts_at=at(5))
    CallToAction.objects.create(
        campaign=campaign_a, kind="event", title="Old", starts_at=at(5, month=10)
    )

    section = sections.outputs(campaign_a, period)

    figures = dict(section.figures)
    assert figures["Posts sent (one post on several networks counts once)"] == 3
    assert figures["Calls to action held"] == 1
    chart = section.charts[0]
    assert chart.rows == [["Mastodon", 2], ["X", 1]]
    assert "<svg" in chart.svg
    assert section.tables[0].rows == [["Vigil", "Event", "2026-11-05", 0]]


# --- reach


def test_reach_adds_each_deliverys_latest_reading_per_network(campaign_a, alice, channels, period):
    post = send(campaign_a, alice, channels["x"], at(3), likes=10, reposts=2, views=100)
    delivery = Delivery.objects.get(variant__post=post)
    MetricSample.objects.create(
        delivery=delivery, captured_at=at(4), likes=15, reposts=3, views=400
    )
    send(campaign_a, alice, channels["x"], at(9), likes=5, replies=1)
    send(campaign_a, alice, channels["mastodon"], at(9), likes=7)
    send(campaign_a, alice, channels["mastodon"], at(9, month=10), likes=1000)  # outside

    section = sections.reach(campaign_a, period)

    # network, posts, views, likes, reposts, replies, quotes
    assert section.tables[0].rows == [["Mastodon", 1, 0, 7, 0, 0, 0], ["X", 2, 400, 20, 3, 1, 0]]
    figures = dict(section.figures)
    assert figures["Own posts counted (once per network)"] == 3
    assert figures["Views (where the network reports them)"] == 400
    assert figures["Interactions (likes, reposts, replies, quotes)"] == 7 + 20 + 3 + 1
    assert section.charts[0].rows == [["Mastodon", 7], ["X", 24]]


def test_reach_without_readings_says_so(campaign_a, period):
    section = sections.reach(campaign_a, period)
    assert section.empty.startswith("No counts were read back")
    assert section.charts == []


# --- response to each action


def test_response_ranks_the_events_of_the_period_by_after_over_before(campaign_a, period):
    DatedEvent.objects.create(
        campaign=campaign_a, name="March", kind="march", starts_at=at(10), ends_at=at(10, 13)
    )
    DatedEvent.objects.create(
        campaign=campaign_a,
        name="Outside",
        kind="march",
        starts_at=at(10, month=10),
        ends_at=at(10, 13, month=10),
    )
    # 4 posts in the 24 hours before, 14 in the 24 hours after (the march ends at 13:00).
    HourlyCount.objects.create(campaign=campaign_a, hashtag="", hour=at(10, 3), count=4)
    HourlyCount.objects.create(campaign=campaign_a, hashtag="", hour=at(10, 20), count=14)

    section = sections.response(campaign_a, period)

    [row] = section.tables[0].rows
    assert row[0] == "March" and row[3:] == [4, 14, 3.0]  # (14 + 1) / (4 + 1)
    assert section.charts[0].rows == [["March", 3.0]]


# --- ladder and turnout


@pytest.fixture
def rungs(team_a):
    for position, name, kinds in [
        (0, "Follower", []),
        (1, "Signer", ["signed"]),
        (2, "Attendee", ["attended"]),
    ]:
        LadderRung.objects.create(team=team_a, position=position, name=name, kinds=kinds)


def supporter(campaign, joined):
    return Supporter.objects.create(
        team=campaign.team,
        campaign=campaign,
        name_digest=str(joined),
        source="manual",
        created_at=joined,
    )


def answer(campaign, action, person, kind, when):
    return Response.objects.create(
        action=action,
        campaign=campaign,
        supporter=person,
        kind=kind,
        source="organiser",
        created_at=when,
    )


def test_ladder_counts_who_stood_on_each_rung_before_and_who_reached_it_in_the_period(
    campaign_a, rungs, period
):
    petition = CallToAction.objects.create(campaign=campaign_a, kind="petition", title="Sign")
    vigil = CallToAction.objects.create(
        campaign=campaign_a, kind="event", title="Vigil", starts_at=at(20)
    )
    old = supporter(campaign_a, at(1, month=9))
    answer(campaign_a, petition, old, "signed", at(2, month=10))  # a signer before
    moved = supporter(campaign_a, at(1, month=9))
    answer(campaign_a, petition, moved, "signed", at(5))  # becomes a signer in the period
    new = supporter(campaign_a, at(3))
    answer(campaign_a, vigil, new, "rsvp", at(10))
    answer(campaign_a, vigil, new, "attended", at(20))
    for n in range(3):  # two more RSVPs that did not come
        answer(campaign_a, vigil, supporter(campaign_a, at(4, n)), "rsvp", at(11))

    section = sections.ladder(campaign_a, period)

    by_rung = {row[0]: row[1:] for row in section.tables[0].rows}
    assert by_rung == {"Follower": [2, 4, 6], "Signer": [1, 1, 2], "Attendee": [0, 1, 1]}
    assert dict(section.figures)["Supporters who moved up at least one rung"] == 2
    assert dict(section.figures)["Answers to calls to action"] == 6
    turnout = next(t for t in section.tables if t.key == "ladder-turnout")
    assert turnout.rows == [["Vigil", "2026-11-20", 4, 1, "25%"]]


def test_no_supporter_name_reaches_the_ladder_section(campaign_a, rungs, period):
    person = supporter(campaign_a, at(3))
    person.personal = {"name": "Samira Haddad"}
    person.save()
    section = sections.ladder(campaign_a, period)
    assert "Samira" not in repr(section)


# --- framing


def test_framing_without_the_radar_says_there_is_no_issue_yet(campaign_a, period):
    section = sections.framing(campaign_a, period)
    assert section.empty == "No issue is defined for the press radar yet."
    assert section.charts == [] and section.tables == []


def test_framing_reads_the_radars_own_comparison_of_the_campaigns_issue(campaign_a, team_b):
    # The radar's hand-counted fixture (tests/radar/test_compare.py): press 3 of 5 stories,
    # social media 5 of 7 posts, social media first by 5 hours, "riot" the press's word.
    from tests.radar.test_compare import fill_radar

    fill_radar(campaign_a, team_b)
    section = sections.framing(campaign_a, Period(date(2026, 5, 1), date(2026, 5, 2)))
    assert section.empty == ""
    figures = dict(section.figures)
    assert figures["Press stories on the issue"] == "3 / 5"
    assert figures["Social posts on the issue"] == "5 / 7"
    assert figures["Who spoke first"] == "Social media, 5 hours earlier"
    press_terms, social_terms = section.tables
    assert press_terms.title == "Words distinctive of the press"
    assert social_terms.title == "Words distinctive of social media"
    assert "riot" in [row[0] for row in press_terms.rows]
    assert "#vigil" in [row[0] for row in social_terms.rows]
    assert any("5 hours earlier" in note for note in section.notes)
    [chart] = section.charts
    assert "press" in chart.svg and "social" in chart.svg


# --- outcomes


def test_outcomes_of_the_period_are_listed_oldest_first(campaign_a, alice, period):
    for day, actor in [(20, "Bar Association"), (3, "المرصد"), (1, "Too early")]:
        Outcome.objects.create(
            campaign=campaign_a,
            actor=actor,
            change="changed",
            happened_on=date(2026, 11 if actor != "Too early" else 10, day),
            contribution="letters",
            confirmed_by="their statement",
            created_by=alice,
        )
    section = sections.outcomes(campaign_a, period)
    assert [row[1] for row in section.tables[0].rows] == ["المرصد", "Bar Association"]
    assert dict(section.figures)["Outcomes recorded"] == 2


# --- policy change


def test_policy_lists_reviewed_changes_of_the_period_with_their_evidence(
    campaign_a, alice, bob, period
):
    demand = Demand.objects.create(
        campaign=campaign_a, ref="RT-1", title="Free the ten", draft=False, visibility="team"
    )
    Demand.objects.create(
        campaign=campaign_a, ref="RT-9", title="Secret", draft=False, visibility="private"
    )
    reviewed = StatusChange.objects.create(
        demand=demand,
        verdict="implemented",
        happened_on=date(2026, 11, 12),
        rationale="All released",
    )
    Review.objects.create(change=reviewed, decision="approved", reviewer=bob, reviewer_label="bob")
    EvidenceLink.objects.create(
        demand=demand, change=reviewed, sha256="ab" * 32, excerpt="They walked out"
    )
    StatusChange.objects.create(  # not reviewed: not in the report
        demand=demand, progress="stalled", happened_on=date(2026, 11, 13), rationale="Unsure"
    )

    section = sections.policy(campaign_a, period)

    assert dict(section.figures)["Demands tracked"] == 1
    assert section.tables[0].rows == [["RT-1", "Free the ten", "implemented"]]
    [change] = section.tables[1].rows
    assert change[:4] == ["2026-11-12", "RT-1 Free the ten", "implemented", "All released"]
    assert "SHA-256 abababababab" in change[4] and "They walked out" in change[4]


# --- safety


def test_safety_hides_small_counts_and_the_total_that_would_reveal_them(campaign_a, period):
    for n in range(6):
        Alert.objects.create(
            team=campaign_a.team,
            campaign=campaign_a,
            network="x",
            remote_id=str(n),
            kinds="threat",
            created_at=at(4),
        )
    for n in range(2):
        Alert.objects.create(
            team=campaign_a.team,
            campaign=campaign_a,
            network="x",
            remote_id=f"s{n}",
            kinds="slur",
            created_at=at(5),
        )
    Alert.objects.create(
        team=campaign_a.team,
        campaign=campaign_a,
        network="x",
        remote_id="old",
        kinds="slur",
        created_at=at(5, month=10),
    )

    section = sections.safety(campaign_a, period)

    alerts = {row[0]: row[1] for row in section.tables[0].rows}
    assert alerts["threat"] == 6
    assert alerts["slur"] == "fewer than 5"
    assert alerts["doxxing"] == 0
    assert alerts["all alerts"] == "not shown (it would reveal a small count)"
    # The headline figure is that total too: 8 beside 6 would give the 2 back.
    assert (
        dict(section.figures)["Alerts on harassment, threats and doxxing"] == alerts["all alerts"]
    )
    assert dict(section.figures)["Alerts acknowledged by the team"] == 0


def test_safety_shows_counts_of_five_and_more_and_their_total(campaign_a, period):
    for n in range(5):
        Alert.objects.create(
            team=campaign_a.team,
            campaign=campaign_a,
            network="x",
            remote_id=str(n),
            kinds="doxxing",
            created_at=at(4),
        )
    alerts = {row[0]: row[1] for row in sections.safety(campaign_a, period).tables[0].rows}
    assert alerts["doxxing"] == 5 and alerts["all alerts"] == 5
    assert (
        dict(sections.safety(campaign_a, period).figures)[
            "Alerts on harassment, threats and doxxing"
        ]
        == 5
    )

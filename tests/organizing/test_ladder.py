"""The ladder of engagement: rungs from rules on responses, the funnel, who stalled."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from houseboat.organizing import services
from houseboat.organizing.constants import ActionKind, ResponseKind
from houseboat.organizing.funnel import build_funnel, format_table
from houseboat.organizing.models import CallToAction, Supporter

from .conftest import add


def respond(supporter, action, kind, days_ago=0, channel=None):
    return services.record_response(
        supporter,
        action=action,
        kind=kind,
        source="organiser",
        channel=channel,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def volunteer_ask(campaign_a):
    return CallToAction.objects.create(campaign=campaign_a, kind=ActionKind.VOLUNTEER, title="Help")


def test_the_default_ladder_has_five_rungs(team_a):
    assert [r.name for r in services.ladder(team_a)] == [
        "Follower",
        "Signer",
        "Attendee",
        "Volunteer",
        "Organiser",
    ]


def test_a_supporter_climbs_by_the_rules_and_the_date_is_kept(
    team_a, petition, event, volunteer_ask
):
    amal = add(team_a, "Amal")
    assert amal.rung == 0
    respond(amal, petition, ResponseKind.SIGNED, days_ago=10)
    assert Supporter.objects.get(pk=amal.pk).rung == 1
    respond(amal, event, ResponseKind.RSVP, days_ago=8)
    assert Supporter.objects.get(pk=amal.pk).rung == 1  # an RSVP is not attending
    respond(amal, event, ResponseKind.ATTENDED, days_ago=7)
    amal = Supporter.objects.get(pk=amal.pk)
    assert amal.rung == 2
    assert timezone.now() - amal.rung_reached_at > timedelta(days=6)
    for days in (5, 4, 3):
        respond(amal, volunteer_ask, ResponseKind.VOLUNTEERED, days_ago=days)
    # Organiser: four of volunteered or attended.
    assert Supporter.objects.get(pk=amal.pk).rung == 4


def test_a_changed_ladder_moves_everyone_again(team_a, petition):
    amal = add(team_a, "Amal")
    respond(amal, petition, ResponseKind.SIGNED)
    services.set_ladder(team_a, [("Everyone", [], 0), ("Two signatures", ["signed"], 2)])
    assert Supporter.objects.get(pk=amal.pk).rung == 0
    respond(amal, petition, ResponseKind.SIGNED)
    assert Supporter.objects.get(pk=amal.pk).rung == 1


def test_the_funnel_counts_who_reached_each_rung_how_fast_and_who_stalled(
    team_a, campaign_a, petition, event
):
    people = [add(team_a, f"p{i}") for i in range(4)]
    for person in people:
        respond(person, petition, ResponseKind.SIGNED, days_ago=40)
    respond(people[0], event, ResponseKind.ATTENDED, days_ago=30)  # 10 days after signing
    respond(people[1], event, ResponseKind.ATTENDED, days_ago=36)  # 4 days after
    respond(people[2], petition, ResponseKind.SIGNED, days_ago=2)  # active, not stalled
    funnel = build_funnel(campaign_a, stalled_days=21)
    rows = {row.name: row for row in funnel.rows}
    assert funnel.supporters == 4
    assert rows["Follower"].reached == 4
    assert rows["Signer"].reached == 4
    assert rows["Attendee"].reached == 2
    assert rows["Attendee"].share_of_previous == 0.5
    assert rows["Attendee"].median_days == 7.0
    assert rows["Signer"].stalled == 1  # people[3]; people[2] answered two days ago
    assert rows["Attendee"].stalled == 2
    assert sorted(funnel.stalled_ids) == sorted([people[0].pk, people[1].pk, people[3].pk])
    table = format_table(funnel)
    assert table[0].split() == [
        "rung",
        "rule",
        "reached",
        "of",
        "previous",
        "median",
        "days",
        "stalled",
    ]


def test_the_funnel_of_one_channel_counts_only_what_it_brought(
    team_a, campaign_a, petition, x_channel
):
    amal, sam = add(team_a, "Amal"), add(team_a, "Sam")
    respond(amal, petition, ResponseKind.SIGNED, channel=x_channel)
    respond(sam, petition, ResponseKind.SIGNED)
    funnel = build_funnel(campaign_a, channel_id=x_channel.pk)
    assert funnel.supporters == 1


def test_the_ladder_form_refuses_an_unknown_kind_and_keeps_the_ladder(as_bob, team_a):
    services.ladder(team_a)
    response = as_bob.post(
        reverse("organizing:ladder", args=[team_a.slug]),
        {"rungs": "Everyone\nMarcher: marched x 1"},
    )
    assert response.status_code == 400
    assert "known kinds" in response.content.decode()
    assert team_a.ladder_rungs.count() == 5


def test_the_ladder_form_saves_new_rungs(as_bob, team_a):
    response = as_bob.post(
        reverse("organizing:ladder", args=[team_a.slug]),
        {"rungs": "Everyone\nSigner: signed, shared x 1\nRegular: attended \u00d7 3"},
    )
    assert response.status_code == 302
    assert [(r.name, r.kinds, r.min_count) for r in team_a.ladder_rungs.all()] == [
        ("Everyone", [], 0),
        ("Signer", ["signed", "shared"], 1),
        ("Regular", ["attended"], 3),
    ]


def test_the_funnel_page_lists_stalled_people_to_organisers_only(
    as_alice, as_victor, team_a, campaign_a, petition
):
    amal = add(team_a, "Amal the Stalled")
    respond(amal, petition, ResponseKind.SIGNED, days_ago=60)
    url = reverse("organizing:funnel", args=[team_a.slug]) + f"?campaign={campaign_a.pk}"
    assert "Amal the Stalled" in as_alice.get(url).content.decode()
    viewer_page = as_victor.get(url).content.decode()
    assert "Amal the Stalled" not in viewer_page
    assert "Signer" in viewer_page


def test_the_home_page_says_what_needs_a_person(as_alice, team_a, campaign_a, petition, event):
    amal = add(team_a, "Amal")
    respond(amal, petition, ResponseKind.SIGNED, days_ago=60)
    Supporter.objects.filter(pk=amal.pk).update(rung_reached_at=timezone.now() - timedelta(days=60))
    respond(None, event, ResponseKind.RSVP)
    event.starts_at = timezone.now() + timedelta(minutes=5)
    event.save()
    page = as_alice.get(reverse("campaigns:index", args=[team_a.slug])).content.decode()
    assert "Needs a person" in page
    assert "1 supporter has not moved up the ladder for 21 days" in page
    assert "1 RSVP waits for an organiser to confirm it" in page
    if timezone.localdate(event.starts_at) == timezone.localdate():
        assert "Open check-in" in page


def test_rsvps_of_an_event_that_began_today_still_wait_for_confirmation(team_a, event):
    evening = timezone.localtime().replace(hour=20, minute=0, second=0, microsecond=0)
    event.starts_at = evening.replace(hour=18)
    event.save()
    respond(None, event, ResponseKind.RSVP)
    attention = services.attention(team_a, now=evening)
    assert attention["rsvps_to_confirm"] == 1
    assert attention["events_today"] == [event]
    next_day = services.attention(team_a, now=evening + timedelta(days=1))
    assert next_day["rsvps_to_confirm"] == 0

"""Spike alerts: a tracked hashtag or the team's mentions far above the week before."""

from datetime import UTC, datetime, timedelta

import pytest

from houseboat.connectors.base import RemoteAuthor, RemoteItem
from houseboat.connectors.models import Channel
from houseboat.listening import spikes
from houseboat.listening.imports import capture_live
from houseboat.listening.models import HourlyCount
from houseboat.safety.models import Alert

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 20, 14, 30, tzinfo=UTC)
HOUR = NOW.replace(minute=0)


def week(campaign, values, tag="freetheten", end=HOUR):
    """Store one hourly count per value for the hours before ``end``, oldest first."""
    HourlyCount.objects.bulk_create(
        HourlyCount(
            campaign=campaign, hour=end - timedelta(hours=len(values) - k), hashtag=tag, count=v
        )
        for k, v in enumerate(values)
        if v
    )


def at_hour(campaign, hour, count, tag="freetheten"):
    HourlyCount.objects.update_or_create(
        campaign=campaign, hour=hour, hashtag=tag, defaults={"count": count}
    )


def quiet_week():
    return [1, 2, 3, 2] * 42  # 168 hours, median 2


def test_a_spike_of_a_tracked_hashtag_raises_one_pile_on_alert(campaign_a):
    week(campaign_a, quiet_week())
    at_hour(campaign_a, HOUR, 40)
    assert spikes.check_spikes("w", now=NOW) == 1
    alert = Alert.objects.get()
    assert alert.kinds == "pile_on"
    assert alert.team == campaign_a.team
    assert alert.matches[0]["explanation"] == (
        "possible pile-on: #freetheten had 40 posts in the hour from 2026-05-20 14:00 UTC, "
        "against a usual 2 (the median hour of the 7 days before)"
    )


def test_a_steady_rise_below_the_threshold_raises_nothing(campaign_a):
    rising = [10 + round(k * 50 / 167) for k in range(168)]  # 10 to 60 over the week
    week(campaign_a, rising)
    at_hour(campaign_a, HOUR, 62)
    assert spikes.check_spikes("w", now=NOW) == 0
    assert not Alert.objects.exists()


def test_a_small_number_after_a_silent_week_raises_nothing(campaign_a):
    at_hour(campaign_a, HOUR, spikes.MIN_COUNT - 1)
    assert spikes.check_spikes("w", now=NOW) == 0


def test_an_untracked_hashtag_raises_nothing(campaign_a):
    week(campaign_a, quiet_week(), tag="other")
    at_hour(campaign_a, HOUR, 400, tag="other")
    assert spikes.check_spikes("w", now=NOW) == 0


def test_a_spike_lasting_hours_is_alerted_once_and_a_later_one_again(campaign_a):
    week(campaign_a, quiet_week(), end=HOUR - timedelta(hours=2))
    for k in range(3):  # three spiking hours in a row, checked as each fills
        at_hour(campaign_a, HOUR - timedelta(hours=2 - k), 50)
        spikes.check_spikes("w", now=NOW - timedelta(hours=2 - k))
        spikes.check_spikes("w2", now=NOW - timedelta(hours=2 - k))  # a second worker
    assert Alert.objects.count() == 1
    assert Alert.objects.get().remote_id == "spike:hashtag:freetheten:2026-05-20T12"
    # Quiet for an hour, then a new spike: a new alert.
    at_hour(campaign_a, HOUR + timedelta(hours=1), 2)
    spikes.check_spikes("w", now=NOW + timedelta(hours=1))
    at_hour(campaign_a, HOUR + timedelta(hours=2), 60)
    assert spikes.check_spikes("w", now=NOW + timedelta(hours=2)) == 1
    assert Alert.objects.count() == 2


def test_mentions_of_the_teams_account_piling_up_alert_in_safety_and_on_home(campaign_a, as_bob):
    Channel.objects.create(
        team=campaign_a.team, network="mastodon", name="Main", account_handle="freetheten"
    )
    items = [
        RemoteItem(
            network="mastodon",
            remote_id=str(n),
            text=f"@freetheten you again {n}",
            created_at=NOW - timedelta(minutes=n),
            author=RemoteAuthor(remote_id=f"troll{n}", handle=f"troll{n}"),
            mentions=["FreeTheTen"],
            raw={"id": n},
        )
        for n in range(25)
    ]
    capture_live(campaign=campaign_a, items=items, network="mastodon", source="mentions")
    assert spikes.check_spikes("w", now=NOW) == 1
    alert = Alert.objects.get()
    assert alert.severity == "high"
    assert "@freetheten had 25 posts" in alert.matches[0]["explanation"]
    page = as_bob.get("/t/team-a/safety/alerts/").content.decode()
    assert "possible pile-on" in page
    assert "spike:mention" not in page  # the alert's internal name is not shown
    home = as_bob.get("/t/team-a/").content.decode()
    assert "1 safety alert is open" in home


def test_the_spike_step_runs_in_the_reading_lane(settings):
    assert "houseboat.listening.spikes.check_spikes" in settings.HOUSEBOAT_WORKER_LANES["reading"]

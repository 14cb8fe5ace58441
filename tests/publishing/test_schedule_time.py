"""Times entered in a person's own zone are stored in UTC, across DST changes too."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from houseboat.publishing import zones
from houseboat.publishing.constants import PostStatus
from houseboat.publishing.models import Delivery, Post
from houseboat.publishing.services import PublishingError

BERLIN = "Europe/Berlin"


def last_sunday(year: int, month: int) -> date:
    """The day the EU changes its clocks: the last Sunday of March or October."""
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


NEXT_YEAR = timezone.now().year + 1
SPRING = last_sunday(NEXT_YEAR, 3)  # 02:00 → 03:00 in Berlin
AUTUMN = last_sunday(NEXT_YEAR, 10)  # 03:00 → 02:00 in Berlin


def test_a_time_the_clocks_skip_is_refused_with_a_clear_message():
    with pytest.raises(PublishingError) as refused:
        zones.read_local(datetime(2026, 3, 29, 2, 30), BERLIN)
    message = str(refused.value)
    assert "2026-03-29 02:30 does not exist in Europe/Berlin" in message
    assert "the clocks jump forward" in message


def test_a_time_that_happens_twice_is_read_as_the_earlier_and_says_so():
    reading = zones.read_local(datetime(2026, 10, 25, 2, 30), BERLIN)

    assert reading.utc == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert "happens twice in Europe/Berlin" in reading.note
    assert "took the first one, 02:30 CEST (UTC+02:00)" in reading.note


def test_times_around_a_dst_change_keep_their_real_distance():
    before = zones.read_local(datetime(2026, 3, 29, 1, 30), BERLIN).utc
    after = zones.read_local(datetime(2026, 3, 29, 3, 30), BERLIN).utc
    assert (before, after) == (
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    )
    assert not zones.read_local(datetime(2026, 3, 29, 3, 30), BERLIN).note


def test_an_ordinary_time_is_stored_in_utc_without_a_note():
    reading = zones.read_local(datetime(2026, 7, 1, 9, 0), "America/Sao_Paulo")
    assert reading == zones.Reading(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))


def test_an_unknown_zone_is_named():
    with pytest.raises(PublishingError, match="“Mars/Olympus” is not a time zone"):
        zones.read_local(datetime(2026, 7, 1, 9, 0), "Mars/Olympus")


def test_a_datetime_local_value_is_read_and_nonsense_is_not():
    assert zones.parse_local("2026-03-29T02:30") == datetime(2026, 3, 29, 2, 30)
    assert zones.parse_local("tomorrow at nine") is None


# --- through the composer ----------------------------------------------------------------


def compose(client, campaign, *channels, at: str, zone: str = BERLIN, action: str = "save"):
    return client.post(
        "/t/team-a/publish/new/",
        {
            "text": "Vigil on Friday",
            "campaign": campaign.pk,
            "channels": [channel.pk for channel in channels],
            "when": "at",
            "at": at,
            "time_zone": zone,
            "action": action,
        },
    )


def test_the_composer_refuses_a_time_the_clocks_skip(as_bob, campaign_a, mastodon_channel):
    response = compose(as_bob, campaign_a, mastodon_channel, at=f"{SPRING}T02:30")

    assert response.status_code == 400
    assert f"{SPRING} 02:30 does not exist in Europe/Berlin" in response.content.decode()
    assert not Post.objects.exists()


def test_the_composer_schedules_a_repeated_time_at_the_first_and_tells_the_person(
    as_bob, campaign_a, mastodon_channel
):
    response = compose(
        as_bob, campaign_a, mastodon_channel, at=f"{AUTUMN}T02:30", action="schedule"
    )

    assert response.status_code == 302
    post = Post.objects.get()
    first = datetime.combine(AUTUMN, datetime.min.time(), tzinfo=UTC) + timedelta(minutes=30)
    assert post.scheduled_at == first  # 02:30 CEST is 00:30 UTC
    assert post.status == PostStatus.SCHEDULED
    assert set(Delivery.objects.values_list("due_at", flat=True)) == {first}
    told = [str(message) for message in get_messages(response.wsgi_request)]
    assert any("happens twice in Europe/Berlin" in message for message in told)


def test_a_time_entered_in_tokyo_is_due_at_that_moment_in_utc(as_bob, campaign_a, mastodon_channel):
    compose(
        as_bob,
        campaign_a,
        mastodon_channel,
        at=f"{NEXT_YEAR}-06-01T09:00",
        zone="Asia/Tokyo",
        action="schedule",
    )

    due = set(Delivery.objects.values_list("due_at", flat=True))
    assert due == {datetime(NEXT_YEAR, 6, 1, 0, 0, tzinfo=UTC)}


def test_the_zone_used_in_the_composer_is_remembered_for_the_next_page(
    as_bob, campaign_a, mastodon_channel
):
    compose(as_bob, campaign_a, mastodon_channel, at=f"{NEXT_YEAR}-06-01T09:00", zone="Asia/Tokyo")

    assert as_bob.session[zones.SESSION_KEY] == "Asia/Tokyo"
    page = as_bob.get("/t/team-a/publish/").content.decode()
    assert "Times are shown in Asia/Tokyo" in page


def test_a_time_that_has_passed_is_refused(as_bob, campaign_a, mastodon_channel):
    response = compose(as_bob, campaign_a, mastodon_channel, at="2020-01-01T09:00")

    assert response.status_code == 400
    assert "That time has already passed" in response.content.decode()


def test_the_zone_defaults_to_the_install_zone(as_bob, settings):
    settings.TIME_ZONE = "Africa/Nairobi"
    page = as_bob.get("/t/team-a/publish/new/").content.decode()
    assert '<option value="Africa/Nairobi" selected>' in page

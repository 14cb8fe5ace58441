"""Days at the ends of the calendar (0001-01-01, 9999-12-31) are refused with a message, on
the calendar, the Archive page and `houseboat search`, never answered with a crash."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

pytestmark = pytest.mark.django_db

CALENDAR = "/t/team-a/publish/calendar/"
ARCHIVE = reverse("listening:archive", kwargs={"team_slug": "team-a"})
EXTREMES = ["0001-01-01", "0001-01-02", "9999-12-31", "9999-12-25"]


@pytest.mark.parametrize("day", EXTREMES)
@pytest.mark.parametrize("view", ["week", "month"])
def test_the_calendar_refuses_a_day_at_the_end_of_time_with_a_message(as_victor, day, view):
    response = as_victor.get(CALENDAR, {"date": day, "view": view})

    assert response.status_code == 200
    page = response.content.decode()
    assert "The calendar shows days between 1900-01-01 and 2999-12-31" in page


def test_the_calendar_does_not_link_beyond_its_last_month(as_victor):
    page = as_victor.get(CALENDAR, {"date": "2999-12-31", "view": "month"}).content.decode()

    assert "December 2999" in page
    assert "date=3000-01-01" not in page


@pytest.mark.parametrize("field", ["since", "until"])
@pytest.mark.parametrize("day", EXTREMES)
def test_the_archive_search_refuses_a_day_at_the_end_of_time_in_the_form(
    as_victor, campaign_a, field, day
):
    response = as_victor.get(ARCHIVE, {field: day})

    assert response.status_code == 400
    assert "Choose a day between 1900-01-01 and 2999-12-31." in response.content.decode()


@pytest.mark.parametrize("option", ["--since", "--until"])
@pytest.mark.parametrize("day", EXTREMES)
def test_houseboat_search_refuses_a_day_at_the_end_of_time(campaign_a, option, day):
    with pytest.raises(CommandError, match="Choose a day between 1900-01-01 and 2999-12-31"):
        call_command("search", "--campaign", campaign_a.slug, option, day)

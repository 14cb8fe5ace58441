"""The calendar's week starts on the language's first day (issue 16): Saturday in Persian
and Arabic, Monday in French and houseboat's international English."""

from datetime import date

import pytest
from django.utils import translation

from houseboat.publishing import calendar as cal
from houseboat.publishing.queue_views import weekdays

CALENDAR = "/t/team-a/publish/calendar/"
SATURDAY, SUNDAY, MONDAY = 5, 6, 0  # as Python counts


@pytest.mark.parametrize(
    ("language", "first"),
    [("fa", SATURDAY), ("ar", SATURDAY), ("fr", MONDAY), ("en", MONDAY), ("es", MONDAY)],
)
def test_each_language_has_its_own_first_day_of_the_week(language, first):
    with translation.override(language):
        assert cal.first_day_of_week() == first


@pytest.mark.parametrize(
    ("language", "start"),
    [("fa", date(2026, 11, 28)), ("fr", date(2026, 11, 30)), ("en", date(2026, 11, 30))],
)
def test_a_week_starts_on_the_languages_first_day(language, start):
    with translation.override(language):
        view = cal.View.read({"date": "2026-12-02"}, "UTC")  # a Wednesday
    assert (view.start, view.end) == (start, date.fromordinal(start.toordinal() + 7))
    assert view.start <= view.anchor < view.end


def test_a_month_in_persian_runs_from_a_saturday_to_a_friday():
    with translation.override("fa"):
        view = cal.View.read({"view": "month", "date": "2026-12-15"}, "UTC")
    assert view.start == date(2026, 11, 28) and view.start.weekday() == SATURDAY
    assert view.end == date(2027, 1, 2) and (view.end - view.start).days % 7 == 0


def test_a_month_that_begins_on_the_first_day_shows_no_day_before_it():
    # 1 August 2026 is a Saturday: in Persian the month's first row starts on it.
    with translation.override("fa"):
        view = cal.View.read({"view": "month", "date": "2026-08-10"}, "UTC")
    assert view.start == date(2026, 8, 1)
    with translation.override("fr"):
        assert cal.View.read({"view": "month", "date": "2026-08-10"}, "UTC").start == date(
            2026, 7, 27
        )


def test_the_posting_times_grid_lists_the_days_in_the_languages_order():
    with translation.override("fa"):
        assert [n for n, _short, _name in weekdays()] == [5, 6, 0, 1, 2, 3, 4]
    with translation.override("fr"):
        assert [n for n, _short, _name in weekdays()] == [0, 1, 2, 3, 4, 5, 6]


def test_the_calendar_page_starts_the_week_on_saturday_for_a_persian_reader(bob, as_bob):
    bob.language = "fa"
    bob.save(update_fields=["language"])

    page = as_bob.get(CALENDAR, {"date": "2026-12-02", "tz": "UTC"})

    days = page.context["days"]
    assert [d.day.weekday() for d in days] == [SATURDAY, SUNDAY, 0, 1, 2, 3, 4]
    assert 'lang="fa" dir="rtl"' in page.content.decode()

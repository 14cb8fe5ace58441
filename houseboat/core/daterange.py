"""The days houseboat accepts from a person: wide enough for any campaign, far enough from
the ends of Python's calendar (years 1 and 9999) that a week or a time zone added to them
cannot overflow into a crash."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
OUT_OF_RANGE = _("Choose a day between 1900-01-01 and 2999-12-31.")


def in_range(day: date) -> bool:
    """Say whether a day lies within the range houseboat works with."""
    return EARLIEST <= day <= LATEST


def validate_day(day: date) -> None:
    """Refuse a day outside the range, for a form field's validators."""
    if day is not None and not in_range(day):
        raise ValidationError(OUT_OF_RANGE, code="out_of_range")

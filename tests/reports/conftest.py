from datetime import UTC, date, datetime

import pytest

from houseboat.reports.sections import Period

# The period every test reports on: November 2026, both ends included.
START, END = date(2026, 11, 1), date(2026, 11, 30)


def at(day: int, hour: int = 12, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def period() -> Period:
    return Period(START, END)

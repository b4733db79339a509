"""The period of an export, as the rules read it from the query string."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from deliberate.opendata.rules import Period, last_twelve_months, parse_period

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize("start, end, year, expected", [
    ("", "", "", Period(date(2025, 12, 4), TODAY)),
    ("2026-01-01", "", "", Period(date(2026, 1, 1), TODAY)),
    ("", "2025-06-30", "", Period(date(2024, 7, 1), date(2025, 6, 30))),
    ("2027-02-01", "", "", Period(date(2027, 2, 1), date(2027, 2, 1))),  # a day to come: that day alone
    (" 2025-03-01 ", "2025-03-01", "", Period(date(2025, 3, 1), date(2025, 3, 1))),
    ("", "", "2025", Period(date(2025, 1, 1), date(2025, 12, 31))),
    ("", "", " 1900 ", Period(date(1900, 1, 1), date(1900, 12, 31))),
])
def test_a_period_is_read_from_from_to_or_a_year(start, end, year, expected):
    assert parse_period(start, end, year, TODAY) == (expected, {})


@pytest.mark.parametrize("start, end, year, field", [
    ("2025-02-30", "", "", "from"), ("tomorrow", "", "", "from"), ("", "2025/01/01", "", "to"),
    ("2025-05-02", "2025-05-01", "", "from"), ("", "", "２０２５", "year"), ("", "", "99999", "year"),
    ("", "", "1899", "year"), ("2025-01-01", "", "2025", "year"), ("0001-01-01", "", "", "from"),
    ("", "9999-12-31", "", "to"),
])
def test_a_bad_period_is_refused_by_its_field(start, end, year, field):
    found, errors = parse_period(start, end, year, TODAY)
    assert found is None and list(errors) == [field] and errors[field]


def test_the_twelve_months_before_a_leap_day_and_the_bounds_in_utc():
    assert last_twelve_months(date(2028, 2, 29)) == Period(date(2027, 3, 1), date(2028, 2, 29))
    first, after = Period(date(2025, 1, 1), date(2025, 12, 31)).bounds(ZoneInfo("Asia/Shanghai"))
    assert (first, after) == (datetime(2024, 12, 31, 16, tzinfo=UTC), datetime(2025, 12, 31, 16, tzinfo=UTC))

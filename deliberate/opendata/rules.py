"""The period an export covers: from–to in local dates (both days included), or a calendar year; by default
the twelve months up to today. Pure functions: the request's words in, a period or the problems out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from deliberate.i18n import gettext as _

FIRST_YEAR, LAST_YEAR = 1900, 9998  # a day's bounds in UTC stay within what datetime holds


@dataclass(frozen=True)
class Period:
    start: date  # the first day included
    end: date  # the last day included

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[first moment, moment after the last day) in UTC, for the columns that hold times."""
        first = datetime.combine(self.start, time(0), zone).astimezone(UTC)
        after = datetime.combine(self.end + timedelta(days=1), time(0), zone).astimezone(UTC)
        return first, after

    def as_params(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def last_twelve_months(today: date) -> Period:
    """From the day after the same date a year ago, to today."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return Period(year_ago + timedelta(days=1), today)


def _day(raw: str) -> date | str:
    """The date, or the problem with it."""
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        return _("日期应写成 年-月-日，例如 2025-01-31。")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return _("日期应在 %(first)s 年到 %(last)s 年之间。", first=FIRST_YEAR, last=LAST_YEAR)
    return day


def _year(raw: str) -> Period | str:
    text = raw.strip()
    if not (text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR):
        return _("年份应是 %(first)s 到 %(last)s 之间的四位数字。", first=FIRST_YEAR, last=LAST_YEAR)
    year = int(text)
    return Period(date(year, 1, 1), date(year, 12, 31))


def parse_period(raw_from: str, raw_to: str, raw_year: str, today: date) -> tuple[Period | None, dict[str, str]]:
    """(the period, {}) or (None, problems by field: "from", "to", "year")."""
    if raw_year.strip():
        if raw_from.strip() or raw_to.strip():
            return None, {"year": _("请只填年份，或只填起止日期。")}
        year = _year(raw_year)
        return (year, {}) if isinstance(year, Period) else (None, {"year": year})
    start = _day(raw_from) if raw_from.strip() else None
    end = _day(raw_to) if raw_to.strip() else None
    errors = {key: value for key, value in (("from", start), ("to", end)) if isinstance(value, str)}
    if errors:
        return None, errors
    assert not isinstance(start, str) and not isinstance(end, str)
    if end is None:
        end = today if start is None or start <= today else start
    if start is None:
        start = last_twelve_months(end).start
    if start > end:
        return None, {"from": _("开始日期不能晚于结束日期。")}
    return Period(start, end), {}

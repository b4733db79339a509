"""The period a statistics page covers: a year, a quarter, a month, a custom from–to, or the last 12 months.

Pure: dates in, dates out. Days are Beijing days (Asia/Shanghai, where every place is); the database is asked
for what falls between the first day's midnight and the midnight after the last day, in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # what a period may name; anything else is a typing mistake
MAX_DAYS = 366 * 20  # the longest custom period


class Kind(StrEnum):
    LAST_12_MONTHS = "last12"
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"
    CUSTOM = "custom"


class BadPeriod(ValueError):
    """A period that cannot be read; `field` names the query parameter (the handler answers 400)."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class Period:
    kind: Kind
    first: date  # the first day
    last: date  # the last day, included

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first, time(), SHANGHAI).astimezone(UTC)

    @property
    def ends_at(self) -> datetime:
        """The midnight after the last day: what the period holds is before it."""
        return datetime.combine(self.last + timedelta(days=1), time(), SHANGHAI).astimezone(UTC)

    @property
    def code(self) -> str:
        """How the query string names it: "2026", "2026-Q3", "2026-07"; empty for the default and custom ones."""
        if self.kind is Kind.YEAR:
            return f"{self.first.year}"
        if self.kind is Kind.QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind is Kind.MONTH:
            return f"{self.first:%Y-%m}"
        return ""

    def as_params(self) -> dict[str, str]:
        if self.kind is Kind.CUSTOM:
            return {"from": self.first.isoformat(), "to": self.last.isoformat()}
        return {"period": self.code} if self.code else {}

    def months(self) -> list[str]:
        """Every month the period touches, "YYYY-MM", in order: the charts' columns."""
        found, month = [], self.first.replace(day=1)
        while month <= self.last:
            found.append(f"{month:%Y-%m}")
            month = (month + timedelta(days=32)).replace(day=1)
        return found


def last_12_months(today: date) -> Period:
    """From the day after this day a year ago to today: twelve whole months ending today."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return Period(Kind.LAST_12_MONTHS, year_ago + timedelta(days=1), today)


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _year(text: str) -> int:
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadPeriod("period")
    return year


def named(code: str) -> Period:
    """"2026" (a year), "2026-Q3" (a quarter) or "2026-07" (a month); BadPeriod("period") otherwise."""
    code = code.strip().upper()
    if re.fullmatch(r"[0-9]{4}", code):
        year = _year(code)
        return Period(Kind.YEAR, date(year, 1, 1), date(year, 12, 31))
    if found := re.fullmatch(r"([0-9]{4})-Q([1-4])", code):
        year, quarter = _year(found[1]), int(found[2])
        return Period(Kind.QUARTER, date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
    if (found := re.fullmatch(r"([0-9]{4})-([0-9]{2})", code)) and 1 <= int(found[2]) <= 12:
        year, month = _year(found[1]), int(found[2])
        return Period(Kind.MONTH, date(year, month, 1), _month_end(year, month))
    raise BadPeriod("period")


def _day(text: str, field: str) -> date:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        raise BadPeriod(field)
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadPeriod(field) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadPeriod(field)
    return day


def parse(today: date, *, period: str = "", first: str = "", last: str = "") -> Period:
    """The period the query string asks for (`period`, or `from` and `to`); the last 12 months when it asks none."""
    if first or last:
        start, end = _day(first, "from"), _day(last, "to")
        if end < start or (end - start).days > MAX_DAYS:
            raise BadPeriod("to")
        return Period(Kind.CUSTOM, start, end)
    if period.strip() and period.strip() != Kind.LAST_12_MONTHS.value:
        return named(period)
    return last_12_months(today)


def choices(today: date) -> list[Period]:
    """The periods offered as links: the last 12 months, this year and last, this quarter and the one before,
    this month and the one before."""
    quarter = (today.month - 1) // 3 + 1
    before_quarter = f"{today.year}-Q{quarter - 1}" if quarter > 1 else f"{today.year - 1}-Q4"
    month_ago = today.replace(day=1) - timedelta(days=1)
    codes = [f"{today.year}", f"{today.year - 1}", f"{today.year}-Q{quarter}", before_quarter,
             f"{today:%Y-%m}", f"{month_ago:%Y-%m}"]
    return [last_12_months(today), *(named(code) for code in codes)]

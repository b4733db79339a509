"""What time it is: the one clock that rules, actions and the ticker ask.

Tests move it (`travel`, `freeze`) instead of sleeping or editing timestamps; everything else reads
`utcnow()`. The clock is process-wide, so a test that moves it moves it for every thread of the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

_offset = timedelta(0)
_frozen: datetime | None = None


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC) + _offset


def moved() -> tuple[timedelta, datetime | None]:
    """How tests have moved the clock: part of what a cached page depends on (web/page_cache.py)."""
    return _offset, _frozen


@contextmanager
def travel(delta: timedelta) -> Iterator[None]:
    """Run with the clock moved `delta` ahead (or back), still ticking."""
    global _offset
    before = _offset
    _offset = before + delta
    try:
        yield
    finally:
        _offset = before


@contextmanager
def freeze(moment: datetime) -> Iterator[None]:
    """Run with the clock stopped at `moment` (an aware time)."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; use aware times")
    before = _frozen
    _frozen = moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = before

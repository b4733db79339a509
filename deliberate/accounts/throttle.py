"""Repeated failed logins are throttled per account *and address*, with a growing wait, and per address.

Failures for one account from one address make that address wait before trying the account again: a
minute after the fifth, then two, four, … up to the window. The same account from another address (its
owner at home) is not held up by them. Failures from one address across every account are limited too, so
one machine cannot spray guesses at many accounts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from deliberate.accounts.models import LoginFailure
from deliberate.clock import utcnow


def pair_key(username: str, address: str) -> str:
    return "pair:" + username.strip().lower()[:60] + "|" + address[:50]


def address_key(address: str) -> str:
    return "addr:" + address[:100]


def _failures(session: Session, key: str, since: datetime) -> tuple[int, datetime | None]:
    """How many failures under `key` since then, and the latest."""
    count, latest = session.exec(
        select(func.count(), func.max(LoginFailure.at)).where(col(LoginFailure.key) == key, LoginFailure.at >= since)
    ).one()
    return int(count), latest


def backoff(failures: int, allowed: int, window: timedelta) -> timedelta:
    """The wait after the `failures`-th failure: none below `allowed`, then a minute, doubling, up to `window`."""
    if failures < allowed:
        return timedelta(0)
    return min(window, timedelta(minutes=2 ** (failures - allowed)))


def is_throttled(
    session: Session, *, username: str, address: str, window: timedelta, per_account: int, per_address: int,
    now: datetime | None = None,
) -> bool:
    now = now or utcnow()
    count, latest = _failures(session, pair_key(username, address), now - window)
    if latest is not None and now < latest + backoff(count, per_account, window):
        return True
    return _failures(session, address_key(address), now - window)[0] >= per_address


def record_failure(session: Session, *, username: str, address: str) -> None:
    session.add(LoginFailure(key=pair_key(username, address)))
    session.add(LoginFailure(key=address_key(address)))


def clear_account(session: Session, username: str, address: str) -> None:
    session.exec(delete(LoginFailure).where(col(LoginFailure.key) == pair_key(username, address)))


def purge_older_than(session: Session, window: timedelta, *, now: datetime | None = None) -> None:
    session.exec(delete(LoginFailure).where(col(LoginFailure.at) < (now or utcnow()) - window))

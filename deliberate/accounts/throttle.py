"""Repeated failed logins for one account or from one address are throttled."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from deliberate.accounts.models import LoginFailure
from deliberate.clock import utcnow


def account_key(username: str) -> str:
    return "user:" + username.strip().lower()[:100]


def address_key(address: str) -> str:
    return "addr:" + address[:100]


def recent_failures(session: Session, key: str, window: timedelta) -> int:
    since = utcnow() - window
    return session.exec(
        select(func.count()).select_from(LoginFailure).where(col(LoginFailure.key) == key, LoginFailure.at >= since)
    ).one()


def is_throttled(
    session: Session, *, username: str, address: str, window: timedelta, per_account: int, per_address: int
) -> bool:
    if recent_failures(session, account_key(username), window) >= per_account:
        return True
    return recent_failures(session, address_key(address), window) >= per_address


def record_failure(session: Session, *, username: str, address: str) -> None:
    session.add(LoginFailure(key=account_key(username)))
    session.add(LoginFailure(key=address_key(address)))


def clear_account(session: Session, username: str) -> None:
    session.exec(delete(LoginFailure).where(col(LoginFailure.key) == account_key(username)))


def purge_older_than(session: Session, window: timedelta, *, now: datetime | None = None) -> None:
    session.exec(delete(LoginFailure).where(col(LoginFailure.at) < (now or utcnow()) - window))

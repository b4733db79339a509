"""Logged-in sessions, kept in the database so that logging out or changing the password ends them at once on
every server process. The browser holds a random token; only its SHA-256 is stored here, next to the account.

Nothing else about the browser is stored: an anonymous visitor has no row at all, and the messages shown after
a form (flashes) and the CSRF seed travel in the signed cookie (see `deliberate.web.sessions`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select, update

from deliberate.accounts.models import WebSession
from deliberate.clock import utcnow

TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most this often


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find(session: Session, token: str) -> WebSession | None:
    return session.get(WebSession, digest(token))


def is_live(record: WebSession, *, now: datetime, idle: timedelta, absolute: timedelta) -> bool:
    """Not idle too long and not older than its absolute lifetime, however active."""
    return now - record.last_seen_at <= idle and now - record.created_at <= absolute


def is_stale(record: WebSession, now: datetime) -> bool:
    """Its last-seen time is worth writing again."""
    return now - record.last_seen_at > TOUCH_EVERY


def do_start(session: Session, user_id: int) -> tuple[str, WebSession]:
    """A new session for this account: the token for the cookie, and the record stored under its digest."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    record = WebSession(id=digest(token), user_id=user_id, created_at=now, last_seen_at=now)
    session.add(record)
    session.flush()
    return token, record


def do_touch(session: Session, record_id: str, now: datetime) -> None:
    session.exec(update(WebSession).where(col(WebSession.id) == record_id).values(last_seen_at=now))


def do_end(session: Session, record_id: str) -> None:
    session.exec(delete(WebSession).where(col(WebSession.id) == record_id))


def do_end_all_for_user(session: Session, user_id: int, *, keep: str | None = None) -> int:
    """End every session of this account (but `keep`), in the caller's transaction."""
    ids = session.exec(select(WebSession.id).where(WebSession.user_id == user_id)).all()
    doomed = [i for i in ids if i != keep]
    if doomed:
        session.exec(delete(WebSession).where(col(WebSession.id).in_(doomed)))
    return len(doomed)


def purge_expired(session: Session, *, idle: timedelta, absolute: timedelta, now: datetime | None = None) -> int:
    now = now or utcnow()
    result = session.exec(
        delete(WebSession).where(
            (col(WebSession.last_seen_at) < now - idle) | (col(WebSession.created_at) < now - absolute)
        )
    )
    return result.rowcount or 0

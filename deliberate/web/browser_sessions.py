"""Server-side browser sessions: the signed cookie carries only a random id.

The record lives in the database under the SHA-256 of that id, so logging out or changing the
password ends the session at once on every server process.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlmodel import Session, delete, select
from starlette.requests import Request

from deliberate.accounts.models import WebSession
from deliberate.clock import utcnow

COOKIE_KEY = "sid"
TOUCH_EVERY = timedelta(seconds=60)
_CACHE = "browser_session"


@contextmanager
def _writing(request: Request) -> Iterator[Session]:
    """Writes through the request's own writer when it has one: on SQLite a second writer
    would wait for the lock the first one holds."""
    own = request.state._state.get("db_session")
    if own is not None and request.method not in {"GET", "HEAD"}:
        yield own
        own.commit()
        return
    with request.app.state.db.writing() as session:
        yield session


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _expired(record: WebSession, request: Request) -> bool:
    settings = request.app.state.settings
    now = utcnow()
    if now - record.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
        return True
    return now - record.created_at > timedelta(hours=settings.session_absolute_hours)


def current(request: Request) -> WebSession | None:
    """This browser's live session record, or None."""
    if _CACHE in request.state._state:
        return request.state._state[_CACHE]
    record = _load(request)
    request.state._state[_CACHE] = record
    return record


def _load(request: Request) -> WebSession | None:
    token = request.session.get(COOKIE_KEY)
    if not isinstance(token, str):
        return None
    database = request.app.state.db
    with database.session() as session:
        record = session.get(WebSession, _digest(token))
    if record is None:
        request.session.clear()
        return None
    if _expired(record, request):
        with _writing(request) as session:
            session.exec(delete(WebSession).where(WebSession.id == record.id))
        request.session.clear()
        return None
    if utcnow() - record.last_seen_at > TOUCH_EVERY:
        with _writing(request) as session:
            fresh = session.get(WebSession, record.id)
            if fresh is not None:
                fresh.last_seen_at = utcnow()
                session.add(fresh)
                record = fresh
    return record


def ensure(request: Request) -> WebSession:
    """This browser's session, starting an anonymous one if it has none (for CSRF, flashes)."""
    record = current(request)
    if record is None:
        record = _start(request, user_id=None)
    return record


def _start(request: Request, *, user_id: int | None) -> WebSession:
    token = secrets.token_urlsafe(32)
    record = WebSession(id=_digest(token), user_id=user_id, csrf_token=secrets.token_urlsafe(32))
    with _writing(request) as session:
        session.add(record)
    request.session.clear()
    request.session[COOKIE_KEY] = token
    request.state._state[_CACHE] = record
    return record


def start_for_user(request: Request, user_id: int) -> WebSession:
    """Log in: a new id replaces the old one (no fixation); pending flashes carry over."""
    old = current(request)
    flashes = old.flashes if old else "[]"
    if old is not None:
        with _writing(request) as session:
            session.exec(delete(WebSession).where(WebSession.id == old.id))
    record = _start(request, user_id=user_id)
    if flashes != "[]":
        _save_flashes(request, record, json.loads(flashes))
    return record


def end(request: Request) -> None:
    record = current(request)
    if record is not None:
        with _writing(request) as session:
            session.exec(delete(WebSession).where(WebSession.id == record.id))
    request.session.clear()
    request.state._state[_CACHE] = None


def end_all_for_user(session: Session, user_id: int, *, keep: str | None = None) -> int:
    """End every session of this account (but `keep`), in the caller's transaction."""
    ids = session.exec(select(WebSession.id).where(WebSession.user_id == user_id)).all()
    doomed = [i for i in ids if i != keep]
    if doomed:
        session.exec(delete(WebSession).where(WebSession.id.in_(doomed)))  # type: ignore[attr-defined]
    return len(doomed)


def add_flash(request: Request, category: str, message: str) -> None:
    record = ensure(request)
    _save_flashes(request, record, [*json.loads(record.flashes), [category, message]])


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    record = current(request)
    if record is None or record.flashes == "[]":
        return []
    pending = [(c, m) for c, m in json.loads(record.flashes)]
    _save_flashes(request, record, [])
    return pending


def _save_flashes(request: Request, record: WebSession, flashes: list) -> None:
    text = json.dumps(flashes, ensure_ascii=False)
    with _writing(request) as session:
        fresh = session.get(WebSession, record.id)
        if fresh is not None:
            fresh.flashes = text
            session.add(fresh)
    record.flashes = text


def purge_expired(session: Session, *, idle: timedelta, absolute: timedelta, now: datetime | None = None) -> int:
    now = now or utcnow()
    result = session.exec(
        delete(WebSession).where(
            (WebSession.last_seen_at < now - idle) | (WebSession.created_at < now - absolute)
        )
    )
    return result.rowcount or 0

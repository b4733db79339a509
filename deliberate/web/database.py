"""A request's database sessions: one to read, and at most one transaction that writes, committed once.

Who is asking (the login, the account, its roles) is always read through `reader`, so that a form's
slow work (checking a password, reading photos) happens before the write transaction begins: on SQLite
that transaction holds the only write lock. `writer` begins when first used and is committed by the
request boundary (`unit_of_work`) after the handler returns, or rolled back if it raises. GET and HEAD
have no writer at all, and their reader is never committed: a page view cannot change the database.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from deliberate.accounts import sessions
from deliberate.audit import recording
from deliberate.clock import utcnow
from deliberate.db import Database

T = TypeVar("T")
SAFE_METHODS = frozenset({"GET", "HEAD"})
_READER = "db_reader"
_WRITER = "db_writer"
_TOUCH = "touch_session"


def memo(request: Request, key: str, make: Callable[[], T]) -> T:
    """What `make` gives, made once per request and kept on it."""
    state = request.state._state
    if key not in state:
        state[key] = make()
    value: T = state[key]
    return value


def reader(request: Request) -> Session:
    return memo(request, _READER, lambda: _database(request).session())


def writer(request: Request) -> Session:
    """The request's write transaction (BEGIN IMMEDIATE on SQLite, at its first statement)."""
    if request.method in SAFE_METHODS:
        raise RuntimeError(f"{request.method} {request.url.path} tried to write: page views never write")
    return memo(request, _WRITER, lambda: _open_writer(request))


def _open_writer(request: Request) -> Session:
    session = _database(request).session(write=True)
    # Whose change this is, for the audit log; asked only if the transaction changes what it records.
    session.info[recording.ACTOR] = lambda: request.app.state.acting_user(request)
    return session


def _database(request: Request) -> Database:
    database: Database = request.app.state.db
    return database


def db(request: Request) -> Session:
    """What the handler reads and writes through: the writer for a form, the reader for a page."""
    return reader(request) if request.method in SAFE_METHODS else writer(request)


def touch_later(request: Request, record_id: str | None) -> None:
    """Have the boundary write this login's last-seen time (or nothing, with None) when the request is done."""
    if record_id is None:
        request.state._state.pop(_TOUCH, None)
    else:
        request.state._state[_TOUCH] = record_id


def unit_of_work(endpoint: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """The request boundary: commit the handler's one transaction when it returns, roll it back if it raises."""

    @functools.wraps(endpoint)
    def handler(request: Request) -> Response:
        try:
            response = endpoint(request)
        except BaseException:
            _rollback(request)
            raise
        _commit(request)
        return response

    return handler


def _commit(request: Request) -> None:
    touch = request.state._state.get(_TOUCH)
    own = request.state._state.get(_WRITER)
    if own is not None:
        if touch:
            sessions.do_touch(own, touch, utcnow())
        own.commit()
    elif touch:
        with _database(request).writing() as session:  # the one write a page view may make
            sessions.do_touch(session, touch, utcnow())


def _rollback(request: Request) -> None:
    own = request.state._state.get(_WRITER)
    if own is not None:
        own.rollback()


def is_open(state: dict[str, Any]) -> bool:
    return _READER in state or _WRITER in state


def close(state: dict[str, Any]) -> None:
    """Called once the response is sent: every session of the request goes back to the pool."""
    for key in (_WRITER, _READER):
        session = state.pop(key, None)
        if session is not None:
            session.close()

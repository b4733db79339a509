"""Who is making this request, and the checks handlers make before they act."""

from __future__ import annotations

from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request

from deliberate.accounts.models import User
from deliberate.accounts.people import Person, load_person
from deliberate.places.models import Place
from deliberate.policy import Act, may
from deliberate.web import sessions
from deliberate.web.database import db, memo, reader

__all__ = ["LoginRequired", "current_person", "current_user", "db", "ensure", "login_url", "require_person",
           "require_user"]

_USER = "current_user"
_PERSON = "current_person"


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def current_user(request: Request) -> User | None:
    return memo(request, _USER, lambda: _load_user(request))


def _load_user(request: Request) -> User | None:
    record = sessions.current(request)
    if record is None or record.user_id is None:
        return None
    user = reader(request).get(User, record.user_id)
    return user if user is not None and user.is_active else None


def acting_user_id(request: Request) -> int | None:
    """The account behind this request's changes (the audit log's actor)."""
    user = current_user(request)
    return user.id if user is not None else None


def current_person(request: Request) -> Person | None:
    user = current_user(request)
    return memo(request, _PERSON, lambda: None if user is None else load_person(reader(request), user))


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise LoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return user


def require_person(request: Request) -> Person:
    require_user(request)
    person = current_person(request)
    assert person is not None
    return person


def ensure(request: Request, act: Act, place: Place) -> Person | None:
    """Refuse with 403 (or send to login) unless the policy allows this act here."""
    person = current_person(request)
    if may(person, act, place):
        return person
    if person is None:
        require_user(request)
    raise HTTPException(403)


def login_url(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")

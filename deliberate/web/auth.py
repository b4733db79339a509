"""Who is making this request, and the checks handlers make before they act."""

from __future__ import annotations

from urllib.parse import quote

from sqlmodel import Session, select
from starlette.exceptions import HTTPException
from starlette.requests import Request

from deliberate.accounts.models import ClaimStatus, ResidencyClaim, RoleGrant, User
from deliberate.places.models import Household, Place
from deliberate.policy import Act, Grant, Person, may
from deliberate.web import browser_sessions

_USER = "current_user"
_PERSON = "current_person"


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def db(request: Request) -> Session:
    """The request's database session; unsafe requests get one that writes (BEGIN IMMEDIATE)."""
    state = request.state._state
    session = state.get("db_session")
    if session is None:
        session = request.app.state.db.session(write=request.method not in {"GET", "HEAD"})
        state["db_session"] = session
    return session


def current_user(request: Request) -> User | None:
    state = request.state._state
    if _USER not in state:
        record = browser_sessions.current(request)
        user = None
        if record is not None and record.user_id is not None:
            user = db(request).get(User, record.user_id)
            if user is not None and not user.is_active:
                user = None
        state[_USER] = user
    return state[_USER]


def load_person(session: Session, user: User) -> Person:
    grants = session.exec(
        select(RoleGrant.role, Place.path).join(Place, Place.id == RoleGrant.place_id)
        .where(RoleGrant.user_id == user.id)
    ).all()
    homes = session.exec(
        select(Place.path)
        .join(Household, Household.building_id == Place.id)
        .join(ResidencyClaim, ResidencyClaim.household_id == Household.id)
        .where(ResidencyClaim.user_id == user.id, ResidencyClaim.status == ClaimStatus.APPROVED)
    ).all()
    assert user.id is not None
    return Person(
        user_id=user.id,
        grants=tuple(Grant(role, path) for role, path in grants),
        home_paths=tuple(sorted(set(homes))),
    )


def current_person(request: Request) -> Person | None:
    state = request.state._state
    if _PERSON not in state:
        user = current_user(request)
        state[_PERSON] = None if user is None else load_person(db(request), user)
    return state[_PERSON]


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

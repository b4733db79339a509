"""Loading what a URL names: absent, malformed or out of range is a 404, never a 500; and the one call through
which a handler loads an object and proves this person may act on it (each domain's `access_*`)."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlmodel import Session
from starlette.requests import Request

from deliberate.accounts.people import Person
from deliberate.db import MAX_ID, get_or_refuse, parse_id
from deliberate.web.auth import current_person
from deliberate.web.database import SAFE_METHODS, db

__all__ = ["MAX_ID", "accessed", "get_or_404", "parse_id"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Access(Protocol[T_co]):
    def __call__(self, session: Session, person: Person | None, ident: Any, need: Any, *,
                 for_update: bool = False) -> T_co: ...


def get_or_404(session: Session, model: type[T], raw: Any, detail: str | None = None) -> T:
    return get_or_refuse(session, model, raw, detail or "")


def accessed(request: Request, access: Access[T], need: Any = None, *, key: str = "id") -> T:
    """What the URL's `key` names, loaded by `access` for this person and `need`. A form locks its row for the
    request's transaction (SELECT … FOR UPDATE), so that two requests cannot both act on what they read."""
    return access(db(request), current_person(request), request.path_params.get(key), need,
                  for_update=request.method not in SAFE_METHODS)

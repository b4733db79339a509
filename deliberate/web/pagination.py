"""Numbered pages for short lists: the page number a request asks for."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request

from deliberate import db
from deliberate.db import Page
from deliberate.i18n import gettext as _
from deliberate.numbers import digits

__all__ = ["Page", "page_number", "paginate"]


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not digits(raw) or int(raw) < 1 or int(raw) > 1_000_000:
        raise HTTPException(400, _("页码无效：%(page)s", page=raw[:20]))
    return int(raw)


def paginate(session: Session, statement: Any, request: Request) -> Page[Any]:
    return db.paginate(session, statement, number=page_number(request), size=request.app.state.settings.page_size)

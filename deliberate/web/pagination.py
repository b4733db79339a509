"""Numbered pages for short lists (registers, queues)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func
from sqlmodel import Session, select
from starlette.exceptions import HTTPException
from starlette.requests import Request

from deliberate.i18n import gettext as _

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def as_json(self) -> dict[str, int]:
        return {"page": self.number, "pages": self.pages, "size": self.size, "total": self.total}


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or int(raw) > 1_000_000:
        raise HTTPException(400, _("页码无效：%(page)s", page=raw[:20]))
    return int(raw)


def paginate(session: Session, statement: Any, request: Request) -> Page[Any]:
    size = request.app.state.settings.page_size
    number = page_number(request)
    total = session.exec(select(func.count()).select_from(statement.order_by(None).subquery())).one()
    items = list(session.exec(statement.limit(size).offset((number - 1) * size)).all())
    return Page(items=items, number=number, size=size, total=total)

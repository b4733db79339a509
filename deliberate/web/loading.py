"""Loading a row named in a URL or form: absent, malformed or out of range is a 404, never a 500."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session
from starlette.exceptions import HTTPException

T = TypeVar("T")
MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER; a larger number would be a database error, not a miss


def parse_id(raw: Any) -> int | None:
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.isdigit() and len(raw) <= 10:
        value = int(raw)
    else:
        return None
    return value if 0 < value <= MAX_ID else None


def get_or_404(session: Session, model: type[T], raw: Any, detail: str | None = None) -> T:
    ident = parse_id(raw)
    row = session.get(model, ident) if ident is not None else None
    if row is None:
        raise HTTPException(404, detail)
    return row

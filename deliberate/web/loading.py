"""Loading a row named in a URL or form: absent, malformed or out of range is a 404, never a 500."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session

from deliberate.db import MAX_ID, get_or_refuse, parse_id

__all__ = ["MAX_ID", "get_or_404", "parse_id"]

T = TypeVar("T")


def get_or_404(session: Session, model: type[T], raw: Any, detail: str | None = None) -> T:
    return get_or_refuse(session, model, raw, detail or "")

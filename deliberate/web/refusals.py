"""Turning a domain's refusal into the answer a person sees: its status (409 unless it says) and its sentence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from deliberate.web.auth import db


def as_http(error: Exception) -> HTTPException:
    """Refusals carry `message` and `status` (ProposalError, MeetingError, …) or a `reason` (IllegalTransition)."""
    message = getattr(error, "message", None) or getattr(error, "reason", None) or None
    return HTTPException(getattr(error, "status", 409), message)


def attempt(request: Request, step: Callable[[], Any], *refusals: type[Exception]) -> Any:
    """Run one action; a refusal rolls back whatever it began and answers with its reason."""
    try:
        return step()
    except refusals as error:
        db(request).rollback()
        raise as_http(error) from None

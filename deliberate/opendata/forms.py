"""The period asked for in the query string (`from`, `to`, or `year`), read by the rules."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request

from deliberate.opendata.rules import Period, parse_period
from deliberate.refusal import Invalid

MAX_TYPED = 20  # longer is no date


def typed(request: Request) -> dict[str, str]:
    return {key: request.query_params.get(key, "")[:MAX_TYPED] for key in ("from", "to", "year")}


def period(request: Request, today: date) -> tuple[Period | None, dict[str, str], dict[str, str]]:
    """(the period or None, what was typed, the problems by field)."""
    values = typed(request)
    found, errors = parse_period(values["from"], values["to"], values["year"], today)
    return found, values, errors


def period_or_refuse(request: Request, today: date) -> Period:
    """The period, or 422 with the first problem in the reader's language."""
    found, _values, errors = period(request, today)
    if found is None:
        raise Invalid(next(iter(errors.values())))
    return found

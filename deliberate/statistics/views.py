"""Statistics pages: the whole deployment's and each place's (with the places inside it), and their `.json` twins."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.clock import utcnow
from deliberate.policy.access import access_place
from deliberate.statistics import forms, report
from deliberate.web.auth import db
from deliberate.web.loading import accessed
from deliberate.web.responses import public_routes, render


def deployment(request: Request) -> Response:
    period = forms.period_of(request)
    return render(request, "statistics/page.html", report.statistics_page(db(request), None, period, utcnow()))


def place(request: Request) -> Response:
    where = accessed(request, access_place)
    period = forms.period_of(request)
    return render(request, "statistics/page.html", report.statistics_page(db(request), where, period, utcnow()))


routes: list[Route] = [
    *public_routes("/statistics", deployment, "deployment"),
    *public_routes("/places/{id:int}/statistics", place, "place"),
]

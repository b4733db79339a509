"""The staff tracking page (督办) of a place and its CSV export. Not public: no `.json` twin."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.clock import utcnow
from deliberate.policy import Act
from deliberate.policy.access import access_place
from deliberate.proposals import queries, tracking
from deliberate.web.auth import db
from deliberate.web.loading import accessed
from deliberate.web.responses import render


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def page(request: Request) -> Response:
    place = accessed(request, access_place, Act.TRACK_PROPOSALS)
    return render(request, "proposals/tracking.html", queries.tracking_page(db(request), place, utcnow(),
                                                                           _zone(request)))


def export(request: Request) -> Response:
    place = accessed(request, access_place, Act.TRACK_PROPOSALS)
    found = tracking.tracking(db(request), place, utcnow(), zone=_zone(request))
    return Response(
        tracking.to_csv(found.rows, zone=_zone(request)).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{tracking.csv_filename(place, found.today)}"',
                 "Cache-Control": "no-store"},
    )


routes = [
    Route("/places/{id:int}/tracking", page, methods=["GET"], name="page"),
    Route("/places/{id:int}/tracking.csv", export, methods=["GET"], name="csv"),
]

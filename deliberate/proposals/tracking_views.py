"""The staff tracking page (督办) of a place and its CSV export. Not public: no `.json` twin."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from deliberate.clock import utcnow
from deliberate.policy import Act
from deliberate.policy.access import access_place
from deliberate.proposals import forms, queries, tracking
from deliberate.web.auth import db
from deliberate.web.loading import accessed
from deliberate.web.responses import render


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def page(request: Request) -> Response:
    place = accessed(request, access_place, Act.TRACK_PROPOSALS)
    found = queries.tracking_page(db(request), place, utcnow(), _zone(request), path=request.url.path,
                                  pages=forms.tracking_pages(request.query_params))
    return render(request, "proposals/tracking.html", found)


def export(request: Request) -> Response:
    """Every row, streamed: read from the request's reading session in chunks while the response is sent."""
    place = accessed(request, access_place, Act.TRACK_PROPOSALS)
    now, zone = utcnow(), _zone(request)
    rows = tracking.every_row(db(request), place, now, zone=zone)
    filename = tracking.csv_filename(place, now.astimezone(zone).date())
    return StreamingResponse(
        (chunk.encode("utf-8") for chunk in tracking.csv_chunks(rows, zone=zone)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


routes = [
    Route("/places/{id:int}/tracking", page, methods=["GET"], name="page"),
    Route("/places/{id:int}/tracking.csv", export, methods=["GET"], name="csv"),
]

"""The staff tracking page (督办) of a place and its CSV export. Not public: no `.json` twin."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.clock import utcnow
from deliberate.places import actions as places
from deliberate.places.models import Place
from deliberate.policy import Act
from deliberate.proposals import tracking
from deliberate.web.auth import db, ensure
from deliberate.web.loading import get_or_404
from deliberate.web.responses import render


def _tracked(request: Request) -> tuple[Place, tracking.Tracking, ZoneInfo]:
    session = db(request)
    place = get_or_404(session, Place, request.path_params["id"])
    ensure(request, Act.TRACK_PROPOSALS, place)
    zone = ZoneInfo(request.app.state.settings.timezone)
    return place, tracking.tracking(session, place, utcnow(), zone=zone), zone


def page(request: Request) -> Response:
    place, found, _zone = _tracked(request)
    return render(request, "proposals/tracking.html", {
        "place": place, "trail": places.ancestors(db(request), place), "tracking": found,
        "labels": tracking.section_labels(), "Section": tracking.Section,
    })


def export(request: Request) -> Response:
    place, found, zone = _tracked(request)
    filename = tracking.csv_filename(place, found.today)
    return Response(
        tracking.to_csv(found.rows, zone=zone).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


routes = [
    Route("/places/{id:int}/tracking", page, methods=["GET"], name="page"),
    Route("/places/{id:int}/tracking.csv", export, methods=["GET"], name="csv"),
]

"""A place's open data: the index of its datasets (`/places/{id}/data`, with its `.json` twin) and each dataset
as CSV or JSON, streamed while it is read. Public: the datasets hold only what anyone sees on the site."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from deliberate.clock import utcnow
from deliberate.opendata import datasets, export, forms, queries
from deliberate.opendata.datasets import Dataset, Row
from deliberate.opendata.rules import Period
from deliberate.places.models import Place
from deliberate.policy.access import access_place
from deliberate.refusal import NotFound
from deliberate.web.auth import db
from deliberate.web.loading import accessed
from deliberate.web.responses import json_stream, public_routes, render


def _zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def _today(request: Request) -> date:
    return utcnow().astimezone(_zone(request)).date()


def _dataset(request: Request) -> Dataset:
    found = datasets.find(str(request.path_params.get("dataset", "")))
    if found is None:
        raise NotFound()
    return found


def index(request: Request) -> Response:
    place = accessed(request, access_place)
    period, values, errors = forms.period(request, _today(request))
    page = queries.data_index(db(request), place, period, values, errors, request.app.url_path_for)
    return render(request, "opendata/index.html", page, status=422 if errors else 200)


def _headers(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _asked(request: Request) -> tuple[Place, Dataset, Period, Iterator[Row]]:
    """The place and dataset in the URL, the period in its query (else 404 or 422), and the rows, not yet read."""
    place, dataset = accessed(request, access_place), _dataset(request)
    period = forms.period_or_refuse(request, _today(request))
    rows = queries.rows(db(request), dataset, place, period, zone=_zone(request), now=utcnow(),
                        url=request.app.url_path_for)
    return place, dataset, period, rows


def as_csv(request: Request) -> Response:
    place, dataset, period, rows = _asked(request)
    return StreamingResponse((chunk.encode("utf-8") for chunk in export.csv_chunks(dataset, rows)),
                             media_type="text/csv; charset=utf-8",
                             headers=_headers(export.filename(dataset, place, period, "csv")))


def as_json(request: Request) -> Response:
    place, dataset, period, rows = _asked(request)
    response = json_stream(export.json_head(dataset, place, period), "rows", rows)
    response.headers.update(_headers(export.filename(dataset, place, period, "json")))
    return response


routes = [
    *public_routes("/places/{id:int}/data", index, "index"),
    Route("/places/{id:int}/data/{dataset}.csv", as_csv, methods=["GET"], name="csv"),
    Route("/places/{id:int}/data/{dataset}.json", as_json, methods=["GET"], name="json"),
]

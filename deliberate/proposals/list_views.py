"""The proposals of a place, and of the places inside it: filters, search, keyset pages, and the `.json` twin."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.policy.access import access_place
from deliberate.proposals import forms, queries
from deliberate.web.auth import current_person, db
from deliberate.web.loading import accessed
from deliberate.web.responses import public_routes, render


def place_proposals(request: Request) -> Response:
    place = accessed(request, access_place)
    filters, after = forms.listing_filters(request)
    page = queries.place_proposals(db(request), place, current_person(request), filters, after,
                                   size=request.app.state.settings.page_size, path=request.url.path,
                                   url=request.app.url_path_for)
    return render(request, "proposals/list.html", page)


routes: list[Route] = [
    *public_routes("/places/{id:int}/proposals", place_proposals, "place_proposals"),
]

"""The audit log's page: staff and supervisors of a place read every stage and status change in it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from deliberate.audit import queries
from deliberate.policy import Act
from deliberate.policy.access import access_place
from deliberate.web.auth import db
from deliberate.web.loading import accessed
from deliberate.web.pagination import page_number
from deliberate.web.responses import public_routes, render


def audit_log(request: Request) -> Response:
    place = accessed(request, access_place, Act.READ_AUDIT)
    return render(request, "audit/log.html", queries.audit_page(db(request), place, page_number(request)))


routes = [
    *public_routes("/places/{id}/audit", audit_log, name="log"),
]

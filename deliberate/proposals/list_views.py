"""The proposals of a place, and of the places inside it: filters, search, keyset pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.i18n import gettext as _
from deliberate.places import actions as places
from deliberate.places.models import Place
from deliberate.policy import Act, may
from deliberate.proposals import listing, rules
from deliberate.proposals.models import Proposal
from deliberate.web.auth import db, ensure
from deliberate.web.loading import get_or_404
from deliberate.web.responses import public_routes, render


def _refusal(field: str) -> str:
    return {
        "stage": _("没有这个提案阶段，请从列表中选择。"),
        "category": _("没有这个提案类别，请从列表中选择。"),
        "q": _("搜索词不能超过 %(n)s 个字。", n=listing.MAX_QUERY),
        "sort": _("没有这种排序方式，请从列表中选择。"),
        "after": _("翻页链接无效，请回到第一页重新翻页。"),
    }[field]


def _filters(request: Request) -> tuple[listing.Filters, listing.Cursor | None]:
    params = request.query_params
    try:
        filters = listing.parse_filters(
            stage=params.get("stage", ""), category=params.get("category", ""),
            q=params.get("q", ""), sort=params.get("sort", ""),
        )
        after = listing.decode_cursor(params["after"], filters.sort) if "after" in params else None
    except listing.BadListing as bad:
        raise HTTPException(400, _refusal(bad.field)) from None
    return filters, after


def _proposal_url(request: Request, proposal: Proposal) -> str:
    return request.app.url_path_for("proposals:detail", id=proposal.id)


def _url(path: str, filters: listing.Filters, cursor: listing.Cursor | None = None) -> str:
    params = filters.as_params()
    if cursor is not None:
        params["after"] = listing.encode_cursor(cursor)
    return f"{path}?{urlencode(params)}" if params else path


def _summary(request: Request, proposal: Proposal) -> dict[str, Any]:
    return {
        "id": proposal.id, "title": proposal.title, "stage": proposal.stage, "category": proposal.category,
        "place_id": proposal.place_id, "cosign_count": proposal.cosign_count,
        "cosigners_needed": proposal.cosigners_needed, "created_at": proposal.created_at,
        "url": _proposal_url(request, proposal),
    }


def place_proposals(request: Request) -> Response:
    session = db(request)
    place = get_or_404(session, Place, request.path_params["id"])
    person = ensure(request, Act.VIEW_PLACE, place)
    filters, after = _filters(request)
    page = listing.page_of(session, place, filters, size=request.app.state.settings.page_size, after=after)
    next_url = _url(request.url.path, filters, page.next) if page.next else None
    here = request.app.url_path_for("proposals:place_proposals", id=place.id)
    data = {
        "place": {"id": place.id, "kind": place.kind, "name": place.name},
        "proposals": [_summary(request, p) for p in page.proposals],
        "next": next_url,
    }
    return render(request, "proposals/list.html", {
        "place": place, "trail": places.ancestors(session, place), "page": page, "filters": filters,
        "next_url": next_url, "first_url": _url(here, filters), "json_url": _url(here + ".json", filters, after),
        "is_deep": after is not None, "can_propose": may(person, Act.ACT_AS_RESIDENT, place),
        "stage_labels": rules.stage_labels(), "category_labels": rules.category_labels(),
        "stages": [s for s in rules.Stage if s is not rules.Stage.DRAFT], "open": listing.OPEN,
        "sorts": {listing.Sort.NEWEST: _("最新提出"), listing.Sort.COSIGNS: _("附议最多")},
        "max_query": listing.MAX_QUERY, "cosigning": rules.Stage.COSIGNING.value,
    }, data=data)


routes: list[Route] = [
    *public_routes("/places/{id:int}/proposals", place_proposals, "place_proposals"),
]

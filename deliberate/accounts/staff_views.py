"""Staff verify residents' claims; admins grant and revoke roles on a place."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.accounts import actions, forms, queries
from deliberate.accounts.models import ResidencyClaim, RoleGrant, User
from deliberate.db import get_or_refuse
from deliberate.i18n import gettext as _
from deliberate.places.models import Place
from deliberate.policy import Act
from deliberate.policy.access import access_household, access_place
from deliberate.refusal import Refused
from deliberate.web.auth import current_person, db, require_user
from deliberate.web.loading import accessed
from deliberate.web.pagination import page_number
from deliberate.web.responses import flash, redirect, render


def claims(request: Request) -> Response:
    place = accessed(request, access_place, Act.REVIEW_CLAIMS)
    status = request.query_params.get("status", queries.CLAIM_STATUSES[0])
    if status not in queries.CLAIM_STATUSES:
        raise Refused(_("没有这种申请状态。"), 400)
    page = queries.claims_queue(db(request), place, status, number=page_number(request),
                                size=request.app.state.settings.page_size)
    return render(request, "accounts/claims.html", page)


def decide_claim(request: Request) -> Response:
    claim = get_or_refuse(db(request), ResidencyClaim, request.path_params["id"], for_update=True)
    _household, building = access_household(db(request), current_person(request), claim.household_id,
                                            Act.REVIEW_CLAIMS)
    decision, reason = forms.decision(request)
    if decision == "approve":
        try:
            actions.do_approve_claim(db(request), claim, by=require_user(request),
                                     mismatch_confirmed=forms.mismatch_confirmed(request))
        except actions.ClaimMismatch as refused:
            return _refused_claim(request, claim, building.community_id, refused.message, reason)
        flash(request, _("已核实 %(name)s 为居民。", name=claim.name))
    else:
        actions.do_reject_claim(db(request), claim, by=require_user(request), reason=reason)
        flash(request, _("已驳回 %(name)s 的申请。", name=claim.name))
    return redirect(request.app.url_path_for("staff:claims", id=building.community_id))


def _refused_claim(request: Request, claim: ResidencyClaim, community_id: int, problem: str, reason: str
                   ) -> Response:
    """The claim alone, its problem beside it and the reason as typed: nothing was written."""
    community = get_or_refuse(db(request), Place, community_id)
    page = queries.claims_queue(db(request), community, claim.status, number=1, size=1, only=claim.id,
                                errors={claim.id: problem}, kept={claim.id: reason})
    return render(request, "accounts/claims.html", page, status=422)


def _roles_page(request: Request, place: Place, values: dict[str, Any] | None = None,
                errors: dict[str, str] | None = None) -> Response:
    page = queries.roles_page(db(request), place, values=values, errors=errors)
    return render(request, "accounts/roles.html", page, status=422 if errors else 200)


def roles(request: Request) -> Response:
    place = accessed(request, access_place, Act.MANAGE_ROLES)
    if request.method == "GET":
        return _roles_page(request, place)
    user, values, errors = forms.role_grant(request, db(request), place.kind)
    if errors or user is None:
        return _roles_page(request, place, values, errors)
    actions.do_grant_role(db(request), user=user, role=values["role"], place=place, by=require_user(request))
    flash(request, _("已任命 %(name)s 为%(role)s。", name=user.display_name, role=actions.role_label(values["role"])))
    return redirect(request.app.url_path_for("staff:roles", id=place.id))


def revoke_role(request: Request) -> Response:
    grant = get_or_refuse(db(request), RoleGrant, request.path_params["id"])
    place = access_place(db(request), current_person(request), grant.place_id, Act.MANAGE_ROLES)
    user = db(request).get(User, grant.user_id)
    actions.do_revoke_role(db(request), grant)
    flash(request, _("已撤销 %(name)s 的%(role)s角色。", name=user.display_name if user else "",
                     role=actions.role_label(grant.role)))
    return redirect(request.app.url_path_for("staff:roles", id=place.id))


routes = [
    Route("/places/{id:int}/claims", claims, methods=["GET"], name="claims"),
    Route("/claims/{id:int}/decide", decide_claim, methods=["POST"], name="decide_claim"),
    Route("/places/{id:int}/roles", roles, methods=["GET", "POST"], name="roles"),
    Route("/roles/{id:int}/revoke", revoke_role, methods=["POST"], name="revoke_role"),
]

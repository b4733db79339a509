"""Staff verify residents' claims; admins grant and revoke roles on a place."""

from __future__ import annotations

from sqlmodel import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.accounts import actions
from deliberate.accounts.models import ClaimStatus, ResidencyClaim, Role, RoleGrant, User
from deliberate.i18n import gettext as _
from deliberate.places import actions as places
from deliberate.places.models import Household, Place
from deliberate.policy import Act
from deliberate.web import forms
from deliberate.web.auth import db, ensure, require_user
from deliberate.web.loading import get_or_404
from deliberate.web.pagination import paginate
from deliberate.web.responses import flash, redirect, render


def _place(request: Request) -> Place:
    return get_or_404(db(request), Place, request.path_params["id"])


def claims(request: Request) -> Response:
    place = _place(request)
    ensure(request, Act.REVIEW_CLAIMS, place)
    status = request.query_params.get("status", ClaimStatus.PENDING)
    if status not in (ClaimStatus.PENDING, ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.REVOKED):
        raise HTTPException(400)
    session = db(request)
    page = paginate(session, actions.claims_statement(place, status), request)
    members = {}
    household_ids = [row[1].id for row in page.items]
    if household_ids:
        for household_id, name, year in session.exec(
            select(places.Member.household_id, places.Member.name, places.Member.birth_year)
            .where(places.Member.household_id.in_(household_ids))  # type: ignore[union-attr]
        ).all():
            members.setdefault(household_id, []).append((name, year))
    return render(request, "accounts/claims.html", {
        "place": place, "page": page, "status": status, "members": members,
        "trail": places.ancestors(session, place),
    })


def _claim_and_building(request: Request) -> tuple[ResidencyClaim, Place]:
    session = db(request)
    claim = get_or_404(session, ResidencyClaim, request.path_params["id"])
    household = session.get(Household, claim.household_id)
    assert household is not None
    building = session.get(Place, household.building_id)
    assert building is not None
    return claim, building


def decide_claim(request: Request) -> Response:
    claim, building = _claim_and_building(request)
    ensure(request, Act.REVIEW_CLAIMS, building)
    staff = require_user(request)
    session = db(request)
    decision = forms.text(request, "decision", max_length=10)
    reason = forms.text(request, "reason", max_length=500)
    if claim.status != ClaimStatus.PENDING:
        raise HTTPException(409, _("这份申请已经处理过了。"))
    if decision == "approve":
        actions.do_approve_claim(session, claim, by=staff)
        message = _("已核实 %(name)s 为居民。", name=claim.name)
    elif decision == "reject":
        if not reason:
            raise HTTPException(422, _("驳回申请时请填写理由，申请人会看到它。"))
        if len(reason) > 500:
            raise HTTPException(422, _("理由不能超过 500 个字。"))
        actions.do_reject_claim(session, claim, by=staff, reason=reason)
        message = _("已驳回 %(name)s 的申请。", name=claim.name)
    else:
        raise HTTPException(400)
    flash(request, message)
    community = building.ancestor_ids[0]
    return redirect(request.url_for("staff:claims", id=community).path)


def roles(request: Request) -> Response:
    place = _place(request)
    ensure(request, Act.MANAGE_ROLES, place)
    session = db(request)
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {"username": forms.text(request, "username", max_length=40).lower(),
                  "role": forms.text(request, "role", max_length=20)}
        user = actions.find_user(session, values["username"])
        if user is None:
            errors["username"] = _("找不到用户名“%(name)s”。", name=values["username"])
        if values["role"] not in Role.ALL:
            errors["role"] = _("请选择角色。")
        elif values["role"] == Role.BUILDING_LEADER and place.kind != "building":
            errors["role"] = _("楼栋长只能在楼栋上任命。")
        if not errors:
            assert user is not None
            actions.do_grant_role(session, user=user, role=values["role"], place=place, by=require_user(request))
            flash(request, _("已任命 %(name)s 为%(role)s。", name=user.display_name,
                             role=actions.role_label(values["role"])))
            return redirect(request.url_for("staff:roles", id=place.id).path)
        status = 422
    return render(request, "accounts/roles.html", {
        "place": place, "grants": actions.grants_on(session, place), "values": values, "errors": errors,
        "role_choices": [(r, actions.role_label(r)) for r in Role.ALL
                         if r != Role.BUILDING_LEADER or place.kind == "building"],
        "role_label": actions.role_label, "trail": places.ancestors(session, place),
    }, status=status)


def revoke_role(request: Request) -> Response:
    session = db(request)
    grant = get_or_404(session, RoleGrant, request.path_params["id"])
    place = session.get(Place, grant.place_id)
    assert place is not None
    ensure(request, Act.MANAGE_ROLES, place)
    user = session.get(User, grant.user_id)
    actions.do_revoke_role(session, grant)
    flash(request, _("已撤销 %(name)s 的%(role)s角色。", name=user.display_name if user else "",
                     role=actions.role_label(grant.role)))
    return redirect(request.url_for("staff:roles", id=place.id).path)


routes = [
    Route("/places/{id:int}/claims", claims, methods=["GET"], name="claims"),
    Route("/claims/{id:int}/decide", decide_claim, methods=["POST"], name="decide_claim"),
    Route("/places/{id:int}/roles", roles, methods=["GET", "POST"], name="roles"),
    Route("/roles/{id:int}/revoke", revoke_role, methods=["POST"], name="revoke_role"),
]

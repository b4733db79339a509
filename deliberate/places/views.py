"""Community, compound and building pages; staff edit places, households and their people."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.accounts import actions as accounts
from deliberate.clock import utcnow
from deliberate.i18n import gettext as _
from deliberate.inbox import todo
from deliberate.places import actions, csv_import, forms, queries, settings_views
from deliberate.places.models import Household, Member, Owner, Place, PlaceKind
from deliberate.places.rules import child_kind, kind_label
from deliberate.policy import Act, may
from deliberate.policy.access import access_household, access_place
from deliberate.refusal import NotFound
from deliberate.statistics.place_home import place_home
from deliberate.voting import queries as vote_queries
from deliberate.web.auth import current_person, current_user, db, require_user
from deliberate.web.database import reader
from deliberate.web.loading import accessed, get_or_404
from deliberate.web.pagination import page_number
from deliberate.web.responses import flash, path_for, public_routes, redirect, render


def _place_url(request: Request, place: Place) -> str:
    return path_for(request, "places:detail", id=place.id)


def _household_url(request: Request, household: Household) -> str:
    return path_for(request, "places:household", id=household.id)


def home(request: Request) -> Response:
    person = current_person(request)
    paths = {*person.home_paths, *(g.place_path for g in person.grants)} if person else set()
    ballots = vote_queries.open_ballots(db(request), current_user(request))
    needs = todo.what_needs(db(request), person, utcnow(), zone=ZoneInfo(request.app.state.settings.timezone)
                            ) if person else None
    return render(request, "home.html", queries.home(db(request), paths),
                  extra={"open_ballots": ballots, "todo": needs})


def detail(request: Request) -> Response:
    place = accessed(request, access_place)
    can = {act.value: may(current_person(request), act, place) for act in Act}
    ballots = vote_queries.open_ballots(db(request), current_user(request), within=place)
    page = queries.place_page(db(request), place, can)
    home = place_home(db(request), place, utcnow())
    url = request.app.url_path_for
    return render(request, "places/detail.html", page, data=page.as_json(url) | {"home": home.as_json(url)},
                  extra={"open_ballots": ballots, "home": home})


def _place_form(request: Request, place: Place, values: dict[str, Any], errors: dict[str, str],
                creating: str | None = None) -> Response:
    page = queries.PlaceForm(place, values, errors, kind_label(creating) if creating else None)
    return render(request, "places/form.html", page, status=422 if errors else 200)


def edit(request: Request) -> Response:
    place = accessed(request, access_place, Act.EDIT_PLACE)
    if request.method == "GET":
        return _place_form(request, place, {"name": place.name, "address": place.address,
                                            "description": place.description}, {})
    text, errors = forms.place(request)
    if errors:
        return _place_form(request, place, vars(text), errors)
    actions.do_update_place(db(request), place, name=text.name, address=text.address, description=text.description)
    flash(request, _("已保存。"))
    return redirect(_place_url(request, place))


def add_child(request: Request) -> Response:
    parent = accessed(request, access_place, Act.ADD_CHILD_PLACE)
    kind = child_kind(parent.kind) or ""  # the policy refuses children of a building
    if request.method == "GET":
        return _place_form(request, parent, {}, {}, creating=kind)
    text, errors = forms.child_place(request, db(request), parent)
    if errors:
        return _place_form(request, parent, vars(text), errors, creating=kind)
    child = actions.do_create_place(db(request), kind=kind, parent=parent, name=text.name, address=text.address,
                                    description=text.description)
    flash(request, _("已添加%(kind)s“%(name)s”。", kind=kind_label(kind), name=child.name))
    return redirect(_place_url(request, child))


def households(request: Request) -> Response:
    place = accessed(request, access_place, Act.VIEW_REGISTER)
    page = queries.households(db(request), place, number=page_number(request),
                              size=request.app.state.settings.page_size,
                              can_manage=may(current_person(request), Act.MANAGE_HOUSEHOLDS, place))
    return render(request, "places/households.html", page)


def household_new(request: Request) -> Response:
    building = accessed(request, access_place, Act.MANAGE_HOUSEHOLDS)
    if building.kind != PlaceKind.BUILDING:
        raise NotFound()
    if request.method == "GET":
        return _new_household_form(request, building, {}, {})
    text, errors = forms.household_in(request, db(request), building)
    if errors:
        return _new_household_form(request, building, vars(text), errors)
    household = actions.do_create_household(db(request), building=building, number=text.number,
                                            area_centi=text.area_centi)
    flash(request, _("已添加房屋 %(number)s。", number=household.number))
    return redirect(_household_url(request, household))


def _new_household_form(request: Request, building: Place, values: dict[str, Any], errors: dict[str, str]
                         ) -> Response:
    return render(request, "places/household_new.html", {"place": building, "values": values, "errors": errors},
                  status=422 if errors else 200)


def _household_page(request: Request, household: Household, building: Place, *,
                    values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> Response:
    can_manage = may(current_person(request), Act.MANAGE_HOUSEHOLDS, building)
    page = queries.household_page(db(request), household, building, can_manage=can_manage, values=values,
                                  errors=errors)
    return render(request, "places/household.html", page, status=422 if errors else 200)


def household(request: Request) -> Response:
    need = Act.VIEW_REGISTER if request.method == "GET" else Act.MANAGE_HOUSEHOLDS
    household, building = accessed(request, access_household, need)
    if request.method == "GET":
        return _household_page(request, household, building)
    text, errors = forms.household_in(request, db(request), building, household)
    if errors:
        return _household_page(request, household, building, values=vars(text), errors=errors)
    actions.do_update_household(db(request), household, number=text.number, area_centi=text.area_centi)
    flash(request, _("已保存。"))
    return redirect(_household_url(request, household))


def add_member(request: Request) -> Response:
    household, building = accessed(request, access_household, Act.MANAGE_HOUSEHOLDS)
    person, errors = forms.member(request)
    if errors:
        return _household_page(request, household, building, errors=errors)
    actions.do_add_member(db(request), household, name=person.name, birth_year=person.birth_year)
    flash(request, _("已添加成员 %(name)s。", name=person.name))
    return redirect(_household_url(request, household))


def add_owner(request: Request) -> Response:
    household, building = accessed(request, access_household, Act.MANAGE_HOUSEHOLDS)
    (name, is_developer), errors = forms.owner(request)
    if errors:
        return _household_page(request, household, building, errors=errors)
    actions.do_add_owner(db(request), household, name=name, is_developer=is_developer)
    flash(request, _("已添加业主 %(name)s。", name=name))
    return redirect(_household_url(request, household))


def set_owner_identity(request: Request) -> Response:
    household, building = accessed(request, access_household, Act.MANAGE_HOUSEHOLDS)
    owner = _item_of(request, household, Owner)
    identity, values, errors = forms.owner_identity_in(request, owner)
    if errors:
        return _household_page(request, household, building, values=values, errors=errors)
    actions.do_set_owner_identity(db(request), owner, identity)
    flash(request, _("已登记业主 %(name)s 的身份。", name=owner.name))
    return redirect(_household_url(request, household))


def link_owner(request: Request) -> Response:
    household, _building = accessed(request, access_household, Act.MANAGE_HOUSEHOLDS)
    owner = _item_of(request, household, Owner)
    raw_other, same = forms.owner_link(request)
    other = get_or_404(db(request), Owner, raw_other)
    access_household(db(request), current_person(request), other.household_id, Act.MANAGE_HOUSEHOLDS)
    actions.do_link_owners(db(request), owner, other, same=same)
    flash(request, _("已确认 %(name)s 为同一人。", name=owner.name) if same
          else _("已确认两位 %(name)s 不是同一人。", name=owner.name))
    return redirect(_household_url(request, household))


def owner_names(request: Request) -> Response:
    place = accessed(request, access_place, Act.VIEW_REGISTER)
    return render(request, "places/owner_names.html", queries.owner_names(db(request), place))


def remove_member(request: Request) -> Response:
    household, _building = accessed(request, access_household, Act.MANAGE_HOUSEHOLDS)
    member = _item_of(request, household, Member)
    accounts.do_remove_member(db(request), member, by=require_user(request))
    flash(request, _("已删除 %(name)s。", name=member.name))
    return redirect(_household_url(request, household))


def remove_owner(request: Request) -> Response:
    household, _building = accessed(request, access_household, Act.MANAGE_HOUSEHOLDS)
    owner = _item_of(request, household, Owner)
    actions.do_remove_owner(db(request), owner)
    flash(request, _("已删除 %(name)s。", name=owner.name))
    return redirect(_household_url(request, household))


def _item_of(request: Request, household: Household, model: type[Any]) -> Any:
    """A member or owner of this household named in the URL; 404 for another household's."""
    row = get_or_404(db(request), model, request.path_params["item"])
    if row.household_id != household.id:
        raise NotFound()
    return row


def import_register(request: Request) -> Response:
    place = accessed(request, access_place, Act.MANAGE_HOUSEHOLDS)
    if place.kind == PlaceKind.COMMUNITY:
        raise NotFound()
    if request.method == "GET":
        return _import_page(request, place, [])
    try:
        plan = forms.register_plan(request, reader(request), place)
    except csv_import.ImportFailed as failure:
        return _import_page(request, place, failure.errors)
    flash(request, csv_import.apply_register(db(request), plan).sentence())
    return redirect(request.app.url_path_for("places:households", id=place.id))


def _import_page(request: Request, place: Place, errors: list[csv_import.RowError]) -> Response:
    return render(request, "places/import.html", {
        "place": place, "trail": actions.ancestors(db(request), place), "errors": errors, "report": None,
    }, status=422 if errors else 200)


routes = [
    *public_routes("/places/{id:int}", detail, "detail"),
    Route("/places/{id:int}/edit", edit, methods=["GET", "POST"], name="edit"),
    Route("/places/{id:int}/new", add_child, methods=["GET", "POST"], name="add_child"),
    Route("/places/{id:int}/households", households, methods=["GET"], name="households"),
    Route("/places/{id:int}/households/new", household_new, methods=["GET", "POST"], name="household_new"),
    Route("/places/{id:int}/import", import_register, methods=["GET", "POST"], name="import"),
    Route("/households/{id:int}", household, methods=["GET", "POST"], name="household"),
    Route("/households/{id:int}/members", add_member, methods=["POST"], name="add_member"),
    Route("/households/{id:int}/members/{item:int}/delete", remove_member, methods=["POST"], name="remove_member"),
    Route("/households/{id:int}/owners", add_owner, methods=["POST"], name="add_owner"),
    Route("/households/{id:int}/owners/{item:int}/delete", remove_owner, methods=["POST"], name="remove_owner"),
    Route("/households/{id:int}/owners/{item:int}/identity", set_owner_identity, methods=["POST"],
          name="owner_identity"),
    Route("/households/{id:int}/owners/{item:int}/link", link_owner, methods=["POST"], name="link_owner"),
    Route("/places/{id:int}/owner-names", owner_names, methods=["GET"], name="owner_names"),
    *settings_views.routes,
]
home_routes = public_routes("/", home, "home")

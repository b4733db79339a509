"""Community, compound and building pages; staff edit places, households and their people."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.accounts import actions as account_actions
from deliberate.clock import utcnow
from deliberate.i18n import gettext as _
from deliberate.places import actions, csv_import
from deliberate.places.models import Household, Member, Owner, Place, PlaceKind
from deliberate.places.rules import check_name, child_kind, kind_label, parse_area, parse_birth_year
from deliberate.policy import Act, may
from deliberate.web import forms
from deliberate.web.auth import current_person, db, ensure, require_user
from deliberate.web.loading import get_or_404
from deliberate.web.pagination import paginate
from deliberate.web.responses import flash, public_routes, redirect, render

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _load(request: Request, model: type, key: str = "id") -> Any:
    return get_or_404(db(request), model, request.path_params[key])


def _place_url(request: Request, place: Place) -> str:
    return request.url_for("places:detail", id=place.id).path


def place_summary(request: Request, place: Place) -> dict[str, Any]:
    return {
        "id": place.id, "kind": place.kind, "kind_label": kind_label(place.kind), "name": place.name,
        "url": _place_url(request, place),
    }


def home(request: Request) -> Response:
    session = db(request)
    communities = list(session.exec(select(Place).where(Place.kind == PlaceKind.COMMUNITY).order_by(Place.name)).all())
    person = current_person(request)
    my_places: list[Place] = []
    if person is not None:
        paths = {*person.home_paths, *(g.place_path for g in person.grants)}
        if paths:
            my_places = list(session.exec(select(Place).where(Place.path.in_(paths)).order_by(Place.path)).all())  # type: ignore[attr-defined]
    data = {"communities": [place_summary(request, c) for c in communities]}
    return render(request, "home.html", {"communities": communities, "my_places": my_places}, data=data)


def detail(request: Request) -> Response:
    place: Place = _load(request, Place)
    ensure(request, Act.VIEW_PLACE, place)
    session = db(request)
    person = current_person(request)
    trail = actions.ancestors(session, place)
    kids = actions.children(session, place)
    counts = actions.counts(session, place)
    data = {
        **place_summary(request, place),
        "address": place.address,
        "description": place.description,
        "ancestors": [place_summary(request, p) for p in trail],
        "children": [place_summary(request, c) for c in kids],
        "counts": {"compounds": counts.compounds, "buildings": counts.buildings,
                   "households": counts.households, "residents": counts.residents},
    }
    can = {act.value: may(person, act, place) for act in Act}
    return render(request, "places/detail.html", {
        "place": place, "trail": trail, "children": kids, "counts": counts, "can": can,
        "child_kind": child_kind(place.kind), "kind_label": kind_label,
    }, data=data)


def _place_form(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    values = {
        "name": forms.text(request, "name", max_length=100),
        "address": forms.text(request, "address", max_length=200),
        "description": forms.text(request, "description", max_length=2000),
    }
    errors = {k: v for k, v in {
        "name": check_name(values["name"], field=_("名称"), max_length=100),
        "address": _("地址不能超过 200 个字。") if len(values["address"]) > 200 else None,
        "description": _("简介不能超过 2000 个字。") if len(values["description"]) > 2000 else None,
    }.items() if v}
    return values, errors


def edit(request: Request) -> Response:
    place: Place = _load(request, Place)
    ensure(request, Act.EDIT_PLACE, place)
    if request.method == "GET":
        values = {"name": place.name, "address": place.address, "description": place.description}
        return render(request, "places/form.html", {"place": place, "values": values, "errors": {}, "creating": None})
    values, errors = _place_form(request)
    if errors:
        return render(request, "places/form.html",
                      {"place": place, "values": values, "errors": errors, "creating": None}, status=422)
    session = db(request)
    actions.do_update_place(session, place, **values)
    flash(request, _("已保存。"))
    return redirect(_place_url(request, place))


def add_child(request: Request) -> Response:
    parent: Place = _load(request, Place)
    ensure(request, Act.ADD_CHILD_PLACE, parent)
    kind = child_kind(parent.kind)
    assert kind is not None
    context = {"place": parent, "creating": kind_label(kind)}
    if request.method == "GET":
        return render(request, "places/form.html", {**context, "values": {}, "errors": {}})
    values, errors = _place_form(request)
    session = db(request)
    if not errors and any(c.name == values["name"] for c in actions.children(session, parent)):
        errors["name"] = _("这里已经有名为“%(name)s”的%(kind)s。", name=values["name"], kind=kind_label(kind))
    if errors:
        return render(request, "places/form.html", {**context, "values": values, "errors": errors}, status=422)
    child = actions.do_create_place(session, kind=kind, parent=parent, **values)
    flash(request, _("已添加%(kind)s“%(name)s”。", kind=kind_label(kind), name=child.name))
    return redirect(_place_url(request, child))


def households(request: Request) -> Response:
    place: Place = _load(request, Place)
    ensure(request, Act.VIEW_REGISTER, place)
    session = db(request)
    page = paginate(session, actions.households_statement(place), request)
    ids = [h.id for h, _b in page.items]
    people: dict[int, int] = {}
    if ids:
        for member in session.exec(select(Member).where(Member.household_id.in_(ids))).all():  # type: ignore[union-attr]
            people[member.household_id] = people.get(member.household_id, 0) + 1
    person = current_person(request)
    return render(request, "places/households.html", {
        "place": place, "page": page, "people": people, "trail": actions.ancestors(session, place),
        "can_manage": may(person, Act.MANAGE_HOUSEHOLDS, place),
    })


def _household_form(request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    number = forms.text(request, "number", max_length=50)
    raw_area = forms.text(request, "area", max_length=30)
    area, area_error = parse_area(raw_area)
    errors = {k: v for k, v in {"number": check_name(number, field=_("房号")), "area": area_error}.items() if v}
    return {"number": number, "area": raw_area, "area_centi": area}, errors


def household_new(request: Request) -> Response:
    building: Place = _load(request, Place)
    ensure(request, Act.MANAGE_HOUSEHOLDS, building)
    if building.kind != PlaceKind.BUILDING:
        raise HTTPException(404)
    if request.method == "GET":
        return render(request, "places/household_new.html", {"place": building, "values": {}, "errors": {}})
    values, errors = _household_form(request)
    session = db(request)
    if "number" not in errors and actions.find_household(session, building, values["number"]):
        errors["number"] = _("本楼已有房号“%(number)s”。", number=values["number"])
    if errors:
        return render(request, "places/household_new.html",
                      {"place": building, "values": values, "errors": errors}, status=422)
    household = actions.do_create_household(
        session, building=building, number=values["number"], area_centi=values["area_centi"]
    )
    flash(request, _("已添加房屋 %(number)s。", number=household.number))
    return redirect(request.url_for("places:household", id=household.id).path)


def _household_and_building(request: Request, key: str = "id") -> tuple[Household, Place]:
    household: Household = _load(request, Household, key)
    building = db(request).get(Place, household.building_id)
    assert building is not None
    return household, building


def _household_page(request: Request, household: Household, building: Place, *, values: dict | None = None,
                    errors: dict | None = None, status: int = 200) -> Response:
    session = db(request)
    return render(request, "places/household.html", {
        "household": household, "place": building, "trail": actions.ancestors(session, building),
        "members": actions.members_of(session, household), "owners": actions.owners_of(session, household),
        "can_manage": may(current_person(request), Act.MANAGE_HOUSEHOLDS, building),
        "values": values or {"number": household.number, "area": f"{household.area:.2f}"},
        "errors": errors or {},
    }, status=status)


def household(request: Request) -> Response:
    household, building = _household_and_building(request)
    if request.method == "GET":
        ensure(request, Act.VIEW_REGISTER, building)
        return _household_page(request, household, building)
    ensure(request, Act.MANAGE_HOUSEHOLDS, building)
    values, errors = _household_form(request)
    session = db(request)
    clash = actions.find_household(session, building, values["number"]) if "number" not in errors else None
    if clash is not None and clash.id != household.id:
        errors["number"] = _("本楼已有房号“%(number)s”。", number=values["number"])
    if errors:
        return _household_page(request, household, building, values=values, errors=errors, status=422)
    actions.do_update_household(session, household, number=values["number"], area_centi=values["area_centi"])
    flash(request, _("已保存。"))
    return redirect(request.url_for("places:household", id=household.id).path)


def add_member(request: Request) -> Response:
    household, building = _household_and_building(request)
    ensure(request, Act.MANAGE_HOUSEHOLDS, building)
    name = forms.text(request, "name", max_length=60)
    birth_year, year_error = parse_birth_year(forms.text(request, "birth_year", max_length=10), utcnow().year)
    errors = {k: v for k, v in {"member_name": check_name(name, field=_("姓名")),
                                "birth_year": year_error}.items() if v}
    if errors:
        return _household_page(request, household, building, errors=errors, status=422)
    session = db(request)
    actions.do_add_member(session, household, name=name, birth_year=birth_year or 0)
    flash(request, _("已添加成员 %(name)s。", name=name))
    return redirect(request.url_for("places:household", id=household.id).path)


def add_owner(request: Request) -> Response:
    household, building = _household_and_building(request)
    ensure(request, Act.MANAGE_HOUSEHOLDS, building)
    name = forms.text(request, "name", max_length=110)
    error = check_name(name, field=_("业主姓名"), max_length=100)
    if error:
        return _household_page(request, household, building, errors={"owner_name": error}, status=422)
    session = db(request)
    actions.do_add_owner(session, household, name=name, is_developer=forms.text(request, "is_developer") == "1")
    flash(request, _("已添加业主 %(name)s。", name=name))
    return redirect(request.url_for("places:household", id=household.id).path)


def _remove(request: Request, model: type) -> Response:
    household, building = _household_and_building(request)
    ensure(request, Act.MANAGE_HOUSEHOLDS, building)
    session = db(request)
    row = get_or_404(session, model, request.path_params["item"])
    if row.household_id != household.id:
        raise HTTPException(404)
    if isinstance(row, Member):
        account_actions.do_remove_member(session, row, by=require_user(request))
    else:
        session.delete(row)
    flash(request, _("已删除 %(name)s。", name=row.name))
    return redirect(request.url_for("places:household", id=household.id).path)


def remove_member(request: Request) -> Response:
    return _remove(request, Member)


def remove_owner(request: Request) -> Response:
    return _remove(request, Owner)


def import_register(request: Request) -> Response:
    place: Place = _load(request, Place)
    ensure(request, Act.MANAGE_HOUSEHOLDS, place)
    if place.kind == PlaceKind.COMMUNITY:
        raise HTTPException(404)
    context: dict[str, Any] = {"place": place, "trail": actions.ancestors(db(request), place), "errors": [],
                               "report": None}
    if request.method == "GET":
        return render(request, "places/import.html", context)
    upload = forms.upload(request, "file")
    if upload is None:
        context["errors"] = [csv_import.RowError(None, _("请选择要导入的 CSV 文件。"))]
        return render(request, "places/import.html", context, status=422)
    data = upload.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise HTTPException(413, _("文件超过 5 MB，请分楼栋导入。"))
    session = db(request)
    try:
        report = csv_import.import_register(session, data, scope=place, current_year=utcnow().year)
    except csv_import.ImportFailed as failure:
        session.rollback()
        context["errors"] = failure.errors
        return render(request, "places/import.html", context, status=422)
    flash(request, _(
        "导入完成：新建 %(created)s 户，更新 %(updated)s 户，添加成员 %(members)s 人，业主 %(owners)s 人。",
                     created=report.households_created, updated=report.households_updated,
                     members=report.members_added, owners=report.owners_added))
    return redirect(request.url_for("places:households", id=place.id).path)


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
]
home_routes = public_routes("/", home, "home")

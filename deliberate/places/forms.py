"""Reading the forms of places and households: what was typed, and each problem by its field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from starlette.requests import Request

from deliberate.clock import utcnow
from deliberate.i18n import gettext as _
from deliberate.places import actions, csv_import
from deliberate.places.models import Household, Owner, Place
from deliberate.places.rules import (
    check_name,
    child_kind,
    identity_secret,
    kind_label,
    owner_identity,
    parse_area,
    parse_birth_year,
    parse_id_tail,
)
from deliberate.refusal import Refused
from deliberate.web import forms

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class PlaceText:
    name: str
    address: str
    description: str


def place(request: Request) -> tuple[PlaceText, dict[str, str]]:
    text = PlaceText(name=forms.text(request, "name", max_length=100),
                     address=forms.text(request, "address", max_length=200),
                     description=forms.text(request, "description", max_length=2000))
    errors = {k: v for k, v in {
        "name": check_name(text.name, field=_("名称"), max_length=100),
        "address": _("地址不能超过 200 个字。") if len(text.address) > 200 else None,
        "description": _("简介不能超过 2000 个字。") if len(text.description) > 2000 else None,
    }.items() if v}
    return text, errors


def child_place(request: Request, session: Session, parent: Place) -> tuple[PlaceText, dict[str, str]]:
    """A new compound or building: its name must not be one the parent already has."""
    text, errors = place(request)
    kind = child_kind(parent.kind) or ""
    if "name" not in errors and any(c.name == text.name for c in actions.children(session, parent)):
        errors["name"] = _("这里已经有名为“%(name)s”的%(kind)s。", name=text.name, kind=kind_label(kind))
    return text, errors


@dataclass(frozen=True)
class HouseholdText:
    number: str
    area: str  # as typed, to show again
    area_centi: int


def household(request: Request) -> tuple[HouseholdText, dict[str, str]]:
    number = forms.text(request, "number", max_length=50)
    raw_area = forms.text(request, "area", max_length=30)
    area, area_error = parse_area(raw_area)
    errors = {k: v for k, v in {"number": check_name(number, field=_("房号")), "area": area_error}.items() if v}
    return HouseholdText(number, raw_area, area or 0), errors


def household_in(request: Request, session: Session, building: Place,
                 current: Household | None = None) -> tuple[HouseholdText, dict[str, str]]:
    """A household of this building: its number must not be another household's."""
    text, errors = household(request)
    clash = actions.find_household(session, building, text.number) if "number" not in errors else None
    if clash is not None and (current is None or clash.id != current.id):
        errors["number"] = _("本楼已有房号“%(number)s”。", number=text.number)
    return text, errors


@dataclass(frozen=True)
class MemberText:
    name: str
    birth_year: int


def member(request: Request) -> tuple[MemberText, dict[str, str]]:
    name = forms.text(request, "name", max_length=60)
    year, year_error = parse_birth_year(forms.text(request, "birth_year", max_length=10), utcnow().year)
    errors = {k: v for k, v in {"member_name": check_name(name, field=_("姓名")), "birth_year": year_error}.items()
              if v}
    return MemberText(name, year or 0), errors


def owner(request: Request) -> tuple[tuple[str, bool], dict[str, str]]:
    name = forms.text(request, "name", max_length=110)
    error = check_name(name, field=_("业主姓名"), max_length=100)
    return (name, forms.text(request, "is_developer") == "1"), ({"owner_name": error} if error else {})


def owner_identity_in(request: Request, owner: Owner) -> tuple[str, dict[str, Any], dict[str, str]]:
    """(the identity, the birth year as typed, the problems by field) of this owner's identity form. The ID digits
    typed are hashed here and never shown again, not even beside a mistake."""
    raw_year = forms.text(request, "owner_birth_year", max_length=10)
    year, year_error = parse_birth_year(raw_year, utcnow().year)
    tail, tail_error = parse_id_tail(forms.text(request, "id_tail", max_length=10))
    if not tail and not tail_error:
        tail_error = _("请填写身份证号后四位。")
    errors = {k: v for k, v in {"owner_birth_year": year_error, "id_tail": tail_error}.items() if v}
    if errors:
        return "", {"owner_birth_year": raw_year, "identity_owner": owner.id}, errors
    return owner_identity(owner_secret(request), year or 0, tail or ""), {}, {}


def owner_link(request: Request) -> tuple[str, bool]:
    """(the other owner's id as sent, whether staff say the two are one person)."""
    choice = forms.text(request, "same", max_length=10)
    if choice not in ("yes", "no"):
        raise Refused(_("请选择是否为同一人。"), 400)
    return forms.text(request, "other", max_length=12), choice == "yes"


def register_plan(request: Request, session: Session, scope: Place) -> csv_import.RegisterPlan:
    """The uploaded register read and checked whole (csv_import.ImportFailed lists every problem), before any
    write begins. No file is a problem of the form; over 5 MB is refused with 413."""
    upload = forms.upload(request, "file")
    if upload is None:
        raise csv_import.ImportFailed([csv_import.RowError(None, _("请选择要导入的 CSV 文件。"))])
    data = upload.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise Refused(_("文件超过 5 MB，请分楼栋导入。"), 413)
    return csv_import.plan_register(session, data, scope=scope, current_year=utcnow().year,
                                    identity_secret=owner_secret(request))


def owner_secret(request: Request) -> bytes:
    """The key owners' identities are made with: SECRET_KEY's, never stored."""
    return identity_secret(request.app.state.settings.secret_key)

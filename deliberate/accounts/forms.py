"""Reading the forms of accounts: registering, logging in, passwords, e-mail, claims, their review, roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session
from starlette.requests import Request

from deliberate.accounts import actions, rules
from deliberate.accounts.models import Role, User
from deliberate.clock import utcnow
from deliberate.i18n import gettext as _
from deliberate.numbers import digits
from deliberate.places.rules import check_name, parse_birth_year
from deliberate.web import forms

PASSWORD_MAX_READ = 1024  # argon2 takes anything; a longer "password" is only a way to burn our CPU


def _secret(request: Request, name: str) -> str:
    value = forms.form(request).get(name) or ""
    return value[:PASSWORD_MAX_READ] if isinstance(value, str) else ""


def safe_next(raw: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    return raw


@dataclass(frozen=True)
class Registration:
    username: str
    display_name: str
    password: str


def registration(request: Request, session: Session) -> tuple[Registration, dict[str, str]]:
    typed = Registration(rules.normalise_username(forms.text(request, "username", max_length=40)),
                         forms.text(request, "display_name", max_length=60), _secret(request, "password"))
    errors = {
        "username": rules.check_username(typed.username),
        "display_name": rules.check_display_name(typed.display_name),
        "password": rules.check_new_password(typed.password, _secret(request, "confirm"), username=typed.username),
    }
    if not errors["username"] and actions.find_user(session, typed.username) is not None:
        errors["username"] = _("这个用户名已被使用，请换一个。")
    return typed, {k: v for k, v in errors.items() if v}


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    next_url: str
    address: str


def login(request: Request) -> Login:
    return Login(rules.normalise_username(forms.text(request, "username", max_length=40)),
                 _secret(request, "password"),
                 safe_next(request.query_params.get("next") or forms.text(request, "next")),
                 request.client.host if request.client else "unknown")


def new_password(request: Request, session: Session, user: User) -> tuple[str, dict[str, str]]:
    """The new password, if the current one is right and the new one is good (checking is slow: read only)."""
    errors: dict[str, str] = {}
    if not actions.authenticate(session, username=user.username, password=_secret(request, "current")).user:
        errors["current"] = _("当前密码不正确。")
    new = _secret(request, "password")
    problem = rules.check_new_password(new, _secret(request, "confirm"), username=user.username)
    if problem:
        errors["password"] = problem
    return new, errors


def email(request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    address = rules.normalise_email(forms.text(request, "email", max_length=300))
    values: dict[str, Any] = {"email": address, "notifications": forms.text(request, "notifications") == "1"}
    problem = rules.check_email(address)
    return values, ({"email": problem} if problem else {})


def locale(request: Request) -> tuple[str | None, str]:
    """(the language asked for, where to go back) from the switcher's form or its plain link."""
    source = request.query_params if request.method == "GET" else forms.form(request)
    raw, back = source.get("locale"), source.get("next")
    return (raw[:10] if isinstance(raw, str) else None), safe_next(back if isinstance(back, str) else None)


@dataclass(frozen=True)
class Claim:
    household_id: str
    name: str
    birth_year: int
    note: str


def claim(request: Request) -> tuple[Claim, dict[str, Any], dict[str, str]]:
    """(the claim, what was typed to show again, the problems by field)."""
    raw_year = forms.text(request, "birth_year", max_length=10)
    year, year_error = parse_birth_year(raw_year, utcnow().year)
    typed = Claim(forms.text(request, "household_id", max_length=12), forms.text(request, "name", max_length=60),
                  year or 0, forms.text(request, "note", max_length=500))
    errors = {k: v for k, v in {
        "name": check_name(typed.name, field=_("姓名")),
        "birth_year": year_error,
        "note": _("备注不能超过 500 个字。") if len(typed.note) > 500 else None,
    }.items() if v}
    values = {"household_id": int(typed.household_id) if digits(typed.household_id) else None,
              "name": typed.name, "birth_year": raw_year, "note": typed.note}
    return typed, values, errors


def decision(request: Request) -> tuple[str, str]:
    """(approve or reject, the reason); a rejection needs a reason, which the resident reads."""
    choice = forms.text(request, "decision", max_length=10)
    reason = forms.text(request, "reason", max_length=500)
    if choice not in ("approve", "reject"):
        raise actions.AccountError(_("请选择核实结果。"), 400)
    if choice == "reject" and not reason:
        raise actions.AccountError(_("驳回申请时请填写理由，申请人会看到它。"), 422)
    if len(reason) > 500:
        raise actions.AccountError(_("理由不能超过 500 个字。"), 422)
    return choice, reason


def mismatch_confirmed(request: Request) -> bool:
    """The staff ticked that they approve a claim the register does not bear out."""
    return forms.text(request, "confirm_mismatch", max_length=10) == "yes"


def role_grant(request: Request, session: Session, place_kind: str) -> tuple[User | None, dict[str, str],
                                                                              dict[str, str]]:
    """(the person to appoint, what was typed, the problems by field)."""
    values = {"username": forms.text(request, "username", max_length=40).lower(),
              "role": forms.text(request, "role", max_length=20)}
    user = actions.find_user(session, values["username"])
    errors = {}
    if user is None:
        errors["username"] = _("找不到用户名“%(name)s”。", name=values["username"])
    if values["role"] not in Role.ALL:
        errors["role"] = _("请选择角色。")
    elif values["role"] == Role.BUILDING_LEADER and place_kind != "building":
        errors["role"] = _("楼栋长只能在楼栋上任命。")
    return user, values, errors

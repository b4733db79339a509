"""Register, log in and out, change password, choose a language, claim a household."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate import i18n
from deliberate.accounts import actions, forms, passwords, queries, throttle
from deliberate.accounts.models import User
from deliberate.i18n import gettext as _
from deliberate.places.models import Household, Place
from deliberate.policy import Act
from deliberate.policy.access import access_household, access_place
from deliberate.refusal import NotFound
from deliberate.voting import queries as vote_queries
from deliberate.web import sessions
from deliberate.web.auth import current_person, current_user, db, require_person, require_user
from deliberate.web.database import reader
from deliberate.web.loading import parse_id
from deliberate.web.responses import flash, redirect, render

LANG_MAX_AGE = 365 * 86400


def _language_cookie(response: Response, locale: str) -> Response:
    response.set_cookie(i18n.LANG_COOKIE, locale, max_age=LANG_MAX_AGE, samesite="lax", httponly=True)
    return response


def register(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/register.html", {"values": {}, "errors": {}})
    typed, errors = forms.registration(request, reader(request))
    if errors:
        return render(request, "accounts/register.html", {"values": vars(typed) | {"password": ""}, "errors": errors},
                      status=422)
    user = actions.do_register(db(request), username=typed.username, display_name=typed.display_name,
                               password=typed.password)  # hashed before the write transaction begins
    sessions.start_for_user(request, user.id)
    flash(request, _("注册成功。下一步：认领您家的房屋，经社区工作人员核实后即可参与议事。"))
    return redirect(request.app.url_path_for("accounts:claim"))


def _login_page(request: Request, next_url: str, username: str = "", error: str | None = None,
                status: int = 200) -> Response:
    return render(request, "accounts/login.html", {"next": next_url, "username": username, "error": error},
                  status=status)


def login(request: Request) -> Response:
    if request.method == "GET":
        return _login_page(request, forms.safe_next(request.query_params.get("next")))
    attempt = forms.login(request)
    # The slow part (argon2) reads only; the short write transaction begins after it.
    check = actions.check_login(reader(request), attempt.username, attempt.password, attempt.address,
                                request.app.state.settings)
    if check.throttled:
        return _login_page(request, attempt.next_url, attempt.username, check.refusal, 429)
    if check.user is None:
        throttle.record_failure(db(request), username=attempt.username, address=attempt.address)
        return _login_page(request, attempt.next_url, attempt.username, check.refusal, 422)
    actions.do_log_in(db(request), check)
    sessions.start_for_user(request, check.user.id)
    response = redirect(attempt.next_url)
    return _language_cookie(response, check.user.locale) if check.user.locale else response


def logout(request: Request) -> Response:
    sessions.end(request)
    return redirect("/")


def change_password(request: Request) -> Response:
    user = require_user(request)
    if request.method == "GET":
        return render(request, "accounts/password.html", {"errors": {}})
    new, errors = forms.new_password(request, reader(request), user)
    if errors:
        return render(request, "accounts/password.html", {"errors": errors}, status=422)
    new_hash = passwords.hash_password(new)  # before the write transaction: hashing is slow
    actions.do_change_password(db(request), user.id, password_hash=new_hash, keep_session=None)
    # Every session of this account has ended, this one too: a fresh one keeps the person here.
    sessions.start_for_user(request, user.id)
    flash(request, _("密码已修改。其他设备上的登录已全部退出。"))
    return redirect(request.app.url_path_for("accounts:home"))


def set_email(request: Request) -> Response:
    user = require_user(request)
    values, errors = forms.email(request)
    if errors:
        return _account_page(request, user, email_form=values, errors=errors)
    actions.do_set_email(db(request), user.id, email=values["email"], notifications=values["notifications"])
    flash(request, actions.email_saved_message(values["email"], values["notifications"]))
    return redirect(request.app.url_path_for("accounts:home"))


def account_home(request: Request) -> Response:
    return _account_page(request, require_user(request))


def _account_page(request: Request, user: User, *, email_form: dict[str, Any] | None = None,
                  errors: dict[str, str] | None = None) -> Response:
    page = queries.account_page(reader(request), user, require_person(request), email_form=email_form,
                                sends_mail=request.app.state.settings.sends_mail, errors=errors)
    return render(request, "accounts/home.html", page, status=422 if errors else 200,
                  extra={"open_ballots": vote_queries.open_ballots(reader(request), user)})


def set_language(request: Request) -> Response:
    """中文 / English: kept in a cookie, and on the account of a logged-in person who sends the switcher's form
    (a plain link still works, and stores nothing)."""
    raw, back = forms.locale(request)
    locale = i18n.normalise(raw) or i18n.DEFAULT_LOCALE
    user = current_user(request)
    if request.method == "POST" and user is not None and user.locale != locale:
        actions.do_set_locale(db(request), user.id, locale)
    return _language_cookie(redirect(back), locale)


def claim(request: Request) -> Response:
    """Choose community → compound → building → household, then say who you are."""
    user = require_user(request)
    if request.method == "POST":
        return _submit_claim(request, user)
    raw = request.query_params.get("place")
    if raw is not None and parse_id(raw) is None:
        raise actions.AccountError(_("地点编号无效。"), 400)
    place = access_place(db(request), current_person(request), raw, Act.CLAIM_HOUSEHOLD) if raw else None
    return render(request, "accounts/claim.html", queries.claim_page(db(request), place))


def _submit_claim(request: Request, user: User) -> Response:
    typed, values, errors = forms.claim(request)
    household, building = _household(request, typed.household_id)
    if errors:
        page = queries.claim_page(db(request), building, values=values, errors=errors)
        return render(request, "accounts/claim.html", page, status=422)
    actions.do_claim(db(request), user=user, household=household, name=typed.name, birth_year=typed.birth_year,
                     note=typed.note)
    flash(request, _("认领申请已提交，社区工作人员核实后会通知您。"))
    return redirect(request.app.url_path_for("accounts:home"))


def _household(request: Request, raw: str) -> tuple[Household, Place]:
    try:
        return access_household(db(request), current_person(request), raw, Act.CLAIM_HOUSEHOLD)
    except NotFound:
        raise NotFound(_("找不到这户房屋，请重新选择。")) from None


routes = [
    Route("/register", register, methods=["GET", "POST"], name="register"),
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/account", account_home, methods=["GET"], name="home"),
    Route("/account/email", set_email, methods=["POST"], name="email"),
    Route("/account/password", change_password, methods=["GET", "POST"], name="password"),
    Route("/language", set_language, methods=["GET", "POST"], name="language"),
    Route("/claim", claim, methods=["GET", "POST"], name="claim"),
]

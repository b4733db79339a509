"""Register, log in and out, change password, choose a language, claim a household."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate import i18n
from deliberate.accounts import actions, passwords, rules, throttle
from deliberate.accounts.models import ClaimStatus, User
from deliberate.clock import utcnow
from deliberate.i18n import gettext as _
from deliberate.places import actions as places
from deliberate.places.models import Household, Place, PlaceKind
from deliberate.places.rules import check_name, parse_birth_year
from deliberate.policy import Act
from deliberate.web import forms, sessions
from deliberate.web.auth import current_person, current_user, db, ensure, require_user
from deliberate.web.database import reader
from deliberate.web.loading import get_or_404
from deliberate.web.responses import flash, redirect, render


def safe_next(raw: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    return raw


def register(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "accounts/register.html", {"values": {}, "errors": {}})
    username = rules.normalise_username(forms.text(request, "username", max_length=40))
    display_name = forms.text(request, "display_name", max_length=60)
    password = forms.form(request).get("password") or ""
    confirm = forms.form(request).get("confirm") or ""
    assert isinstance(password, str) and isinstance(confirm, str)
    errors = {
        "username": rules.check_username(username),
        "display_name": rules.check_display_name(display_name),
        "password": rules.check_new_password(password, confirm, username=username),
    }
    if not errors["username"] and actions.find_user(reader(request), username) is not None:
        errors["username"] = _("这个用户名已被使用，请换一个。")
    errors = {k: v for k, v in errors.items() if v}
    values = {"username": username, "display_name": display_name}
    if errors:
        return render(request, "accounts/register.html", {"values": values, "errors": errors}, status=422)
    try:
        user = actions.do_register(db(request), username=username, display_name=display_name, password=password)
    except actions.AccountError:  # taken a moment ago by someone else
        db(request).rollback()
        errors = {"username": _("这个用户名已被使用，请换一个。")}
        return render(request, "accounts/register.html", {"values": values, "errors": errors}, status=422)
    sessions.start_for_user(request, user.id)  # type: ignore[arg-type]
    flash(request, _("注册成功。下一步：认领您家的房屋，经社区工作人员核实后即可参与议事。"))
    return redirect(request.url_for("accounts:claim").path)


def login(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next") or forms.text(request, "next"))
    if request.method == "GET":
        return render(request, "accounts/login.html", {"next": next_url, "username": "", "error": None})
    username = rules.normalise_username(forms.text(request, "username", max_length=40))
    password = forms.form(request).get("password") or ""
    assert isinstance(password, str)
    settings = request.app.state.settings
    address = request.client.host if request.client else "unknown"
    window = timedelta(minutes=settings.login_throttle_minutes)
    if throttle.is_throttled(
        reader(request), username=username, address=address, window=window,
        per_account=settings.login_max_failures_per_account,
        per_address=settings.login_max_failures_per_address,
    ):
        message = _("登录失败次数过多，请 %(n)s 分钟后再试。", n=settings.login_throttle_minutes)
        return render(request, "accounts/login.html",
                      {"next": next_url, "username": username, "error": message}, status=429)
    # The slow part (argon2) reads only; the short write transaction begins after it.
    result = actions.authenticate(reader(request), username=username, password=password[:1024])
    if result.user is None:
        throttle.record_failure(db(request), username=username, address=address)
        return render(request, "accounts/login.html",
                      {"next": next_url, "username": username, "error": _("用户名或密码不正确。")}, status=422)
    user = result.user
    renewed = passwords.hash_password(password[:1024]) if result.needs_rehash else None
    throttle.clear_account(db(request), username)
    if renewed:
        actions.do_set_password_hash(db(request), user.id, renewed)  # type: ignore[arg-type]
    sessions.start_for_user(request, user.id)  # type: ignore[arg-type]
    response = redirect(next_url)
    if user.locale:
        response.set_cookie(i18n.LANG_COOKIE, user.locale, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def logout(request: Request) -> Response:
    sessions.end(request)
    return redirect("/")


def change_password(request: Request) -> Response:
    user = require_user(request)
    if request.method == "GET":
        return render(request, "accounts/password.html", {"errors": {}})
    data = forms.form(request)
    current, new, confirm = (str(data.get(k) or "") for k in ("current", "password", "confirm"))
    errors: dict[str, str] = {}
    if not actions.authenticate(reader(request), username=user.username, password=current[:1024]).user:
        errors["current"] = _("当前密码不正确。")
    problem = rules.check_new_password(new, confirm, username=user.username)
    if problem:
        errors["password"] = problem
    if errors:
        return render(request, "accounts/password.html", {"errors": errors}, status=422)
    new_hash = passwords.hash_password(new)
    actions.do_change_password(db(request), user.id, password_hash=new_hash, keep_session=None)  # type: ignore[arg-type]
    # Every session of this account has ended, this one too: a fresh one keeps the person here.
    sessions.start_for_user(request, user.id)  # type: ignore[arg-type]
    flash(request, _("密码已修改。其他设备上的登录已全部退出。"))
    return redirect(request.url_for("accounts:home").path)


def set_email(request: Request) -> Response:
    user = require_user(request)
    email = rules.normalise_email(forms.text(request, "email", max_length=300))
    notifications = forms.text(request, "notifications") == "1"
    problem = rules.check_email(email)
    if problem:
        return _account_page(request, user, email_form={"email": email, "notifications": notifications},
                             errors={"email": problem}, status=422)
    actions.do_set_email(db(request), user.id, email=email, notifications=notifications)  # type: ignore[arg-type]
    if not email:
        flash(request, _("已删除电子邮箱，不再给您发邮件。"))
    elif notifications:
        flash(request, _("已保存。您关注的提案有新进展时，会发邮件到 %(email)s。", email=email))
    else:
        flash(request, _("已保存电子邮箱。邮件通知已关闭。"))
    return redirect(request.url_for("accounts:home").path)


def account_home(request: Request) -> Response:
    user = require_user(request)
    return _account_page(request, user)


def _account_page(request: Request, user: User, *, email_form: dict | None = None, errors: dict | None = None,
                  status: int = 200) -> Response:
    session = reader(request)
    person = current_person(request)
    assert person is not None
    claims = actions.claims_of(session, user)
    grant_rows = session.exec(
        select(Place).where(Place.path.in_([g.place_path for g in person.grants]))  # type: ignore[attr-defined]
    ).all() if person.grants else []
    places_by_path = {p.path: p for p in grant_rows}
    roles = [(actions.role_label(g.role), places_by_path.get(g.place_path)) for g in person.grants]
    homes = [(c, h, b) for c, h, b in claims if c.status == ClaimStatus.APPROVED]
    if email_form is None:
        email_form = {"email": user.email or "", "notifications": user.email_notifications}
    return render(request, "accounts/home.html", {
        "user": user, "claims": claims, "roles": roles, "homes": homes, "email_form": email_form,
        "errors": errors or {}, "sends_mail": request.app.state.settings.sends_mail,
    }, status=status)


def set_language(request: Request) -> Response:
    """中文 / English: the choice is kept in a cookie, and on the account of a logged-in person who sends the
    switcher's form (a plain link still works, without storing anything)."""
    source = request.query_params if request.method == "GET" else forms.form(request)
    raw = source.get("locale")
    locale = i18n.normalise(raw[:10] if isinstance(raw, str) else "") or i18n.DEFAULT_LOCALE
    back = source.get("next")
    response = redirect(safe_next(back if isinstance(back, str) else None))
    response.set_cookie(i18n.LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax", httponly=True)
    user = current_user(request)
    if request.method == "POST" and user is not None and user.locale != locale:
        actions.do_set_locale(db(request), user.id, locale)  # type: ignore[arg-type]
    return response


def claim(request: Request) -> Response:
    """Choose community → compound → building → household, then say who you are."""
    user = require_user(request)
    if request.method == "POST":
        return _submit_claim(request, user)
    raw = request.query_params.get("place")
    place = None
    if raw:
        if not raw.isdigit():
            raise HTTPException(400, _("地点编号无效。"))
        place = get_or_404(db(request), Place, raw)
        ensure(request, Act.CLAIM_HOUSEHOLD, place)
    return _claim_page(request, place, values={}, errors={})


def _claim_page(request: Request, place: Place | None, *, values: dict, errors: dict, status: int = 200) -> Response:
    session = db(request)
    if place is None:
        options = list(session.exec(select(Place).where(Place.kind == PlaceKind.COMMUNITY).order_by(Place.name)).all())
    else:
        options = places.children(session, place)
    households: list[Household] = []
    if place is not None and place.kind == PlaceKind.BUILDING:
        households = list(session.exec(
            select(Household).where(Household.building_id == place.id).order_by(Household.number)
        ).all())
    trail = [*places.ancestors(session, place), place] if place else []
    return render(request, "accounts/claim.html", {
        "place": place, "options": options, "households": households, "trail": trail,
        "values": values, "errors": errors,
    }, status=status)


def _submit_claim(request: Request, user: User) -> Response:
    session = db(request)
    household = get_or_404(session, Household, forms.text(request, "household_id", max_length=12),
                           _("找不到这户房屋，请重新选择。"))
    building = session.get(Place, household.building_id)
    assert building is not None
    ensure(request, Act.CLAIM_HOUSEHOLD, building)
    name = forms.text(request, "name", max_length=60)
    note = forms.text(request, "note", max_length=500)
    birth_year, year_error = parse_birth_year(forms.text(request, "birth_year", max_length=10), utcnow().year)
    errors = {k: v for k, v in {
        "name": check_name(name, field=_("姓名")),
        "birth_year": year_error,
        "note": _("备注不能超过 500 个字。") if len(note) > 500 else None,
    }.items() if v}
    values = {"household_id": household.id, "name": name, "birth_year": forms.text(request, "birth_year"), "note": note}
    if errors:
        return _claim_page(request, building, values=values, errors=errors, status=422)
    try:
        actions.do_claim(session, user=user, household=household, name=name, birth_year=birth_year or 0, note=note)
    except actions.AccountError:
        session.rollback()
        raise HTTPException(409, _("您已认领过这户房屋，请等待核实结果。")) from None
    flash(request, _("认领申请已提交，社区工作人员核实后会通知您。"))
    return redirect(request.url_for("accounts:home").path)


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

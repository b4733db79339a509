"""The Jinja2 environment: translations, CSRF field, times in Asia/Shanghai."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from deliberate import i18n
from deliberate.db import from_centi
from deliberate.inbox.queries import unread_count
from deliberate.settings import PROJECT_ROOT, Settings
from deliberate.voting.tally import explain_stored
from deliberate.web import markdown, qr, sessions
from deliberate.web.auth import current_user
from deliberate.web.database import reader
from deliberate.web.middleware import CSRF_FIELD


@pass_context
def csrf_field(context: dict[str, Any]) -> Markup:
    request: Request = context["request"]
    token = sessions.csrf_token(request)
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token))


def yuan(centi: int | None) -> str:
    """An amount kept in fen, shown in yuan with thousands separators: 12,345.60."""
    return "" if centi is None else f"{from_centi(centi):,.2f}"


@pass_context
def url_path(context: dict[str, Any], name: str, /, **params: object) -> str:
    """Links as paths on this site: right behind any proxy, whatever Host it forwards."""
    return str(context["request"].app.url_path_for(name, **params))


@pass_context
def id_path(context: dict[str, Any], name: str, ident: int, /) -> str:
    """`url_for(name, id=ident)` for a route whose path ends in its id, with the router asked once per name:
    a list links each row by formatting, not by a route lookup (one costs a walk over every route)."""
    app = context["request"].app
    prefixes: dict[str, str] = app.state._state.setdefault("id_prefixes", {})
    if name not in prefixes:
        path = str(app.url_path_for(name, id=0))
        if not path.endswith("/0"):
            raise ValueError(f"{name} does not end in its id: {path}")
        prefixes[name] = path[:-1]
    return f"{prefixes[name]}{int(ident)}"


def make_templates(settings: Settings) -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(str(PROJECT_ROOT / "templates")),
        autoescape=select_autoescape(),
        extensions=["jinja2.ext.i18n"],
    )
    templates = Jinja2Templates(env=env, context_processors=[_context])
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    zone = ZoneInfo(settings.timezone)

    def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        if value is None:
            return ""
        return value.astimezone(zone).strftime(fmt)

    def area(value: Decimal | None) -> str:
        return "" if value is None else f"{value:.2f}"

    env.filters["local_time"] = local_time
    env.filters["area"] = area
    env.filters["fromjson"] = json.loads
    env.filters["markdown"] = markdown.render
    env.filters["yuan"] = yuan
    env.globals["url_for"] = url_path
    env.globals["id_path"] = id_path
    env.globals["csrf_field"] = csrf_field
    env.globals["explain_result"] = explain_stored
    env.globals["LOCALE_NAMES"] = i18n.LOCALE_NAMES
    env.globals["public_address"] = qr.public_address
    env.globals["qr_svg"] = qr.qr_svg
    return templates


def _context(request: Request) -> dict[str, Any]:
    user = current_user(request)
    locale = request.state._state.get("locale", i18n.DEFAULT_LOCALE)
    return {
        "locale": locale,
        "html_lang": i18n.html_lang(locale),
        "current_user": user,
        "unread": unread_count(reader(request), user) if user is not None else 0,
        "flashes": sessions.pop_flashes(request),
    }

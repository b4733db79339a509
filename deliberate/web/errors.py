"""Error pages in the user's language, for HTML and for `.json` twins alike."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import urlsplit

from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from deliberate import i18n
from deliberate.refusal import Refused
from deliberate.web import database
from deliberate.web.auth import current_user, login_url

_ = i18n.gettext
log = logging.getLogger(__name__)


def titles() -> dict[int, str]:
    """What happened, in words: the page's title and heading. The status number comes last, small."""
    return {
        400: _("无法理解这个请求"),
        403: _("您没有权限做这件事"),
        404: _("找不到这个页面"),
        405: _("这个页面不能这样打开"),
        409: _("这一步现在做不了"),
        413: _("提交的内容太大"),
        422: _("提交的内容需要修改"),
        429: _("尝试次数过多"),
        500: _("服务器出错了"),
        503: _("系统繁忙"),
    }


def explanations() -> dict[int, str]:
    return {
        400: _("请求无法理解，请检查后重试。"),
        403: _("您没有权限进行此操作。如有疑问，请联系社区工作人员。"),
        404: _("您要找的页面不存在，可能已被删除或地址有误。"),
        405: _("此页面不支持这种请求方式。"),
        409: _("此操作与当前状态冲突，请刷新页面查看最新情况。"),
        413: _("提交的内容超过了允许的大小，请缩小文件后重试。"),
        422: _("提交的内容有误，请修改后重试。"),
        429: _("请稍后再试。"),
        500: _("服务器遇到了问题，我们已记录下来。请稍后再试，您已保存的内容不会丢失。"),
        503: _("现在同时提交的人很多，您这次的操作没有保存。请过几秒钟再提交一次。"),
    }


def wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json") or request.headers.get("accept", "").startswith(
        "application/json"
    )


def error_response(request: Request, status: int, detail: str | None = None) -> Response:
    # A 500 is rendered by the outermost middleware, after the language of the request was reset.
    state = request.scope.setdefault("state", {})
    locale = state.get("locale")
    token = i18n.current_locale.set(locale) if locale else None
    had_session = database.is_open(state)
    try:
        return _error_response(request, status, detail)
    finally:
        if token is not None:
            i18n.current_locale.reset(token)
        if not had_session:
            # Opened while rendering (who is logged in?) after the request's own were closed.
            database.close(state)


def _error_response(request: Request, status: int, detail: str | None) -> Response:
    title = titles().get(status, str(status))
    message = detail or explanations().get(status, title)
    if wants_json(request):
        return JSONResponse({"error": {"status": status, "title": title, "message": message}}, status)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": title, "message": message, "back": _back(request)},
        status_code=status,
    )


def _back(request: Request) -> str | None:
    """The page a refused form was sent from, if it is one of ours: the way back to try again."""
    referer = urlsplit(request.headers.get("referer", ""))
    if not referer.path.startswith("/") or referer.netloc != request.headers.get("host", ""):
        return None
    if request.method == "GET" and referer.path == request.url.path:
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def _detail(exc: HTTPException) -> str | None:
    # Starlette fills `detail` with the English reason phrase when none is given: not ours to show.
    try:
        default = HTTPStatus(exc.status_code).phrase
    except ValueError:
        default = ""
    if not exc.detail or exc.detail == default or exc.detail == "Content Too Large":
        return None
    return exc.detail


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = error_response(request, exc.status_code, _detail(exc))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def refused(request: Request, exc: Exception) -> Response:
    """A refusal from the rules: its status and sentence; a stranger refused is asked to log in first."""
    assert isinstance(exc, Refused)
    if exc.status == 403 and current_user(request) is None:
        return RedirectResponse(login_url(_asked_for(request)), status_code=303)
    return error_response(request, exc.status, exc.message or None)


def _asked_for(request: Request) -> str:
    """Where to come back after logging in: the page, or for a form the page it was sent from."""
    if request.method in ("GET", "HEAD"):
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return _back(request) or "/"


BUSY_RETRY_SECONDS = 5


async def database_error(request: Request, exc: Exception) -> Response:
    """SQLite's write lock not had within the busy timeout, or no PostgreSQL connection to be had: 503, nothing
    of this request saved (its transaction was rolled back by the request boundary), try again; any other
    database error is a 500."""
    assert isinstance(exc, OperationalError)
    if not is_busy(exc):
        log.error("database error in %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(request, 500)
    log.warning("database busy: %s %s answered 503", request.method, request.url.path)
    response = error_response(request, 503)
    response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response


def is_busy(exc: OperationalError) -> bool:
    """SQLite's lock not had in time, or PostgreSQL out of connections: it passes, try again."""
    text = str(exc.orig).lower()
    return any(sign in text for sign in ("database is locked", "database is busy", "too many clients"))


async def server_error(request: Request, exc: Exception) -> Response:
    return error_response(request, 500)

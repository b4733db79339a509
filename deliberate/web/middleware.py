"""Pure ASGI middleware: language, the request's database session, CSRF and origin checks."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deliberate import i18n
from deliberate.numbers import digits
from deliberate.web import database, sessions
from deliberate.web.errors import error_response

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
MAX_FILES = 20
MAX_FIELDS = 2000


class LocaleMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        locale = i18n.choose_locale(
            request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language")
        )
        token = i18n.current_locale.set(locale)
        scope.setdefault("state", {})["locale"] = locale
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current_locale.reset(token)


# Scripts, styles and images come from this site only, nothing runs inline, and no other site may frame a page
# (a one-button form such as co-signing or certifying cannot be clickjacked).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"


class SecurityHeadersMiddleware:
    """The headers every answer carries; a response that sets its own (a photo's stricter CSP) keeps it."""

    def __init__(self, app: ASGIApp, *, production: bool) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            *([(b"strict-transport-security", HSTS.encode())] if production else []),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _value in message.get("headers", [])}
                extra = [(name, value) for name, value in self.headers if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413)


class BodyLimitMiddleware:
    """Refuses a body over the limit with 413: at once when Content-Length says so, else as soon
    as the bytes received pass it, so a large upload is never read whole."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.limit = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        declared = request.headers.get("content-length", "")
        if digits(declared) and int(declared) > self.limit:
            await error_response(request, 413)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge()
            return message

        await self.app(scope, limited_receive, send)


class DatabaseSessionMiddleware:
    """Closes the request's database sessions, if a handler opened any, once the response is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        try:
            await self.app(scope, receive, send)
        finally:
            database.close(state)


class FormGuardMiddleware:
    """Reads the form of every unsafe request once, and refuses it unless it carries this
    session's CSRF token and comes from this site. Handlers find it in `request.state.form`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if not same_origin(request):
            await error_response(request, 403, i18n.gettext("请求来自其他网站，已拒绝。"))(scope, receive, send)
            return
        try:
            form = await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS)
        except HTTPException as exc:
            await error_response(request, exc.status_code)(scope, receive, send)
            return
        except (MultiPartException, ValueError, UnicodeDecodeError):
            await error_response(request, 400, i18n.gettext("表单内容无法读取。"))(scope, receive, send)
            return
        try:
            if not _token_matches(request, form):
                message = i18n.gettext("表单已过期或无效，请返回刷新页面后重试。")
                await error_response(request, 403, message)(scope, receive, send)
                return
            scope["state"]["form"] = form
            await self.app(scope, receive, send)
        finally:
            await form.close()


def _token_matches(request: Request, form: FormData) -> bool:
    sent = form.get(CSRF_FIELD)
    return isinstance(sent, str) and sessions.csrf_matches(request, sent)


def same_origin(request: Request) -> bool:
    """An Origin (or, lacking it, a Referer) naming another host is refused."""
    host = request.headers.get("host", "")
    origin = request.headers.get("origin")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc == host
    referer = request.headers.get("referer")
    if referer:
        return urlsplit(referer).netloc == host
    return True

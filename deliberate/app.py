"""create_app(settings) -> Starlette: routes, middleware, error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import partial

import anyio.to_thread
from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from deliberate import ticker
from deliberate.accounts import staff_views
from deliberate.accounts import views as account_views
from deliberate.audit import recording
from deliberate.audit import views as audit_views
from deliberate.db import Database
from deliberate.discussion import views as discussion_views
from deliberate.inbox import mailing
from deliberate.inbox import views as inbox_views
from deliberate.mail import SmtpSender
from deliberate.meetings import views as meeting_views
from deliberate.opendata import views as opendata_views
from deliberate.periodic import Periodic
from deliberate.places import views as place_views
from deliberate.proposals import list_views as proposal_list_views
from deliberate.proposals import tracking_views
from deliberate.proposals import views as proposal_views
from deliberate.refusal import Refused
from deliberate.settings import PROJECT_ROOT, Settings
from deliberate.statistics import views as statistics_views
from deliberate.voting import views as vote_views
from deliberate.web import errors
from deliberate.web.auth import LoginRequired, acting_user_id, login_url
from deliberate.web.database import unit_of_work
from deliberate.web.favicon import favicon
from deliberate.web.middleware import (
    BodyLimitMiddleware,
    DatabaseSessionMiddleware,
    FormGuardMiddleware,
    LocaleMiddleware,
    SecurityHeadersMiddleware,
)
from deliberate.web.page_cache import CachedPage
from deliberate.web.page_cache import make as make_page_cache
from deliberate.web.responses import PublicPage, namespaced, redirect
from deliberate.web.templating import make_templates


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return redirect(login_url(exc.next_url))


def _background(settings: Settings, database: Database) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """While the app runs: the clock's work every few seconds, and e-mail of notifications if SMTP is set."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Sync handlers run on this pool; the database pool is sized to it (Settings.pool_size).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        workers = []
        if settings.tick_interval_seconds:
            workers.append(Periodic("clock", partial(ticker.tick_round, database), settings.tick_interval_seconds))
        if settings.sends_mail:
            send_once = partial(mailing.send_pending, database, SmtpSender(settings))
            workers.append(Periodic("mail", send_once, settings.mail_interval_seconds))
        for worker in workers:
            worker.start()
        yield
        for worker in workers:
            worker.stop()

    return lifespan


def _each_in_one_transaction(routes: list[Route]) -> list[Route]:
    """Every handler behind the request boundary that commits its one transaction (web/database.py); a public
    page behind the cache of what anonymous visitors see (web/page_cache.py)."""
    return [_bounded(r) for r in routes]


def _bounded(route: Route) -> Route:
    endpoint = unit_of_work(route.endpoint)
    methods = sorted(route.methods or ())
    if isinstance(route, PublicPage):
        page = PublicPage(route.path, endpoint, methods=methods, name=route.name)
        page.app = CachedPage(page.app)
        return page
    return Route(route.path, endpoint, methods=methods, name=route.name)


def create_app(settings: Settings | None = None, database: Database | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    settings.check()
    database = database or Database(settings)
    # Every change on the record in this process too: a worker that uvicorn starts imports only deliberate.asgi,
    # never deliberate.models, which installs the audit log's listener in the processes that import it.
    recording.install()
    routes = [
        *_each_in_one_transaction([
            *place_views.home_routes,
            *namespaced("accounts", account_views.routes),
            *namespaced("staff", staff_views.routes),
            *namespaced("places", place_views.routes),
            *namespaced("votes", vote_views.routes),
            *namespaced("proposals", proposal_list_views.routes),
            *namespaced("proposals", proposal_views.routes),
            *namespaced("tracking", tracking_views.routes),
            *namespaced("discussion", discussion_views.routes),
            *namespaced("meetings", meeting_views.routes),
            *namespaced("inbox", inbox_views.routes),
            *namespaced("audit", audit_views.routes),
            *namespaced("opendata", opendata_views.routes),
            *namespaced("statistics", statistics_views.routes),
        ]),
        Mount("/static", StaticFiles(directory=str(PROJECT_ROOT / "static")), name="static"),
        Route("/favicon.ico", favicon, methods=["GET"], name="favicon"),
    ]
    middleware = [
        Middleware(SecurityHeadersMiddleware, production=settings.production),
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            session_cookie="deliberate_session",
            max_age=settings.session_absolute_hours * 3600,
            same_site="lax",
            https_only=settings.cookie_secure,
        ),
        Middleware(LocaleMiddleware),
        Middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes),
        Middleware(DatabaseSessionMiddleware),
        Middleware(FormGuardMiddleware),
    ]
    app = Starlette(
        debug=False,
        routes=routes,
        middleware=middleware,
        lifespan=_background(settings, database),
        exception_handlers={
            HTTPException: errors.http_exception,
            Refused: errors.refused,
            OperationalError: errors.database_error,
            LoginRequired: _login_required,
            500: errors.server_error,
        },
    )
    app.state.settings = settings
    app.state.db = database
    app.state.templates = make_templates(settings)
    app.state.page_cache = make_page_cache(database.version, seconds=settings.page_cache_seconds,
                                           megabytes=settings.page_cache_mb)
    app.state.acting_user = acting_user_id
    return app

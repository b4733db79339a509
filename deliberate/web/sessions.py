"""The browser's side of a session: the signed cookie, its CSRF seed and its messages (flashes).

The cookie (Starlette's SessionMiddleware, signed with SECRET_KEY) carries a random login token, a random
CSRF seed and the messages waiting to be shown after a redirect — never anything about the person. Only a
login has a row in the database (`deliberate.accounts.sessions`); an anonymous visitor's pages write nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from starlette.requests import Request

from deliberate.accounts import sessions
from deliberate.accounts.models import WebSession
from deliberate.clock import utcnow
from deliberate.web.database import memo, reader, touch_later, writer

LOGIN_KEY = "sid"
CSRF_KEY = "csrf"
FLASH_KEY = "flash"
MAX_FLASHES = 5  # the cookie stays small however many redirects pile messages up
MAX_FLASH_LENGTH = 300
_CACHE = "browser_session"


def current(request: Request) -> WebSession | None:
    """This browser's live login, or None."""
    return memo(request, _CACHE, lambda: _load(request))


def _load(request: Request) -> WebSession | None:
    token = request.session.get(LOGIN_KEY)
    if not isinstance(token, str):
        return None
    settings = request.app.state.settings
    record = sessions.find(reader(request), token)
    now = utcnow()
    if record is None or not sessions.is_live(record, now=now, idle=timedelta(minutes=settings.session_idle_minutes),
                                              absolute=timedelta(hours=settings.session_absolute_hours)):
        request.session.pop(LOGIN_KEY, None)  # the clock sweeps the row away; the cookie forgets it now
        return None
    if sessions.is_stale(record, now):
        touch_later(request, record.id)
    return record


def start_for_user(request: Request, user_id: int) -> WebSession:
    """Log in, in the request's transaction: a new token replaces the old (no fixation), a new CSRF seed too."""
    old = current(request)
    if old is not None:
        sessions.do_end(writer(request), old.id)
    token, record = sessions.do_start(writer(request), user_id)
    request.session[LOGIN_KEY] = token
    request.session[CSRF_KEY] = _new_seed()
    request.state._state[_CACHE] = record
    touch_later(request, None)
    return record


def end(request: Request) -> None:
    record = current(request)
    if record is not None:
        sessions.do_end(writer(request), record.id)
    request.session.pop(LOGIN_KEY, None)
    request.session[CSRF_KEY] = _new_seed()
    request.state._state[_CACHE] = None
    touch_later(request, None)


# CSRF -------------------------------------------------------------------------------------------


def _new_seed() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(request: Request) -> str:
    """The token this browser's forms carry: derived from the seed in its cookie, so it needs no row."""
    seed = request.session.get(CSRF_KEY)
    if not isinstance(seed, str):
        seed = request.session[CSRF_KEY] = _new_seed()
    return _sign(request, seed)


def csrf_matches(request: Request, sent: str) -> bool:
    seed = request.session.get(CSRF_KEY)
    if not isinstance(seed, str) or not sent:
        return False
    return hmac.compare_digest(sent.encode(), _sign(request, seed).encode())


def _sign(request: Request, seed: str) -> str:
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()


# Flashes ----------------------------------------------------------------------------------------


def add_flash(request: Request, category: str, message: str) -> None:
    pending = request.session.get(FLASH_KEY)
    pending = pending if isinstance(pending, list) else []
    request.session[FLASH_KEY] = [*pending, [category, message[:MAX_FLASH_LENGTH]]][-MAX_FLASHES:]


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    pending = request.session.pop(FLASH_KEY, None)
    if not isinstance(pending, list):
        return []
    return [(item[0], item[1]) for item in pending
            if isinstance(item, list) and len(item) == 2 and all(isinstance(part, str) for part in item)]

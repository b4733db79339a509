"""Public pages as an anonymous visitor sees them, kept in each server process and served without a query.

Freshness: a kept page is served only while the database's data version (deliberate/data_version.py) is
what it was before the page was rendered, so never after anything was committed by anyone, in any process;
and for at most PAGE_CACHE_SECONDS, for what changes with the time alone (how long a vote has left). Only a
GET of a public page (`PublicPage`) by a visitor who is not logged in and has no message waiting, answered
200 in one piece without a cookie of its own, is kept; the page's CSRF token is replaced by each visitor's
own. The key is the path, the query, the language, whether JSON was asked for, and how tests moved the clock.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

import anyio.to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deliberate import clock, i18n
from deliberate.data_version import DataVersion
from deliberate.web import sessions

MAX_PAGE_BYTES = 1024 * 1024  # a larger page is rare and would crowd out the rest

Key = tuple[object, ...]


@dataclass(frozen=True)
class Kept:
    version: object
    born: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    token: bytes | None  # the CSRF token in `body`, replaced by each visitor's own

    @property
    def size(self) -> int:
        return len(self.body) + 256


class PageCache:
    """The kept pages of one process, least recently used first, within `max_bytes`."""

    def __init__(self, version: DataVersion, *, max_age: float, max_bytes: int) -> None:
        self.version = version
        self.max_age = max_age
        self.max_bytes = max_bytes
        self.used = 0
        self._pages: OrderedDict[Key, Kept] = OrderedDict()
        self.rendering: dict[Key, anyio.Event] = {}  # a page being rendered: who asks for it meanwhile waits
        self.hits = self.misses = 0

    async def current_version(self) -> object | None:
        if self.version.sqlite:
            return self.version.current()  # a pragma on a local file: microseconds, the loop need not wait
        return await anyio.to_thread.run_sync(self.version.current)

    def get(self, key: Key, version: object | None) -> Kept | None:
        kept = self._pages.get(key)
        if kept is None or version is None:
            return None
        if kept.version != version or time.monotonic() - kept.born > self.max_age:
            self._drop(key)
            return None
        self._pages.move_to_end(key)
        return kept

    def put(self, key: Key, kept: Kept) -> None:
        if kept.size > min(MAX_PAGE_BYTES, self.max_bytes):
            return
        self._drop(key)
        self._pages[key] = kept
        self.used += kept.size
        while self.used > self.max_bytes:
            self._drop(next(iter(self._pages)))

    def _drop(self, key: Key) -> None:
        kept = self._pages.pop(key, None)
        if kept is not None:
            self.used -= kept.size

    def __len__(self) -> int:
        return len(self._pages)


def make(version: DataVersion, *, seconds: int, megabytes: int) -> PageCache | None:
    if seconds <= 0 or megabytes <= 0 or not version.usable:
        return None
    return PageCache(version, max_age=seconds, max_bytes=megabytes * 1024 * 1024)


class CachedPage:
    """A public page's ASGI app, answered from the process's PageCache when it may be."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache: PageCache | None = scope["app"].state.page_cache
        if cache is None or scope["method"] != "GET" or not _anonymous(scope):
            await self.app(scope, receive, send)
            return
        key = _key(scope)
        version = await cache.current_version()  # before rendering: a later commit can only make it stale
        rendering = cache.rendering.get(key)
        if rendering is not None:  # sixteen visitors of a page just changed wait for one rendering, not sixteen
            await rendering.wait()
        kept = cache.get(key, version)
        if kept is not None:
            cache.hits += 1
            await _answer(scope, send, kept)
            return
        cache.misses += 1
        leads = rendering is None and version is not None  # the others asking meanwhile wait for this one
        if leads:
            cache.rendering[key] = anyio.Event()
        try:
            await self._render(scope, receive, send, cache, key, version)
        finally:
            if leads:
                cache.rendering.pop(key).set()

    async def _render(self, scope: Scope, receive: Receive, send: Send, cache: PageCache, key: Key,
                      version: object | None) -> None:
        born = time.monotonic()
        sent: list[Message] = []

        async def keep_a_copy(message: Message) -> None:
            # A copy as the page sent it: the session's middleware adds its cookie to the message in place.
            sent.append({**message, "headers": list(message.get("headers", []))})
            await send(message)

        await self.app(scope, receive, keep_a_copy)
        if version is not None:
            kept = _keepable(scope, sent, version, born)
            if kept is not None:
                cache.put(key, kept)


def _anonymous(scope: Scope) -> bool:
    session = scope.get("session") or {}
    return sessions.LOGIN_KEY not in session and sessions.FLASH_KEY not in session


def _key(scope: Scope) -> Key:
    accept = next((value for name, value in scope["headers"] if name == b"accept"), b"")
    locale = scope.get("state", {}).get("locale", i18n.DEFAULT_LOCALE)
    return (scope["path"], scope["query_string"], locale, accept.startswith(b"application/json"), clock.moved())


def _keepable(scope: Scope, sent: list[Message], version: object, born: float) -> Kept | None:
    """The page just sent, if it came whole (one body message), 200, and without a cookie of its own."""
    sent = [message for message in sent if message["type"] != "http.response.debug"]  # the test client's
    if len(sent) != 2 or sent[0]["type"] != "http.response.start" or sent[1].get("more_body"):
        return None
    start, body_message = sent
    headers = [(bytes(name), bytes(value)) for name, value in start.get("headers", [])]
    if start["status"] != 200 or any(name.lower() == b"set-cookie" for name, _value in headers):
        return None
    body = bytes(body_message.get("body", b""))
    token: bytes | None = None
    if sessions.CSRF_KEY in (scope.get("session") or {}):
        mine = sessions.csrf_token(Request(scope)).encode()
        token = mine if mine in body else None
    return Kept(version, born, start["status"], headers, body, token)


async def _answer(scope: Scope, send: Send, kept: Kept) -> None:
    body, headers = kept.body, kept.headers
    if kept.token is not None:  # this visitor's forms carry this visitor's token (a new one makes its cookie)
        body = body.replace(kept.token, sessions.csrf_token(Request(scope)).encode())
        if len(body) != len(kept.body):
            headers = [(name, value) for name, value in headers if name.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": kept.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

"""Rendering a page or its `.json` twin, redirecting after a post, flashing a message."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from deliberate.web import sessions
from deliberate.web.errors import wants_json


def json_stream(head: dict[str, Any], key: str, items: Iterator[Any], *, batch: int = 1000) -> StreamingResponse:
    """A JSON object written as it is read: `head`'s keys, then `key` with the items, `batch` at a time, so that
    an export of a million ballots is never held whole (as JSONResponse would, in the bytes and before them)."""

    def chunks() -> Iterator[bytes]:
        opening = json.dumps(jsonable(head), ensure_ascii=False)[:-1]
        yield (opening + (", " if head else "") + json.dumps(key) + ": [").encode()
        first = True
        for group in _batched(items, batch):
            text = ", ".join(json.dumps(jsonable(item), ensure_ascii=False) for item in group)
            yield ((", " if not first else "") + text).encode()
            first = False
        yield b"]}"

    return StreamingResponse(chunks(), media_type="application/json")


def _batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    group: list[Any] = []
    for item in items:
        group.append(item)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def render(
    request: Request,
    template: str,
    context: Any = None,
    *,
    data: dict[str, Any] | None = None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The HTML page, or for a `.json` twin the same facts as JSON.

    `context` is a dict, or a page object (a dataclass from a domain's queries): its fields are the template's
    names, and its `as_json(url_for)`, if it has one, is the `.json` twin. `extra`: more names for the HTML
    page only (what another domain adds to it, such as the open votes a person may cast)."""
    if is_dataclass(context) and not isinstance(context, type):
        page = context
        context = {f.name: getattr(page, f.name) for f in fields(page)}
        as_json = getattr(page, "as_json", None)
        if data is None and as_json is not None and wants_json(request):
            data = as_json(request.app.url_path_for)
    if data is not None and wants_json(request):
        return JSONResponse(jsonable(data), status_code=status)
    context = dict(context or {}) | (extra or {})
    if data is not None:
        context.setdefault("data", data)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status)


def path_for(request: Request, name: str, /, **params: object) -> str:
    """A route's path on this site (not an absolute URL: right behind any proxy, whatever Host it forwards)."""
    return str(request.app.url_path_for(name, **params))


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def flash(request: Request, message: str, category: str = "success") -> None:
    sessions.add_flash(request, category, message)


def namespaced(namespace: str, routes: list[Route]) -> list[Route]:
    """Names routes "namespace:name" for url_for, without a Mount (an empty-prefix Mount would
    claim every path for itself)."""
    prefix = namespace + ":"
    for route in routes:
        if not route.name.startswith(prefix):  # apps are created more than once (tests)
            route.name = prefix + route.name
    return routes


class PublicPage(Route):
    """A page anyone may open: what an anonymous visitor sees of it may be kept (web/page_cache.py)."""


def public_routes(path: str, endpoint: Callable[..., Any], name: str) -> list[Route]:
    """A public page and its `.json` twin: the same URL with `.json`."""
    twin = "/index.json" if path == "/" else path + ".json"
    return [
        PublicPage(path, endpoint, methods=["GET"], name=name),
        PublicPage(twin, endpoint, methods=["GET"], name=name + ".json"),
    ]

"""`/favicon.ico`, which browsers ask for on every site whatever the page links: the icon, kept for a month."""

from __future__ import annotations

from functools import cache

from starlette.requests import Request
from starlette.responses import Response

from deliberate.settings import PROJECT_ROOT

CACHE_CONTROL = "public, max-age=2592000"  # 30 days: the address never changes, the icon rarely does


@cache
def _icon() -> bytes:
    return (PROJECT_ROOT / "static" / "favicon.ico").read_bytes()


def favicon(request: Request) -> Response:
    return Response(_icon(), media_type="image/x-icon", headers={"Cache-Control": CACHE_CONTROL})

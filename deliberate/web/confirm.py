"""Asking again before an irreversible step, without JavaScript: the same form, posted once more with `confirmed`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from deliberate.web.forms import form
from deliberate.web.middleware import CSRF_FIELD
from deliberate.web.responses import render

CONFIRMED_FIELD = "confirmed"


def confirmed(request: Request) -> bool:
    return form(request).get(CONFIRMED_FIELD) == "yes"


def ask_to_confirm(request: Request, *, title: str, what: str, consequence: str, button: str,
                   back: str) -> Response:
    """A page that says what the step will do and that it cannot be undone; its button posts the same fields again.

    Nothing is written: the handler calls this before its action, when `confirmed(request)` is false."""
    kept = [(name, value) for name, value in form(request).multi_items()
            if name not in (CSRF_FIELD, CONFIRMED_FIELD) and isinstance(value, str)]
    return render(request, "confirm.html", {
        "title": title, "what": what, "consequence": consequence, "button": button, "back": back,
        "action": request.url.path, "kept": kept, "confirmed_field": CONFIRMED_FIELD,
    })

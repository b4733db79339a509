"""A person's notifications (通知): what happened in the proposals they follow and the talk they took part in."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deliberate.i18n import gettext as _
from deliberate.inbox import actions, queries
from deliberate.web.auth import db, require_user
from deliberate.web.responses import flash, redirect, render


def notifications(request: Request) -> Response:
    user = require_user(request)
    if request.method == "POST":
        actions.do_mark_read(db(request), user)
        flash(request, _("已全部标为已读。"))
        return redirect(request.app.url_path_for("inbox:notifications"))
    return render(request, "inbox/notifications.html", {"items": queries.recent(db(request), user)})


routes = [
    Route("/notifications", notifications, methods=["GET", "POST"], name="notifications"),
]

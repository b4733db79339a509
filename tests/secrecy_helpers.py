"""What the secrecy tests share: finding a receipt in a page, and recording every statement sent."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from client_helpers import login, post
from factories import grant, make_user
from sqlalchemy import event
from starlette.testclient import TestClient

from deliberate.accounts.models import Role
from deliberate.clock import utcnow

RECEIPT = re.compile(r"<code>([0-9A-Z]{5}-[0-9A-Z]{5})</code>")


class StatementLog:
    """Every statement the app sends to the database, with its parameters, while it is attached."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.seen: list[tuple[str, str]] = []

    def __enter__(self) -> StatementLog:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        self.seen.append((statement, repr(parameters)))

    def writes_carrying(self, secret: str) -> list[str]:
        return [statement for statement, parameters in self.seen if secret in parameters]


def open_secret_vote(app, session, building, electorate: str) -> int:  # type: ignore[no-untyped-def]
    """A secret yes/no vote on `building`, created and opened by a member of its council; its id."""
    council = make_user(session, "council")
    grant(session, council, Role.COUNCIL, building)
    client = TestClient(app, follow_redirects=False)
    login(client, "council")
    closes = (utcnow() + timedelta(days=3)).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")
    url = f"/places/{building.id}/votes/new"
    created = post(client, url, {"title": "巷道铺装", "form": "yes_no", "rule": "majority", "electorate": electorate,
                                 "closes_at": closes, "secret": "1"}, form_page=url)
    vote_id = int(created.headers["location"].rsplit("/", 1)[1])
    post(client, f"/votes/{vote_id}/open", form_page=f"/votes/{vote_id}")
    return vote_id

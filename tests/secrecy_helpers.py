"""What the secrecy tests share: finding a receipt in a page, and recording every statement sent."""

from __future__ import annotations

import re

from sqlalchemy import event

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

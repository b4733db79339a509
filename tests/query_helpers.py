"""Counting the SQL statements a request sends: a page that reads as much for many rows as for few has none per row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The statements sent through `engine` inside the block, in order."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements(client: TestClient, url: str) -> int:
    """How many SQL statements the page at `url` takes (it must answer 200)."""
    engine = client.app.state.db.engine  # type: ignore[attr-defined]
    with counted(engine) as seen:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(seen)

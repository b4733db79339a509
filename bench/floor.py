"""The floors of `make bench`: what the same uvicorn serves when the application does nothing.

`uvicorn bench.floor:app` answers each page benchmarked with its bytes, captured from the real app, from
memory (BENCH_FLOOR_PAGES: a JSON manifest {path with query: [content type, body file]}), and
`POST /floor/ballot` parses a form with Starlette's parser (python-multipart) and commits one row, on SQLite
with the app's pragmas or on PostgreSQL (BENCH_FLOOR_DATABASE_URL, in SQLAlchemy's spelling).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

BALLOT_PATH = "/floor/ballot"
TABLE = "bench_floor_ballot"
BUSY_TIMEOUT_MS = 10_000  # deliberate.settings.Settings.sqlite_busy_timeout_ms


def load_pages(manifest: Path) -> dict[str, tuple[str, bytes]]:
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    return {path: (content_type, (manifest.parent / body).read_bytes())
            for path, (content_type, body) in entries.items()}


class Committer:
    """One row per call, committed; a connection per thread (the app's pool does as much)."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.local = threading.local()
        self.sqlite = database_url.startswith("sqlite")

    def _connect(self) -> Any:
        connection: Any
        if self.sqlite:
            connection = sqlite3.connect(self.database_url.removeprefix("sqlite:///"), isolation_level=None,
                                         check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", f"busy_timeout={BUSY_TIMEOUT_MS}",
                           "synchronous=NORMAL", "secure_delete=ON"):  # as deliberate.db does
                connection.execute(f"PRAGMA {pragma}")
            key = "INTEGER PRIMARY KEY AUTOINCREMENT"
        else:
            import psycopg

            connection = psycopg.connect(self.database_url.replace("postgresql+psycopg://", "postgresql://"),
                                         autocommit=True)
            key = "SERIAL PRIMARY KEY"
        connection.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id {key}, voter TEXT NOT NULL, "
                           "choice TEXT NOT NULL, at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)")
        return connection

    def commit(self, voter: str, choice: str) -> None:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = self._connect()
        if self.sqlite:
            connection.execute("BEGIN IMMEDIATE")  # as the app's writers begin
            connection.execute(f"INSERT INTO {TABLE} (voter, choice) VALUES (?, ?)", (voter, choice))
            connection.execute("COMMIT")
        else:
            with connection.transaction():
                connection.execute(f"INSERT INTO {TABLE} (voter, choice) VALUES (%s, %s)", (voter, choice))


def create_floor(pages: dict[str, tuple[str, bytes]], database_url: str | None) -> Starlette:
    committer = Committer(database_url) if database_url else None

    async def page(request: Request) -> Response:
        key = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        found = pages.get(key)
        if found is None:
            return PlainTextResponse("not a benchmarked page", status_code=404)
        return Response(found[1], media_type=found[0])

    async def ballot(request: Request) -> Response:
        if committer is None:
            return PlainTextResponse("no floor database", status_code=500)
        form = await request.form()
        voter, choice = str(form.get("entry", "")), ",".join(str(v) for v in form.getlist("choice"))
        await run_in_threadpool(committer.commit, voter, choice)
        return RedirectResponse("/", status_code=303)

    return Starlette(routes=[Route(BALLOT_PATH, ballot, methods=["POST"]),
                             Route("/{path:path}", page, methods=["GET"])])


def _from_env() -> Starlette:
    manifest = os.environ.get("BENCH_FLOOR_PAGES")
    return create_floor(load_pages(Path(manifest)) if manifest else {}, os.environ.get("BENCH_FLOOR_DATABASE_URL"))


app = _from_env()

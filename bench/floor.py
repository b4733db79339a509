"""The floors of `make bench`: what the same uvicorn serves when the application does nothing.

`uvicorn bench.floor:app` answers each page benchmarked with its bytes, captured from the real app, from
memory (BENCH_FLOOR_PAGES: a JSON manifest {path with query: [content type, body file]}), and
`POST /floor/ballot` parses a form with Starlette's parser (python-multipart) and commits one row through an
engine made by deliberate.db, so with the app's pool and SQLite pragmas (WAL, synchronous=NORMAL, foreign keys,
busy timeout), to BENCH_FLOOR_DATABASE_URL: a SQLite file, or the app's own PostgreSQL database. `make_table`
(called by the harness, once) creates its table.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from deliberate.db import IMMEDIATE, make_engine
from deliberate.settings import Settings

BALLOT_PATH = "/floor/ballot"
TABLE = "bench_floor_ballot"


def load_pages(manifest: Path) -> dict[str, tuple[str, bytes]]:
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    return {path: (content_type, (manifest.parent / body).read_bytes())
            for path, (content_type, body) in entries.items()}


def make_table(database_url: str) -> Engine:
    """The floor's engine, made as the app makes its own (deliberate.db: pool, pragmas), and its table, new."""
    engine = make_engine(replace(Settings(), database_url=database_url))
    key = "INTEGER PRIMARY KEY AUTOINCREMENT" if engine.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
        connection.exec_driver_sql(f"CREATE TABLE {TABLE} (id {key}, voter TEXT NOT NULL, choice TEXT NOT NULL, "
                                   "at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)")
    return engine


class Committer:
    """One row per call, committed in a writer's transaction (BEGIN IMMEDIATE on SQLite, as the app's)."""

    def __init__(self, database_url: str) -> None:
        self.writer = make_engine(replace(Settings(), database_url=database_url)).execution_options(
            **{IMMEDIATE: True})
        self.insert = text(f"INSERT INTO {TABLE} (voter, choice) VALUES (:voter, :choice)")

    def commit(self, voter: str, choice: str) -> None:
        with self.writer.begin() as connection:
            connection.execute(self.insert, {"voter": voter, "choice": choice})


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

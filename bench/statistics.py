"""Time the statistics pages in-process on a loaded bench database: each page rendered for a logged-in reader
(so never from the cache of public pages), the SQL statements it sends, the time they take in the database,
and the time and bytes of its charts.

    .venv/bin/python -m bench.statistics --database-url sqlite:///data/bench-small.db --urls bench/urls.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.testclient import TestClient

from deliberate.app import create_app
from deliberate.clock import utcnow
from deliberate.settings import Settings
from deliberate.statistics import periods, queries, report


@contextmanager
def timed_statements(engine: Engine) -> Iterator[list[float]]:
    """The seconds each statement sent through `engine` took inside the block."""
    seen: list[float] = []
    started: dict[int, float] = {}

    def before(_conn: Any, cursor: Any, *_args: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    def after(_conn: Any, cursor: Any, *_args: Any) -> None:
        seen.append(time.perf_counter() - started.pop(id(cursor), time.perf_counter()))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def measure(client: TestClient, engine: Engine, url: str, runs: int) -> dict[str, Any]:
    client.get(url)  # warm
    samples, statements, database = [], 0, 0.0
    size = 0
    for _ in range(runs):
        with timed_statements(engine) as seen:
            started = time.perf_counter()
            answer = client.get(url)
            samples.append(time.perf_counter() - started)
        assert answer.status_code == 200, (url, answer.status_code)
        statements, database, size = len(seen), sum(seen), len(answer.content)
    return {"url": url, "median_ms": round(statistics.median(samples) * 1000, 1),
            "max_ms": round(max(samples) * 1000, 1), "statements": statements,
            "database_ms": round(database * 1000, 1), "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--urls", default="bench/urls.json")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    urls = json.loads(Path(args.urls).read_text(encoding="utf-8"))
    settings = replace(Settings.from_env(), database_url=args.database_url, tick_interval_seconds=0,
                       page_cache_seconds=0)
    app = create_app(settings)
    engine = app.state.db.engine
    community = urls["pages"]["statistics"]
    pages = [community, community + "?period=" + f"{utcnow().year}", community + ".json", "/statistics",
             "/statistics.json"]
    results = []
    with TestClient(app) as client:
        for url in pages:
            results.append(measure(client, engine, url, args.runs))
    with app.state.db.session() as session:
        found = queries.figures(session, None, periods.last_12_months(utcnow().date()), utcnow())
        started = time.perf_counter()
        for _ in range(args.runs):
            drawn = report.chart_list(found)
        charts_ms = (time.perf_counter() - started) / args.runs * 1000
    print(json.dumps({"pages": results, "charts_ms": round(charts_ms, 1),
                      "chart_bytes": [len(c.svg.encode()) for c in drawn]}, indent=2))


if __name__ == "__main__":
    main()

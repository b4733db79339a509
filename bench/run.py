"""Page latency and memory on the demo community: `make bench` (or `python -m bench.run`).

Serves the app in-process on a fresh SQLite file with the demo community and times the pages a
resident and staff open most. Prints a table and appends the run to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select
from starlette.testclient import TestClient

from deliberate import demo
from deliberate.app import create_app
from deliberate.cli import db_upgrade
from deliberate.db import Database
from deliberate.places.models import Place, PlaceKind
from deliberate.settings import Settings

BUDGET_P95_MS = 50.0  # what a phone on a slow network should never have to wait on the server for


def _login(client: TestClient, username: str) -> None:
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.status_code


def _time(client: TestClient, url: str, repeat: int) -> list[float]:
    client.get(url)  # warm the caches once
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(Settings.from_env({}), database_url=f"sqlite:///{folder}/bench.db")
        db_upgrade(settings)
        database = Database(settings)
        with database.writing() as session:
            demo.load_demo(session)
        with database.session() as session:
            community = session.exec(select(Place).where(Place.kind == PlaceKind.COMMUNITY)).one()
            building = session.exec(select(Place).where(Place.kind == PlaceKind.BUILDING)).first()
        assert building is not None
        app = create_app(settings, database)
        rows = []
        with TestClient(app, follow_redirects=False) as anonymous, TestClient(app, follow_redirects=False) as staff:
            _login(staff, "staff")
            pages = [
                (anonymous, "/"),
                (anonymous, f"/places/{community.id}"),
                (anonymous, f"/places/{community.id}.json"),
                (anonymous, f"/places/{building.id}"),
                (staff, f"/places/{community.id}/households?page=10"),
                (staff, f"/places/{community.id}/claims"),
            ]
            for client, url in pages:
                samples = sorted(_time(client, url, args.repeat))
                p95 = samples[int(len(samples) * 0.95) - 1]
                rows.append((url, statistics.median(samples), p95))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = [f"| page | median ms | p95 ms | within {BUDGET_P95_MS:.0f} ms |", "|---|---:|---:|---|"]
    lines += [f"| `{url}` | {median:.1f} | {p95:.1f} | {'yes' if p95 <= BUDGET_P95_MS else 'NO'} |"
              for url, median, p95 in rows]
    lines.append(f"\nPeak resident memory of the process: {peak_mb:.0f} MB.")
    report = "\n".join(lines)
    print(report)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    with (Path(__file__).parent / "RESULTS.md").open("a", encoding="utf-8") as out:
        out.write(f"\n## {stamp} ({args.repeat} requests per page, SQLite, in-process)\n\n{report}\n")
    return 0 if all(p95 <= BUDGET_P95_MS for _url, _median, p95 in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

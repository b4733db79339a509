"""The proposal list of a large community: `python -m bench.proposals_list`.

Bulk-inserts 20,000 proposals spread over one community, its compounds and buildings, then times the
first page, a page deep in the list (the cursor of the row at position 15,000, in both sorts) and two
searches: the listing query alone (`listing.page_of`) and the whole page through the app in-process.
Keyset pages should cost the same at any depth; OFFSET pages would grow with it. SQLite by default;
`--database-url postgresql+psycopg://…/bench_db` for PostgreSQL (the database is wiped: its name must
contain "bench" or "test"). Prints a table and appends it to RESULTS.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import insert, text
from sqlmodel import Session
from starlette.testclient import TestClient

from deliberate.accounts.actions import do_register
from deliberate.app import create_app
from deliberate.cli import db_upgrade
from deliberate.db import Database
from deliberate.places.actions import do_create_place
from deliberate.places.models import Place
from deliberate.proposals import listing
from deliberate.proposals.models import Proposal
from deliberate.proposals.rules import Category, Stage
from deliberate.settings import Settings

TOTAL = 20_000
DEEP = 15_000
COMPOUNDS, BUILDINGS = 6, 8  # 1 + 6 + 48 places
TOPICS = ["停车位不够", "加装电梯", "楼道照明", "垃圾分类", "绿化带", "路面破损", "暖气不热", "老年食堂", "快递柜",
          "健身器材"]
STAGES = [Stage.COSIGNING, Stage.REVIEW, Stage.ACCEPTED, Stage.IMPLEMENTATION, Stage.CLOSED, Stage.REJECTED,
          Stage.DRAFT]
START = datetime(2024, 1, 1, tzinfo=UTC)


def _places(session: Session) -> list[Place]:
    community = do_create_place(session, kind="community", name="压力测试社区")
    made = [community]
    for c in range(COMPOUNDS):
        compound = do_create_place(session, kind="compound", name=f"{c + 1}区", parent=community)
        made.append(compound)
        made += [do_create_place(session, kind="building", name=f"{c + 1}区{b + 1}号楼", parent=compound)
                 for b in range(BUILDINGS)]
    return made


def load(session: Session) -> Place:
    """One community with TOTAL proposals; every seventh a draft, created_at ties among neighbours."""
    author = do_register(session, username="bench", display_name="压测", password="password123")
    places = _places(session)
    categories = list(Category)
    rows = []
    for n in range(TOTAL):
        at = START + timedelta(minutes=(n // 3) * 7)  # three proposals share each moment
        topic = TOPICS[n % len(TOPICS)]
        rows.append({
            "place_id": places[n % len(places)].id, "author_id": author.id, "title": f"关于{topic}的提案 {n}",
            "body": f"第{n}号提案：{topic}，请社区协调解决。" * 3, "category": categories[n % len(categories)].value,
            "stage": STAGES[n % len(STAGES)].value, "cosign_count": (n * 37) % 50, "cosigners_needed": 20,
            "stage_changed_at": at, "created_at": at, "updated_at": at,
        })
    session.execute(insert(Proposal), rows)
    session.flush()
    return places[0]


def _cursor_at(session: Session, community: Place, sort: listing.Sort, position: int) -> listing.Cursor:
    """The cursor of the row at `position`, where the page after it starts (setup only: OFFSET is fine here)."""
    statement = listing.ordered(listing.place_ids_within(session, community), listing.Filters(sort=sort))
    return listing.cursor_of(session.exec(statement.offset(position - 1).limit(1)).one(), sort)


def _samples(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and 95th percentile in ms, after one warm-up run."""
    run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def _get(client: TestClient, url: str) -> Callable[[], object]:
    def run() -> object:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response
    return run


def _query(database: Database, community: Place, filters: listing.Filters, after: listing.Cursor | None,
           size: int) -> Callable[[], object]:
    def run() -> object:
        with database.session() as session:  # a fresh session, as each request has
            return listing.page_of(session, community, filters, size=size, after=after)
    return run


def _settings(url: str | None, folder: str) -> Settings:
    settings = replace(Settings.from_env({}), database_url=url or f"sqlite:///{folder}/bench.db")
    if not settings.is_sqlite:
        name = settings.database_url.rsplit("/", 1)[-1]
        if "bench" not in name and "test" not in name:
            raise SystemExit("the benchmark wipes its database: name one with 'bench' or 'test' in it")
        database = Database(settings)
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        database.dispose()
    return settings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = _settings(args.database_url, folder)
        db_upgrade(settings)
        database = Database(settings)
        with database.writing() as session:
            community = load(session)
        with database.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        with database.session() as session:
            deep = {sort: _cursor_at(session, community, sort, DEEP) for sort in listing.Sort}
        newest, cosigns = listing.Filters(), listing.Filters(sort=listing.Sort.COSIGNS)
        cases = [
            ("first page, newest", newest, None, ""),
            (f"page after row {DEEP:,}, newest", newest, deep[listing.Sort.NEWEST], ""),
            ("first page, most co-signed", cosigns, None, ""),
            (f"page after row {DEEP:,}, most co-signed", cosigns, deep[listing.Sort.COSIGNS], ""),
            ("search 停车", listing.Filters(q="停车"), None, ""),
            ("search 电梯, open stages", listing.Filters(q="电梯", stage=listing.OPEN), None, ""),
            ("first page, JSON", newest, None, ".json"),
        ]
        rows = []
        with TestClient(create_app(settings, database), follow_redirects=False) as client:
            for label, filters, after, suffix in cases:
                params = {**filters.as_params(), **({"after": listing.encode_cursor(after)} if after else {})}
                url = f"/places/{community.id}/proposals{suffix}" + (f"?{urlencode(params)}" if params else "")
                query = _samples(_query(database, community, filters, after, settings.page_size), args.repeat)
                rows.append((label, query, _samples(_get(client, url), args.repeat)))
        database.dispose()
    engine = "SQLite" if settings.is_sqlite else "PostgreSQL"
    lines = ["| request | query median ms | query p95 ms | page median ms | page p95 ms |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {label} | {query[0]:.1f} | {query[1]:.1f} | {page[0]:.1f} | {page[1]:.1f} |"
              for label, query, page in rows]
    report = "\n".join(lines)
    print(report)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    with (Path(__file__).parent / "RESULTS.md").open("a", encoding="utf-8") as out:
        out.write(f"\n### Proposal list, {stamp} ({TOTAL:,} proposals in one community, {args.repeat} requests "
                  f"each, {engine}, in-process)\n\n{report}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The whole load: check the database is empty, write every domain, close and certify the votes through the
app's own actions, and say which URLs to load-test."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select

from deliberate.accounts import passwords
from deliberate.accounts.models import User
from deliberate.bench_data import meetings, proposals, register, votes
from deliberate.bench_data.bulk import Bulk
from deliberate.bench_data.sizes import Scale
from deliberate.clock import utcnow
from deliberate.db import Database
from deliberate.places.models import Place
from deliberate.proposals import listing
from deliberate.settings import Settings
from deliberate.voting import actions
from deliberate.voting.actions import CHINA
from deliberate.voting.models import Vote

DEEP = 5  # pages into the list for "proposal_list_deep"


class NotEmpty(Exception):
    """The database holds rows already: the benchmark loads only into an empty one."""


@dataclass(frozen=True)
class Loaded:
    urls: dict[str, Any]
    counts: dict[str, int]
    seconds: float
    close_seconds: dict[str, float]


def check_empty(settings: Settings) -> None:
    """Raises NotEmpty naming a table that holds rows; tables not created yet count as empty, so that a
    database can be checked before it is migrated."""
    database = Database(settings)
    try:
        with database.engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            for table in Bulk.table_names():
                if table in present and connection.execute(
                        select(func.count()).select_from(Bulk.table(table))).scalar():
                    raise NotEmpty(table)
    finally:
        database.dispose()


def load(settings: Settings, scale: Scale, *, seed: int, quiet: bool = False) -> Loaded:
    started = time.perf_counter()
    check_empty(settings)
    database = Database(settings)
    try:
        rng = random.Random(seed)
        now = utcnow().replace(microsecond=0)
        bulk = Bulk(database.engine, quiet=quiet)
        hashed = passwords.hash_password(register.PASSWORD)  # once: argon2id for every account would take hours
        with bulk.phase("register"):
            reg = register.load(bulk, scale, rng, password_hash=hashed, now=now, year=now.astimezone(CHINA).year)
        with bulk.phase("proposals"):
            made = proposals.load(bulk, scale, rng, reg, now=now)
        with bulk.phase("meetings"):
            meeting = meetings.load(bulk, scale, rng, reg, made, now=now)
        with bulk.phase("votes"):
            voted = votes.load(bulk, scale, rng, reg, now=now)
        with bulk.phase("comments"):
            proposals.comments(bulk, scale, rng, reg, made, now=now, budget=scale.comments - voted.comments)
        bulk.finish()
        close_seconds = _close(database, voted, bulk)
        urls = _urls(database, settings, reg, made, voted, meeting)
        counts = dict(bulk.counts)
        if settings.is_sqlite:
            # The load's WAL (hundreds of MB at district scale) emptied now, while nobody waits: the server
            # would otherwise start with it, and the clock's checkpoint would copy it.
            database.truncate_wal()
    finally:
        database.dispose()
    return Loaded(urls, counts, time.perf_counter() - started, close_seconds)


def _close(database: Database, voted: votes.Made, bulk: Bulk) -> dict[str, float]:
    """Each vote due closes as the clock would close it (`close_if_due`); some are then certified."""
    timed: dict[str, float] = {"close secret": 0.0, "close open": 0.0}
    started = time.perf_counter()
    for vote_id in voted.to_close:
        begun = time.perf_counter()
        with database.writing() as session:
            assert actions.close_if_due(session, vote_id)
            secret = session.get_one(Vote, vote_id).secret
        took = time.perf_counter() - begun
        timed["close secret" if secret else "close open"] += took
        if vote_id in (voted.owners_vote, voted.big_vote):
            timed[f"close vote {vote_id}"] = took
            bulk.say(f"  vote {vote_id} closed by close_if_due: {took:.2f} s")
    timed["close all"] = time.perf_counter() - started
    bulk.say(f"closed {len(voted.to_close):,} votes: {timed['close all']:.1f} s (secret ones "
             f"{timed['close secret']:.1f} s, open ones {timed['close open']:.1f} s)")
    started = time.perf_counter()
    for vote_id, staff in voted.to_certify:
        with database.writing() as session:
            vote = session.get(Vote, vote_id)
            by = session.get(User, staff)
            assert vote is not None and by is not None
            actions.do_certify(session, vote, by=by)
    timed["certify"] = time.perf_counter() - started
    bulk.say(f"certified {len(voted.to_certify):,} votes: {timed['certify']:.1f} s")
    return timed


def _urls(database: Database, settings: Settings, reg: register.Register, made: list[proposals.Made],
          voted: votes.Made, meeting: int) -> dict[str, Any]:
    community = reg.communities[0].id
    compound = reg.compounds[0][0].id
    hot = next(p for p in made if p.stage != "draft").id
    filters = listing.Filters(stage=listing.OPEN)
    base = f"/places/{compound}/proposals"
    with database.session() as session:
        place = session.get(Place, compound)
        assert place is not None
        cursor = None
        for _page in range(DEEP - 1):
            page = listing.page_of(session, place, filters, size=settings.page_size, after=cursor)
            if page.next is None:
                break
            cursor = page.next
    first = f"?stage={filters.stage}"
    deep = first + (f"&after={listing.encode_cursor(cursor)}" if cursor else "")
    pages = {
        "community_home": f"/places/{community}",
        "proposal_list": base + first,
        "proposal_list_deep": base + deep,
        "proposal_200_comments": f"/proposals/{hot}",
        "vote_result_10k": f"/votes/{voted.owners_vote}",
        "vote_result_1m": f"/votes/{voted.big_vote}",
        "meeting": f"/meetings/{meeting}",
        "statistics": f"/places/{community}/statistics",
    }
    twins = {f"{name}.json": _twin(path) for name, path in pages.items()}
    return {
        "staff": {"username": "staff", "password": register.PASSWORD},
        "voters": [{"username": name, "password": register.PASSWORD, "vote": f"/votes/{voted.voters_vote}"}
                   for name in reg.logins],
        "pages": {**pages, **twins},
        "staff_pages": {"staff_tracking": f"/places/{community}/tracking"},
    }


def _twin(path: str) -> str:
    where, _, query = path.partition("?")
    return f"{where}.json" + (f"?{query}" if query else "")


def write_urls(urls: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(urls, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")



"""The server killed with SIGKILL while residents vote and comment: nothing it acknowledged is lost or doubled.

A real server (uvicorn, as `deliberate serve` starts it) on a SQLite file serves residents who cast open and
secret ballots and post comments from several threads at once; it is killed without warning a few times
and started again. Afterwards every ballot and comment the server answered for is in the database, exactly
once, the secret ones by their receipts, and `PRAGMA integrity_check` says ok."""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from factories import PASSWORD, make_resident, make_staff, make_town
from sqlmodel import col, select

from deliberate.accounts.models import User
from deliberate.clock import utcnow
from deliberate.db import Database
from deliberate.discussion.models import Comment
from deliberate.places.actions import do_add_member, do_create_household
from deliberate.settings import Settings
from deliberate.voting import actions, queries
from deliberate.voting.models import Ballot, RollEntry, Vote

ROOT = Path(__file__).resolve().parents[2]
RESIDENTS, KILLS = 20, 2
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RECEIPT = re.compile(r"<code>([0-9A-Z]{5}-[0-9A-Z]{5})</code>")

pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL", "").startswith("postgres")),
                                reason="kills a server on its own SQLite file; PostgreSQL's durability is its own")


@dataclass
class Acknowledged:
    """What the server answered for: (vote, username) → choice or receipt, and comment bodies."""

    ballots: dict[tuple[int, str], str] = field(default_factory=dict)
    receipts: dict[str, str] = field(default_factory=dict)  # receipt → choice
    comments: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _world(settings: Settings) -> tuple[int, int, list[str]]:
    from deliberate.models import metadata

    database = Database(settings)
    metadata.create_all(database.engine)
    with database.session(write=True) as session:
        town = make_town(session, name="压力社区")
        building = town.building(0)
        staff = make_staff(session, town.community)
        usernames = []
        for n in range(RESIDENTS):
            household = do_create_household(session, building=building, number=f"8单元{n + 1:02d}", area_centi=9000)
            do_add_member(session, household, name=f"住户{n:02d}", birth_year=1960)
            session.commit()
            make_resident(session, f"r{n:02d}", household, by=staff)
            usernames.append(f"r{n:02d}")
        votes = []
        for secret in (False, True):
            vote = actions.do_create_vote(
                session, place=building, title="secret" if secret else "open", question="", form="yes_no",
                rule="majority", electorate_kind="households", secret=secret,
                closes_at=utcnow() + timedelta(days=3), options=[], by=staff)
            actions.do_open(session, vote, building)
            votes.append(vote.id)
        session.commit()
    database.dispose()
    return votes[0], votes[1], usernames


class Server:
    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env, self.port, self.process = env, port, None

    def start(self) -> None:
        self.process = subprocess.Popen(  # type: ignore[assignment]
            [sys.executable, str(ROOT / "tests/browser/server.py"), "uvicorn", "deliberate.asgi:app",
             "--port", str(self.port), "--log-level", "warning"], env=self.env, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/login", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)  # type: ignore[attr-defined]
        self.process.wait()  # type: ignore[attr-defined]


def _login(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10, follow_redirects=False)
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    assert answer.status_code == 303, answer.text
    return client


def _resident(client: httpx.Client, username: str, votes: tuple[int, int], done: Acknowledged,
              stop: threading.Event) -> None:
    """Votes in both votes and comments, again and again until told to stop; notes what was acknowledged."""
    rng = random.Random(username)
    while not stop.is_set():
        try:
            vote_id = rng.choice(votes)
            page = client.get(f"/votes/{vote_id}").text
            entry, token = re.search(r'name="entry" value="(\d+)"', page), CSRF.search(page)
            if entry and token and (vote_id, username) not in done.ballots:
                choice = rng.choice(["yes", "no"])
                answer = client.post(f"/votes/{vote_id}/ballot",
                                     data={"entry": entry.group(1), "choice": choice, "csrf_token": token.group(1)})
                receipt = RECEIPT.search(answer.text)
                with done.lock:
                    if answer.status_code in (200, 303):
                        done.ballots[(vote_id, username)] = choice
                    if receipt:
                        done.receipts[receipt.group(1)] = choice
            body = f"{username} 的意见 {rng.random():.12f}"
            answer = client.post(f"/threads/vote/{votes[0]}/comments",
                                 data={"body": body, "csrf_token": token.group(1) if token else ""})
            if answer.status_code == 303:
                with done.lock:
                    done.comments.add(body)
        except httpx.HTTPError:
            time.sleep(0.05)  # the server is down: wait for it to come back


def test_a_killed_server_loses_and_doubles_nothing_it_acknowledged(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "k" * 40, "TICK_INTERVAL_SECONDS": "0"}
    settings = Settings.from_env(env)
    open_vote, secret_vote, usernames = _world(settings)
    votes = (open_vote, secret_vote)
    server = Server(env, _free_port())
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    clients = {u: _login(base, u) for u in usernames}
    done, stop = Acknowledged(), threading.Event()
    threads = [threading.Thread(target=_resident, args=(clients[u], u, votes, done, stop)) for u in usernames]
    for thread in threads:
        thread.start()
    try:
        for _ in range(KILLS):
            time.sleep(random.uniform(0.8, 1.6))
            server.kill()
            server.start()
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        server.kill()
        for client in clients.values():
            client.close()
    assert done.ballots and done.comments, "the residents got nothing done"
    _check(settings, path, votes, done)


def _check(settings: Settings, path: Path, votes: tuple[int, int], done: Acknowledged) -> None:
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    database = Database(settings)
    with database.session() as session:
        open_vote, secret_vote = (session.get(Vote, v) for v in votes)
        assert open_vote is not None and secret_vote is not None
        stored = {label: choice for label, choice in _open_ballots(session, open_vote)}
        for (vote_id, username), choice in done.ballots.items():
            if vote_id == open_vote.id:
                assert stored.get(username) == f'"{choice}"', (username, choice)
        papers = {p.receipt: p.choice for p in queries.secret_papers(session, secret_vote)}
        for receipt, choice in done.receipts.items():
            assert papers.get(receipt) == f'"{choice}"', receipt
        for vote in (open_vote, secret_vote):  # exactly once: one ballot per voter marked on the roll
            roll = session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id)).all()
            counted = len(papers) if vote.secret else len(stored)
            assert counted == sum(entry.has_voted for entry in roll)
        bodies = [c.body for c in session.exec(select(Comment)).all()]
        assert done.comments <= set(bodies) and len(bodies) == len(set(bodies))
    database.dispose()


def _open_ballots(session: Any, vote: Vote) -> list[tuple[str, str]]:
    """(username, choice) of every open ballot of the vote."""
    owner = {}
    for user in session.exec(select(User).where(col(User.username).startswith("r"))).all():
        for entry in queries.entries_for(session, vote, user):
            owner[entry.id] = user.username
    rows = session.exec(select(Ballot).where(Ballot.vote_id == vote.id)).all()
    return [(owner.get(ballot.roll_entry_id, ""), ballot.choice) for ballot in rows]

"""Many people writing at once through a real server: every form answered, nothing lost, nothing doubled.

The app is served by uvicorn (in a thread of the test, on the suite's database, SQLite or PostgreSQL), and
residents who are all logged in submit their ballots at the same moment from threads of their own, each
with its own connection: more requests in flight than the server has threads. Every one must be answered
as a browser expects (303 to the vote), and the roll must show exactly those ballots. Logins at the same
moment, each checking a password, must all succeed too."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx2 as httpx
import pytest
import uvicorn
from factories import PASSWORD, make_resident, make_staff, make_town, make_user, reload
from sqlmodel import Session, func, select

from deliberate.clock import utcnow
from deliberate.places.actions import do_add_member, do_create_household
from deliberate.voting import actions
from deliberate.voting.models import Ballot, RollEntry

VOTERS = 60
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ENTRY = re.compile(r'name="entry" value="(\d+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    port = _free_port()
    served = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not served.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    served.should_exit = True
    thread.join(10)


def _voters(session: Session) -> tuple[int, list[str]]:
    town = make_town(session, name="并发社区")
    building = town.building(0)
    staff = make_staff(session, town.community)
    usernames = []
    for n in range(VOTERS):
        household = do_create_household(session, building=building, number=f"9单元{n + 1:02d}", area_centi=9000)
        do_add_member(session, household, name=f"住户{n:02d}", birth_year=1960)
        session.commit()
        make_resident(session, f"w{n:02d}", household, by=staff)
        usernames.append(f"w{n:02d}")
    vote = actions.do_create_vote(
        session, place=building, title="楼道照明", question="是否同意更换楼道灯？", form="yes_no", rule="majority",
        electorate_kind="households", secret=False, closes_at=utcnow() + timedelta(days=7), options=[],
        by=make_user(session, "creator"))
    actions.do_open(session, vote, building)
    session.commit()
    return vote.id, usernames


def _login(client: httpx.Client, username: str) -> None:
    token = CSRF.search(client.get("/login").text)
    assert token
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    assert answer.status_code == 303, answer.text


def _together(count: int, work) -> list[object]:  # type: ignore[no-untyped-def]
    """Runs work(n) for n in range(count) on threads released at one moment; what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes: list[object] = [None] * count

    def run(n: int) -> None:
        barrier.wait(30)
        try:
            outcomes[n] = work(n)
        except Exception as error:  # noqa: BLE001 - counted by the test
            outcomes[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


def test_sixty_ballots_at_once_are_all_answered_and_all_counted(server, session):
    vote_id, usernames = _voters(session)
    clients = [httpx.Client(base_url=server, timeout=60) for _ in usernames]
    try:
        forms = []
        for client, username in zip(clients, usernames, strict=True):
            _login(client, username)
            page = client.get(f"/votes/{vote_id}").text
            token, entry = CSRF.search(page), ENTRY.search(page)
            assert token and entry
            forms.append({"csrf_token": token.group(1), "entry": entry.group(1), "choice": "yes"})

        def cast(n: int) -> int:
            return clients[n].post(f"/votes/{vote_id}/ballot", data=forms[n]).status_code

        statuses = _together(VOTERS, cast)
    finally:
        for client in clients:
            client.close()
    assert statuses == [303] * VOTERS
    reload(session)
    assert session.exec(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id)).one() == VOTERS
    assert session.exec(select(func.count()).select_from(RollEntry).where(
        RollEntry.vote_id == vote_id, RollEntry.has_voted.is_(True))).one() == VOTERS  # type: ignore[attr-defined]


def test_logins_at_the_same_moment_all_succeed(server, session, real_password_hashing):
    town = make_town(session, name="登录社区")
    usernames = [make_user(session, f"login{n:02d}").username for n in range(16)]
    assert town and usernames
    clients = [httpx.Client(base_url=server, timeout=60) for _ in usernames]
    try:
        tokens = [CSRF.search(client.get("/login").text) for client in clients]

        def log_in(n: int) -> int:
            token = tokens[n]
            assert token
            return clients[n].post("/login", data={"username": usernames[n], "password": PASSWORD,
                                                    "csrf_token": token.group(1)}).status_code

        statuses = _together(len(clients), log_in)
    finally:
        for client in clients:
            client.close()
    assert statuses == [303] * len(clients)

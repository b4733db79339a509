"""An attacker with a full copy of the database, its write-ahead log, the logs and the session store tries to
tie secret ballots to their voters; every way that worked once is tried again here, and must fail.

Residents vote online and staff enter paper ballots (serials from the printer's pile) in a known order; the
test knows every voter's receipt and choice, and looks for them where an attacker would: the bytes of the
database file and its WAL, every row of every table, the statements sent, the application's logs and the
session records; the order of rows (SQLite's rowid, PostgreSQL's heap order) and the transactions that wrote
them (PostgreSQL's xmin)."""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from client_helpers import login, post
from factories import make_resident, make_staff, make_town, reload
from secrecy_helpers import RECEIPT, StatementLog, open_secret_vote
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel, select
from starlette.testclient import TestClient

from deliberate import clock, ticker
from deliberate.places.actions import do_add_member, do_create_household
from deliberate.voting import queries, urn
from deliberate.voting.models import RollEntry, SealedBallot, SecretBallot, Vote

ONLINE, PAPER = 14, 10  # 24 ballots: two batches published while open, four still sealed in the urn


@dataclass
class Cast:
    voter: str
    receipt: str
    choice: str
    serial: str = ""


def _vote(app, session) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    town = make_town(session)
    building = town.building(0)
    staff = make_staff(session, town.community)
    households = []
    for n in range(ONLINE + PAPER):
        household = do_create_household(session, building=building, number=f"9单元{n + 1:02d}", area_centi=9000)
        do_add_member(session, household, name=f"住户{n:02d}", birth_year=1950 + n)
        households.append(household)
    session.commit()
    voters = [f"voter{n:02d}" for n in range(ONLINE)]
    for username, household in zip(voters, households, strict=False):
        make_resident(session, username, household, by=staff)
    vote_id = open_secret_vote(app, session, building, "households")
    return vote_id, voters


def _cast_all(app, vote_id: int, voters: list[str]) -> list[Cast]:  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    casts = []
    for username in voters:
        client = TestClient(app, follow_redirects=False)
        login(client, username)
        entry = re.search(r'name="entry" value="(\d+)"', client.get(f"/votes/{vote_id}").text).group(1)
        choice = rng.choice(["yes", "no"])
        cast = post(client, f"/votes/{vote_id}/ballot", {"entry": entry, "choice": choice},
                    form_page=f"/votes/{vote_id}")
        casts.append(Cast(username, RECEIPT.search(cast.text).group(1), choice))
    staff = TestClient(app, follow_redirects=False)
    login(staff, "staff")
    paper = f"/votes/{vote_id}/paper"
    serials = rng.sample(range(100, 999), PAPER)  # the pile of blank papers, in no order
    for serial in serials:
        entry, name = re.search(r'<option value="(\d+)">([^<]+)</option>', staff.get(paper).text).groups()
        choice = rng.choice(["yes", "no"])
        entered = post(staff, paper, {"entry": entry, "choice": choice, "serial": f"P{serial}"}, form_page=paper)
        casts.append(Cast(name, RECEIPT.search(entered.text).group(1), choice, f"P{serial}"))
    return casts


class Evidence:
    """Everything an attacker could copy, gathered as text and bytes."""

    def __init__(self, session, database, statements: StatementLog, logs: str) -> None:  # type: ignore[no-untyped-def]
        reload(session)
        self.rows = {table: [tuple(row) for row in session.execute(text(f'SELECT * FROM "{table}"'))]
                     for table in SQLModel.metadata.tables}
        # A statement on the published table itself carries receipts beside choices, as the table does.
        self.statements = "\n".join(p for s, p in statements.seen if "secret_ballot" not in s)
        self.logs = logs
        self.files = b""
        if database.settings.is_sqlite:
            path = Path(database.settings.database_url.removeprefix("sqlite:///"))
            self.files = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())

    def places_holding(self, secret: str) -> set[str]:
        found = {table for table, rows in self.rows.items() if secret in repr(rows)}
        if secret in self.statements:
            found.add("statements")
        if secret in self.logs:
            found.add("logs")
        if secret.encode() in self.files:
            found.add("database files")
        return found


def test_no_secret_ballot_can_be_tied_to_its_voter(app, session, database, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    vote_id, voters = _vote(app, session)
    with StatementLog(database.engine) as statements:
        casts = _cast_all(app, vote_id, voters)
        reload(session)
        vote = session.get(Vote, vote_id)
        sealed = {p.receipt for p in urn.sealed_papers(session, vote)}
        assert len(sealed) == (ONLINE + PAPER) % urn.MIX_AT
        evidence = Evidence(session, database, statements, caplog.text)

    # While the vote is open, a ballot still in the urn is nowhere to be read: not its receipt, not its serial.
    for cast in casts:
        if cast.receipt in sealed:
            assert evidence.places_holding(cast.receipt) == set(), cast
            if cast.serial:
                assert evidence.places_holding(cast.serial) == set(), cast
        else:  # published in a shuffled batch: beside its choice, and nowhere else
            assert evidence.places_holding(cast.receipt) <= {"secret_ballot", "database files"}, cast
            if cast.serial:
                assert evidence.places_holding(cast.serial) <= {"secret_ballot", "database files"}, cast
    # No row order to follow: no rowid at all on SQLite, and rows kept in receipt order.
    if database.settings.is_sqlite:
        with pytest.raises(OperationalError):
            session.execute(text("SELECT rowid FROM secret_ballot")).all()
        stored = [r for (r,) in session.execute(text("SELECT receipt FROM secret_ballot WHERE vote_id = :v"),
                                                {"v": vote_id})]
        assert stored == sorted(stored)
    # The session store and the logs never name a receipt, and nothing names a voter beside a choice.
    for cast in casts:
        assert cast.voter not in repr(evidence.rows["secret_ballot"] + evidence.rows["sealed_ballot"])

    # The vote closes by the clock; every ballot is published again in one shuffled batch.
    with clock.travel(timedelta(days=3, minutes=1)):
        ticker.tick(database)
        reload(session)
        ticker.tick(database)  # a second tick finds the WAL free of the test's own readers
    reload(session)
    vote = session.get(Vote, vote_id)
    assert vote.status == "closed"
    assert session.exec(select(SealedBallot)).all() == []
    assert sorted(p.receipt for p in queries.secret_papers(session, vote)) == sorted(c.receipt for c in casts)
    result = queries.result_of(session, vote)
    assert result.participation.heads == ONLINE + PAPER
    if database.settings.is_sqlite:
        wal = Path(database.settings.database_url.removeprefix("sqlite:///") + "-wal")
        assert not wal.exists() or wal.stat().st_size == 0, "the WAL still holds the earlier batches"
    else:
        # One transaction wrote every published ballot, and it marked no voter on the roll.
        xmins = {x for (x,) in session.execute(text("SELECT xmin::text FROM secret_ballot WHERE vote_id = :v"),
                                               {"v": vote_id})}
        assert len(xmins) == 1
        roll = {x for (x,) in session.execute(text("SELECT xmin::text FROM roll_entry WHERE vote_id = :v"),
                                              {"v": vote_id})}
        assert not xmins & roll
        in_heap = text("SELECT receipt FROM secret_ballot WHERE vote_id = :v ORDER BY ctid")
        heap = [r for (r,) in session.execute(in_heap, {"v": vote_id})]
        assert heap != [c.receipt for c in casts] and heap != sorted(heap)
    roll = session.exec(select(RollEntry).where(RollEntry.vote_id == vote_id)).all()
    assert sum(entry.has_voted for entry in roll) == ONLINE + PAPER
    assert len(session.exec(select(SecretBallot).where(SecretBallot.vote_id == vote_id)).all()) == ONLINE + PAPER

"""The database adds the ballots up; the count is made once, when the vote closes, and the pages read it."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from factories import make_town, make_user, reload
from sqlalchemy import event
from sqlmodel import Session, select
from starlette.testclient import TestClient

from deliberate.clock import utcnow
from deliberate.db import from_centi
from deliberate.places.actions import do_add_member
from deliberate.voting import actions, queries, tally
from deliberate.voting.models import Ballot, RollEntry, Vote

FORMS = [("yes_no", "majority", []), ("choose_one", "plurality", ["甲", "乙", "丙"]),
         ("choose_many", "majority", ["甲", "乙", "丙"])]


def _vote(session: Session, *, form: str, rule: str, options: list[str], secret: bool, voters: int) -> Vote:
    town = make_town(session)
    building = town.building(0)
    for n in range(voters - 2):  # the building's two registered adults and these
        do_add_member(session, town.households[n % 2], name=f"投票人{n}", birth_year=1960)
    vote = actions.do_create_vote(
        session, place=building, title="加装电梯", question="是否同意？", form=form, rule=rule,
        electorate_kind="adults", secret=secret, closes_at=utcnow() + timedelta(days=7), options=options,
        by=make_user(session, "creator"))
    actions.do_open(session, vote, building)
    session.commit()
    return vote


def _cast_all(session: Session, vote: Vote, seed: int, *, share: float = 0.8) -> None:
    chance = random.Random(seed)
    options = queries.options_of(session, vote)
    for entry in session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id)).all():
        if chance.random() > share:
            continue
        if vote.form == "yes_no":
            choice: Any = chance.choice(["yes", "no", "abstain"])
        elif vote.form == "choose_one":
            choice = chance.choice([*options, "abstain"])
        else:
            choice = chance.sample(options, chance.randint(0, len(options))) or "abstain"
        actions.do_cast(session, vote, entry, choice)
    session.commit()


def _one_by_one(session: Session, vote: Vote) -> tally.Result:
    """The count the way a recount does it: every ballot on its own."""
    heads, area, _voted, _voted_area = queries.roll_totals(session, vote)
    if vote.secret:
        raw = [(json.loads(p.choice), p.heads, p.area_centi) for p in queries.secret_papers(session, vote)]
    else:
        raw = [(json.loads(b.choice), r.heads, r.area_centi) for b, r in session.exec(
            select(Ballot, RollEntry).where(Ballot.vote_id == vote.id, RollEntry.id == Ballot.roll_entry_id)).all()]
    ballots = [tally.Ballot(tuple(c) if isinstance(c, list) else c, h, from_centi(a)) for c, h, a in raw]
    return tally.tally(vote.rule, vote.form, queries.options_of(session, vote),
                       tally.Electorate(heads, from_centi(area)), ballots)


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
@pytest.mark.parametrize(("form", "rule", "options"), FORMS, ids=[f for f, _r, _o in FORMS])
def test_the_database_sum_is_the_count_of_every_ballot_on_its_own(session, form, rule, options, secret):
    vote = _vote(session, form=form, rule=rule, options=options, secret=secret, voters=40)
    _cast_all(session, vote, seed=len(form) + secret)
    assert queries.result_of(session, vote).to_json() == _one_by_one(session, vote).to_json()  # while open
    actions.close_if_due(session, vote.id, now=vote.closes_at)
    session.commit()
    reload(session)
    closed = session.get(Vote, vote.id)
    assert closed is not None and closed.result_json
    assert json.loads(closed.result_json) == _one_by_one(session, closed).to_json()


def test_closing_stores_the_count_and_certifying_publishes_that_same_count(session):
    vote = _vote(session, form="yes_no", rule="majority", options=[], secret=False, voters=20)
    _cast_all(session, vote, seed=3)
    actions.close_if_due(session, vote.id, now=vote.closes_at)
    session.commit()
    counted = vote.result_json
    turnout = queries.turnout(session, vote)
    assert (turnout.roll, turnout.voted) == queries.roll_totals(session, vote)[::2]
    assert (turnout.roll_area, turnout.voted_area) == queries.roll_totals(session, vote)[1::2]
    actions.do_certify(session, vote, by=make_user(session, "certifier"))
    session.commit()
    assert vote.status == "certified" and vote.result_json == counted


@contextmanager
def _counted(database: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_a_closed_votes_page_reads_no_ballot(app, database, session, secret):
    """Whatever the number of ballots, the result page reads the stored count, never the ballots."""
    vote = _vote(session, form="choose_many", rule="majority", options=["甲", "乙"], secret=secret, voters=30)
    _cast_all(session, vote, seed=5)
    actions.close_if_due(session, vote.id, now=vote.closes_at)
    session.commit()
    client = TestClient(app)
    for url in (f"/votes/{vote.id}", f"/votes/{vote.id}.json"):
        assert client.get(url).status_code == 200
        with _counted(database) as statements:
            assert client.get(url).status_code == 200
        assert not [s for s in statements if "ballot" in s.split("FROM", 1)[-1].split("WHERE", 1)[0]], statements


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_the_ballots_export_streams_in_batches_what_a_recount_counts(app, session, monkeypatch, tmp_path, secret):
    from deliberate.voting import recount

    monkeypatch.setattr(queries, "EXPORT_BATCH", 7)  # several batches of the database, and of the response
    vote = _vote(session, form="choose_many", rule="majority", options=["甲", "乙"], secret=secret, voters=30)
    _cast_all(session, vote, seed=8)
    actions.close_if_due(session, vote.id, now=vote.closes_at)
    session.commit()
    reload(session)
    response = TestClient(app).get(f"/votes/{vote.id}/ballots.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    exported = response.json()
    assert exported == queries.recount_export(session, vote)
    ballots = exported["ballots"]
    assert len(ballots) == queries.roll_totals(session, vote)[2] > 7
    assert all("voter" not in ballot for ballot in ballots)
    keys = [(json.dumps(b["choice"], ensure_ascii=False), b["heads"], b["area"]) for b in ballots]
    assert keys == sorted(keys)  # by what they say, never by who cast them
    path = tmp_path / "ballots.json"
    path.write_bytes(response.content)
    counted = recount.streamed(lambda: path.open("rb")).to_json()
    assert counted == json.loads(session.get(Vote, vote.id).result_json)

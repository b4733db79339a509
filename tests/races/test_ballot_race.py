"""Ballots at the same moment: one per line of the roll whatever the channel, and none after the vote closed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from factories import make_resident, make_staff, make_town, make_user, reload
from sqlmodel import Session, func, select

from deliberate.accounts.models import User
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.places.actions import do_add_member
from deliberate.policy import Act
from deliberate.voting import actions, queries, urn
from deliberate.voting.access import access_entry, access_own_entry, access_vote
from deliberate.voting.actions import CastResult
from deliberate.voting.models import Ballot, Channel, RollEntry, SecretBallot, Vote

ATTEMPTS = 50
ROLL = 80  # adults of the building: enough for fifty ballots at once, and more after
Attempt = Callable[[Session], Any]


@dataclass(frozen=True)
class Roll:
    vote_id: int
    entry_ids: list[int]  # every line of the roll
    voter_entry: int  # the line of the resident with an account
    voter: int
    staff: int
    secret: bool


@pytest.fixture(params=[False, True], ids=["open", "secret"])
def roll(request: pytest.FixtureRequest, session: Session) -> Roll:
    """An open vote of building 1 with ROLL adults on its roll: one of them has an account; staff enter paper."""
    town = make_town(session)
    building = town.building(0)
    voter = make_resident(session, "voter", town.households[0])
    for n in range(ROLL - 3):  # the building's two registered adults, the voter and these
        do_add_member(session, town.households[n % 2], name=f"投票人{n}", birth_year=1960)
    staff = make_staff(session, town.community)
    vote = actions.do_create_vote(
        session, place=building, title="加装电梯", question="是否同意？", form="yes_no", rule="majority",
        electorate_kind="adults", secret=request.param, closes_at=utcnow() + timedelta(days=7), options=[],
        by=make_user(session, "creator"))
    actions.do_open(session, vote, building)
    session.commit()
    entries = list(session.exec(select(RollEntry.id).where(RollEntry.vote_id == vote.id)).all())
    assert len(entries) == ROLL
    [mine] = queries.entries_for(session, vote, voter)
    return Roll(vote.id, entries, mine.id, voter.id, staff.id, vote.secret)


def _online(roll: Roll, choice: str) -> Attempt:
    """What the ballot form's handler does: the vote shared, the voter's own line, one ballot."""

    def attempt(session: Session) -> tuple[str, CastResult]:
        user = session.get(User, roll.voter)
        assert user is not None
        vote, _place = access_vote(session, load_person(session, user), roll.vote_id, None, for_update=True)
        entry = access_own_entry(session, vote, user, roll.voter_entry)
        return Channel.ONLINE, actions.do_cast(session, vote, entry, choice)

    return attempt


def _paper(roll: Roll, entry_id: int, serial: str) -> Attempt:
    """What the paper ballot form's handler does, for staff."""

    def attempt(session: Session) -> tuple[str, CastResult]:
        user = session.get(User, roll.staff)
        assert user is not None
        vote, _place = access_vote(session, load_person(session, user), roll.vote_id, Act.ENTER_PAPER_BALLOTS,
                                   for_update=True)
        entry = access_entry(session, vote, entry_id)
        return Channel.PAPER, actions.do_cast(session, vote, entry, "yes", channel=Channel.PAPER, entered_by=user,
                                              paper_serial=serial)

    return attempt


def _ballots(session: Session, vote_id: int) -> int:
    reload(session)
    vote = session.get(Vote, vote_id)
    assert vote is not None
    if vote.secret:  # published, or still sealed in the urn
        return len(queries.secret_papers(session, vote))
    return session.exec(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id)).one()


def _codes(outcomes: Any) -> list[str]:
    return sorted(refused.code for refused in outcomes.refusals)


def test_fifty_ballots_at_once_from_one_voter_leave_exactly_one(race, session, roll):
    outcomes = race([_online(roll, "yes" if n % 2 else "no") for n in range(ATTEMPTS)])
    outcomes.assert_clean(409)
    first = [result for _channel, result in outcomes.values if not result.changed]
    assert len(first) == 1
    if roll.secret:
        assert first[0].receipt and len(outcomes.values) == 1  # without its receipt, no one changes it
        assert _codes(outcomes) == ["receipt_needed"] * (ATTEMPTS - 1)
    else:
        assert len(outcomes.values) == ATTEMPTS  # an open ballot may be changed until the close
    assert _ballots(session, roll.vote_id) == 1
    if not roll.secret:
        assert session.exec(select(Ballot.changes)).one() == ATTEMPTS - 1  # each change counted once
    entry = session.get(RollEntry, roll.voter_entry)
    assert entry is not None and entry.has_voted and entry.channel == Channel.ONLINE


def test_paper_and_online_ballots_for_one_voter_at_once_let_exactly_one_channel_in(race, session, roll):
    half = ATTEMPTS // 2
    attempts = [_online(roll, "no") for _ in range(half)] + [_paper(roll, roll.voter_entry, f"P-{n:03}")
                                                             for n in range(half)]
    outcomes = race(attempts)
    outcomes.assert_clean(409)
    channels = {channel for channel, _result in outcomes.values}
    assert len(channels) == 1
    [won] = channels
    assert _ballots(session, roll.vote_id) == 1
    entry = session.get(RollEntry, roll.voter_entry)
    assert entry is not None and entry.has_voted and entry.channel == won
    if not roll.secret:
        assert session.exec(select(Ballot.channel)).one() == won
    if won == Channel.PAPER:
        assert len(outcomes.values) == 1
        assert _codes(outcomes) == sorted(["already_voted"] * (half - 1) + ["voted_on_paper"] * half)
    elif roll.secret:  # the first online ballot; the others would need its receipt
        assert len(outcomes.values) == 1
        assert _codes(outcomes) == sorted(["already_voted"] * half + ["receipt_needed"] * (half - 1))
    else:  # the first online ballot, and the voter changing it
        assert len(outcomes.values) == half
        assert _codes(outcomes) == ["already_voted"] * half


def test_ballots_racing_the_close_are_counted_if_acknowledged_and_refused_otherwise(race, session, roll):
    """Whatever the order, every ballot acknowledged is in the count the close saw, and none comes after it."""
    vote = session.get(Vote, roll.vote_id)
    assert vote is not None
    closing_time = vote.closes_at

    def close(session: Session) -> tuple[str, int]:
        assert actions.close_if_due(session, roll.vote_id, now=closing_time)  # the clock, at the closing time
        closed = session.get(Vote, roll.vote_id)
        assert closed is not None
        return "closed", queries.roll_totals(session, closed)[2]

    others = [entry for entry in roll.entry_ids if entry != roll.voter_entry]
    attempts = [_paper(roll, entry, f"P-{n:03}") for n, entry in enumerate(others)]
    during, after = attempts[: ATTEMPTS - 1], attempts[ATTEMPTS - 1:]
    outcomes = race([*during[::2], close, *during[1::2]])
    late = race(after)  # once the close is done: the vote is closed to them all
    outcomes.assert_clean(409)
    [counted] = [voted for kind, voted in outcomes.values if kind == "closed"]
    acknowledged = len(outcomes.values) - 1
    assert counted == acknowledged == _ballots(session, roll.vote_id)
    assert _codes(outcomes) == ["not_open"] * (len(during) - acknowledged)
    late.assert_clean(409)
    assert late.values == [] and _codes(late) == ["not_open"] * len(after)
    voted = session.exec(select(func.count()).select_from(RollEntry).where(RollEntry.vote_id == roll.vote_id,
                                                                           RollEntry.has_voted)).one()
    assert voted == acknowledged


def test_fifty_secret_ballots_at_once_are_published_in_batches_of_at_least_mix_at(race, session, roll, monkeypatch):
    """Casters fill the urn side by side: no ballot is published twice, none is lost, and no batch is so small
    that its voters could be told apart (the others having taken the rest)."""
    if not roll.secret:
        pytest.skip("only a secret vote has an urn")
    batches: list[int] = []
    publish = urn._publish

    def recorded(session: Session, vote: Vote, papers: list[urn.Paper]) -> None:
        batches.append(len(papers))
        publish(session, vote, papers)

    monkeypatch.setattr(urn, "_publish", recorded)
    others = [entry for entry in roll.entry_ids if entry != roll.voter_entry]
    outcomes = race([_paper(roll, entry, f"P-{n:03}") for n, entry in enumerate(others[:ATTEMPTS])])
    outcomes.assert_clean()
    receipts = sorted(result.receipt for _channel, result in outcomes.values)
    assert len(receipts) == ATTEMPTS == len(set(receipts))
    assert batches and min(batches) >= urn.MIX_AT, batches
    vote = session.get(Vote, roll.vote_id)
    assert vote is not None
    reload(session)
    published = session.exec(select(SecretBallot.receipt).where(SecretBallot.vote_id == roll.vote_id)).all()
    assert len(published) == sum(batches)  # rows committed: batches of transactions that rolled back would differ
    assert sorted(p.receipt for p in queries.secret_papers(session, vote)) == receipts

"""The clock's work done by fifty processes at once: every due item moves exactly once, and nothing fails."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from factories import make_proposal_cast, make_user, reload
from sqlmodel import Session, col, func, select

from deliberate import ticker
from deliberate.accounts import sessions, throttle
from deliberate.accounts.models import LoginFailure, WebSession
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.db import Database
from deliberate.places.models import Place
from deliberate.proposals import actions as proposals
from deliberate.proposals import plans
from deliberate.proposals.models import Notification, Proposal, ProposalEvent
from deliberate.proposals.rules import Action, Stage
from deliberate.voting import actions as voting
from deliberate.voting.models import RollEntry, Vote, VoteStatus

ATTEMPTS = 50
PLAN = plans.PlanText(title="划线停车", description="划定车位。", responsible="物业公司", schedule="三月",
                      cost_lines=(plans.CostLine("油漆", 100_000),), residents_centi=100_000, units_centi=0,
                      government_centi=0)


def _disclosed(session: Session) -> tuple[int, Place]:
    """A proposal of building 1 whose one plan is being disclosed (for the place's disclosure period)."""
    _town, building, people = make_proposal_cast(session)
    person = {name: load_person(session, user) for name, user in people.items()}
    proposal = proposals.do_create(session, place=building, author=people["author"], submit=True,
                                   draft=proposals.Draft("楼下停车难", "", "parking"), person=person["author"])
    for name in ("neighbour", "neighbour2"):
        proposals.do_cosign(session, proposal, building, person[name], people[name])
        proposals.do_follow(session, proposal, people[name])
    proposals.do_review(session, proposal, building, person["council"], people["council"], Action.ACCEPT)
    plans.do_add_plan(session, proposal, people["staff"], PLAN)
    plans.do_publish(session, proposal, building, person["staff"], people["staff"])
    session.commit()
    return proposal.id, building


def _votes(session: Session, building: Place, *, closing: int, opening: int) -> tuple[list[int], list[int]]:
    """Votes open now that close within a day, and votes in preparation that open by themselves in two."""
    creator = make_user(session, "creator")

    def create(closes_at: datetime, opens_at: datetime | None = None) -> Vote:
        return voting.do_create_vote(
            session, place=building, title="加装电梯", question="", form="yes_no", rule="majority",
            electorate_kind="adults", secret=False, closes_at=closes_at, options=[], by=creator, opens_at=opens_at)

    now = utcnow()
    open_now = [create(now + timedelta(hours=n + 1)) for n in range(closing)]
    for vote in open_now:
        voting.do_open(session, vote, building, now=now)
    scheduled = [create(now + timedelta(days=30), opens_at=now + timedelta(days=2)) for _ in range(opening)]
    session.commit()
    return [v.id for v in open_now], [v.id for v in scheduled]


def _tick_together(database: Database, now: datetime) -> list[ticker.Ticked]:
    barrier = threading.Barrier(ATTEMPTS)
    done: list[ticker.Ticked] = []

    def run() -> None:
        barrier.wait(timeout=60)
        done.append(ticker.tick(database, now))

    threads = [threading.Thread(target=run, daemon=True) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(done) == ATTEMPTS, "a tick failed or is stuck"
    return done


def test_fifty_ticks_at_once_past_every_deadline_move_each_due_item_once(session, database, caplog):
    proposal_id, building = _disclosed(session)
    closing, opening = _votes(session, building, closing=3, opening=2)
    _logins_and_failures(session, 5)
    later = utcnow() + timedelta(days=8)  # past every closing time, the openings and the disclosure period
    with caplog.at_level(logging.ERROR, logger=ticker.log.name):
        ticked = _tick_together(database, later)
    assert [r.message for r in caplog.records] == []  # no item failed and was left for the next tick
    assert sum(t.votes_closed for t in ticked) == len(closing)
    assert sum(t.votes_opened for t in ticked) == len(opening)
    assert sum(t.proposals_advanced for t in ticked) == 1
    reload(session)
    for vote_id in closing:
        vote = session.get(Vote, vote_id)
        assert vote.status == VoteStatus.CLOSED and vote.closed_at == later
    for vote_id in opening:
        vote = session.get(Vote, vote_id)
        assert vote.status == VoteStatus.OPEN and vote.opens_at == later
        assert _roll(session, vote_id) == _roll(session, closing[0])  # one roll, as the council's opening draws
    assert session.get(Proposal, proposal_id).stage == Stage.DECISION
    [ended] = session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal_id,
                                                       ProposalEvent.action == Action.END_DISCLOSURE.value)).all()
    told = session.exec(select(col(Notification.user_id)).where(Notification.event_id == ended.id)).all()
    assert len(told) == len(set(told)) >= 3  # the author and the two co-signers who follow it, once each
    assert session.exec(select(func.count()).select_from(WebSession)).one() == 0  # swept by every tick at once
    assert session.exec(select(func.count()).select_from(LoginFailure)).one() == 0
    assert ticker.tick(database, later).total == 0


def _logins_and_failures(session: Session, count: int) -> None:
    """Logins and failed logins that will be long over."""
    user = make_user(session, "sleeper")
    for n in range(count):
        sessions.do_start(session, user.id)
        throttle.record_failure(session, username="sleeper", address=f"10.0.0.{n}")
    session.commit()


def _roll(session: Session, vote_id: int) -> int:
    return session.exec(select(func.count()).select_from(RollEntry).where(RollEntry.vote_id == vote_id)).one()

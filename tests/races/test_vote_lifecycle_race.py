"""Opening, closing and certifying a vote, asked fifty times at once (by the council and by the clock): each once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from factories import grant, make_proposal_cast, make_town, make_user, reload
from sqlmodel import Session, col, func, select

from deliberate.accounts.models import Role, User
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.places.models import Place
from deliberate.policy import Act
from deliberate.proposals import actions as proposals
from deliberate.proposals import plans
from deliberate.proposals.models import Notification, Proposal, ProposalEvent
from deliberate.proposals.rules import Action, Stage
from deliberate.voting import actions, tally
from deliberate.voting.access import access_vote
from deliberate.voting.models import RollEntry, Vote, VoteStatus

ATTEMPTS = 50
Attempt = Callable[[Session], Any]
PLAN = plans.PlanText(title="划线停车", description="划定车位。", responsible="物业公司", schedule="三月",
                      cost_lines=(plans.CostLine("油漆", 100_000),), residents_centi=100_000, units_centi=0,
                      government_centi=0)


def _council_act(vote_id: int, council_id: int, need: Act, act: Callable[[Session, Vote, Place, User], Any]) -> Attempt:
    """What the council's form handler does: the vote locked for this need, then one action."""

    def attempt(session: Session) -> Any:
        user = session.get(User, council_id)
        assert user is not None
        vote, place = access_vote(session, load_person(session, user), vote_id, need, for_update=True)
        return act(session, vote, place, user)

    return attempt


def _clock(move: Callable[..., bool], vote_id: int, now: datetime) -> Attempt:
    """What the ticker does for one due vote."""
    return lambda session: move(session, vote_id, now=now)


def _vote(session: Session, *, opens_at: datetime | None = None) -> tuple[int, int]:
    """A vote of building 1 in preparation (two adults on its future roll), and a council member of it."""
    town = make_town(session)
    council = make_user(session, "council")
    grant(session, council, Role.COUNCIL, town.building(0))
    vote = actions.do_create_vote(
        session, place=town.building(0), title="加装电梯", question="是否同意？", form="yes_no", rule="majority",
        electorate_kind="adults", secret=False, closes_at=utcnow() + timedelta(days=7), options=[], by=council,
        opens_at=opens_at)
    session.commit()
    return vote.id, council.id


def _opened(session: Session, vote_id: int) -> Vote:
    vote = session.get(Vote, vote_id)
    assert vote is not None
    place = session.get(Place, vote.place_id)
    assert place is not None
    actions.do_open(session, vote, place)
    session.commit()
    return vote


def _closed(session: Session, vote_id: int) -> Vote:
    vote = _opened(session, vote_id)
    actions.do_close(session, vote, now=vote.closes_at)
    session.commit()
    return vote


def test_fifty_openings_at_once_by_the_council_and_the_clock_draw_one_roll(race, session):
    vote_id, council = _vote(session, opens_at=utcnow() - timedelta(minutes=1))
    by_council = _council_act(vote_id, council, Act.MANAGE_VOTES, lambda s, v, p, _u: actions.do_open(s, v, p))
    attempts = [by_council if n % 2 else _clock(actions.open_if_due, vote_id, utcnow()) for n in range(ATTEMPTS)]
    outcomes = race(attempts)
    outcomes.assert_clean(409)
    opened = [value for value in outcomes.values if value is not False]
    assert len(opened) == 1  # the roll's size from the council, or True from the clock
    assert {refused.code for refused in outcomes.refusals} <= {"not_draft"}
    reload(session)
    assert session.get(Vote, vote_id).status == VoteStatus.OPEN
    assert session.exec(select(func.count()).select_from(RollEntry).where(RollEntry.vote_id == vote_id)).one() == 2


def test_fifty_closings_at_once_by_the_council_and_the_clock_close_once(race, session):
    vote_id, council = _vote(session)
    vote = _opened(session, vote_id)
    late = vote.closes_at + timedelta(seconds=1)
    by_council = _council_act(vote_id, council, Act.MANAGE_VOTES,
                              lambda s, v, _p, _u: actions.do_close(s, v, now=late) or "closed")
    attempts = [by_council if n % 2 else _clock(actions.close_if_due, vote_id, late) for n in range(ATTEMPTS)]
    outcomes = race(attempts)
    outcomes.assert_clean(409)
    assert len([value for value in outcomes.values if value]) == 1
    assert {refused.code for refused in outcomes.refusals} <= {"not_open"}
    reload(session)
    closed = session.get(Vote, vote_id)
    assert closed.status == VoteStatus.CLOSED and closed.closed_at == late


def test_fifty_certifications_at_once_publish_one_result(race, session):
    vote_id, council = _vote(session)
    _closed(session, vote_id)
    certify = _council_act(vote_id, council, Act.CERTIFY_VOTES, lambda s, v, _p, u: plans.do_certify_vote(s, v, by=u))
    outcomes = race([certify] * ATTEMPTS)
    outcomes.assert_clean(409)
    [result] = outcomes.values
    assert isinstance(result, tally.Result)
    assert [refused.code for refused in outcomes.refusals] == ["not_closed"] * (ATTEMPTS - 1)
    reload(session)
    certified = session.get(Vote, vote_id)
    assert certified.status == VoteStatus.CERTIFIED
    assert json.loads(certified.result_json) == json.loads(json.dumps(result.to_json(), ensure_ascii=False))


def _plan_vote(session: Session) -> tuple[int, int, int]:
    """A proposal of building 1 whose one disclosed plan was put to a vote that has closed with one yes."""
    _town, building, people = make_proposal_cast(session)
    person = {name: load_person(session, user) for name, user in people.items()}
    proposal = proposals.do_create(session, place=building, author=people["author"], submit=True,
                                   draft=proposals.Draft("楼下停车难", "", "parking"), person=person["author"])
    for name in ("neighbour", "neighbour2"):
        proposals.do_cosign(session, proposal, building, person[name], people[name])
    proposals.do_review(session, proposal, building, person["council"], people["council"], Action.ACCEPT)
    plans.do_add_plan(session, proposal, people["staff"], PLAN)
    plans.do_publish(session, proposal, building, person["staff"], people["staff"])
    plans.do_end_disclosure(session, proposal, building, None, None, now=utcnow() + timedelta(days=30))
    vote = plans.do_open_vote(session, proposal, building, people["council"], closes_at=utcnow() + timedelta(days=7),
                              rule="majority", electorate_kind="adults", secret=False)
    actions.do_open(session, vote, building)
    [entry] = [e for e in session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id)).all()
               if e.user_id == people["author"].id]
    actions.do_cast(session, vote, entry, "yes")
    actions.do_close(session, vote, now=vote.closes_at)
    session.commit()
    return proposal.id, vote.id, people["council"].id


def test_certifying_a_plan_vote_fifty_times_at_once_decides_the_proposal_once(race, session):
    proposal_id, vote_id, council = _plan_vote(session)
    certify = _council_act(vote_id, council, Act.CERTIFY_VOTES, lambda s, v, _p, u: plans.do_certify_vote(s, v, by=u))
    outcomes = race([certify] * ATTEMPTS)
    outcomes.assert_clean(409)
    assert len(outcomes.values) == 1 and outcomes.values[0].passed
    reload(session)
    assert session.get(Proposal, proposal_id).stage != Stage.DECISION
    [decided] = session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal_id,
                                                          ProposalEvent.action == Action.APPROVE_PLAN.value)).all()
    told = session.exec(select(col(Notification.user_id)).where(Notification.event_id == decided.id)).all()
    assert len(told) == len(set(told)) > 0  # one notice of the decision to each follower

"""The proposal loop's steps, sent by two staff (or two council members) at the same moment: each happens once.

Each attempt does what its form handler does: the proposal loaded through `access_proposal` with its row locked
(SELECT … FOR UPDATE; on SQLite writers take turns), then one action, then commit. The second of the pair then
sees the first's work and is refused with 409 and a sentence, or (a plan sent twice) finds it already there.
Two staff merging two proposals into each other at once lock them in opposite orders: one merge happens, the
other is refused with a sentence, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from factories import grant, make_proposal_cast, reload
from sqlmodel import Session, col, select

from deliberate.accounts.models import Role, User
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.places.models import Place
from deliberate.policy import Act
from deliberate.proposals import actions, plans, works
from deliberate.proposals.access import access_proposal
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Plan, Proposal, ProposalEvent
from deliberate.proposals.rules import Action, Stage

Step = Callable[[Session, Proposal, Place, User], Any]
PLAN = plans.PlanText(title="划线停车", description="划定车位。", responsible="物业公司", schedule="三月",
                      cost_lines=(plans.CostLine("油漆", 100_000),), residents_centi=100_000, units_centi=0,
                      government_centi=0)


def _as(user_id: int, proposal_id: int, need: Act, step: Step) -> Callable[[Session], Any]:
    def attempt(session: Session) -> Any:
        user = session.get(User, user_id)
        assert user is not None
        proposal, place = access_proposal(session, load_person(session, user), proposal_id, need, for_update=True)
        return step(session, proposal, place, user)

    return attempt


def _person(session: Session, user: User) -> Any:
    return load_person(session, user)


@pytest.fixture
def cast(session: Session) -> tuple[Place, dict[str, User]]:
    _town, building, people = make_proposal_cast(session)
    return building, people


def _proposal(session: Session, building: Place, people: dict[str, User], title: str = "楼下停车难") -> Proposal:
    author = people["author"]
    proposal = actions.do_create(session, place=building, author=author, draft=Draft(title, "", "parking"),
                                 submit=True, person=_person(session, author))
    for name in ("neighbour", "neighbour2"):
        actions.do_cosign(session, proposal, building, _person(session, people[name]), people[name])
    session.commit()
    assert proposal.stage == Stage.REVIEW
    return proposal


def _to(session: Session, proposal: Proposal, building: Place, people: dict[str, User], stage: Stage) -> None:
    staff, council = people["staff"], people["council"]
    actions.do_review(session, proposal, building, _person(session, staff), staff, Action.ACCEPT)
    if stage is not Stage.ACCEPTED:
        plans.do_add_plan(session, proposal, staff, PLAN)
        plans.do_publish(session, proposal, building, _person(session, staff), staff)
        plans.do_end_disclosure(session, proposal, building, None, None, now=utcnow() + timedelta(days=8))
    if stage is Stage.IMPLEMENTATION:
        plan = plans.disclosed(session, proposal)[0]
        plans.do_decide(session, proposal, building, _person(session, council), council, plan)
    session.commit()
    assert proposal.stage == stage


def _events(session: Session, proposal_id: int, action: str) -> int:
    reload(session)
    return len(session.exec(select(ProposalEvent).where(col(ProposalEvent.proposal_id) == proposal_id,
                                                        ProposalEvent.action == action)).all())


def _start(session: Session, proposal: Proposal, place: Place, user: User) -> Any:
    return works.do_start_works(session, proposal, place, _person(session, user), user).id


def _publish(session: Session, proposal: Proposal, place: Place, user: User) -> Any:
    return plans.do_publish(session, proposal, place, _person(session, user), user).id


def _accept(session: Session, proposal: Proposal, place: Place, user: User) -> Any:
    return actions.do_review(session, proposal, place, _person(session, user), user, Action.ACCEPT).id


def _decide(plan_id: int) -> Step:
    def step(session: Session, proposal: Proposal, place: Place, user: User) -> Any:
        plan = session.get(Plan, plan_id)
        return plans.do_decide(session, proposal, place, _person(session, user), user, plan).id

    return step


def _add_plan(session: Session, proposal: Proposal, place: Place, user: User) -> Any:
    return plans.do_add_plan(session, proposal, user, PLAN).id


@pytest.mark.parametrize(("stage", "step", "need", "who", "event"), [
    (Stage.REVIEW, _accept, Act.REVIEW_PROPOSALS, ("staff", "council"), "accept"),
    (Stage.ACCEPTED, _publish, Act.REVIEW_PROPOSALS, ("staff", "council"), "publish_plan"),
    (Stage.IMPLEMENTATION, _start, Act.MANAGE_WORKS, ("staff", "council"), "start_works"),
])
def test_a_stage_step_sent_by_two_at_once_happens_once(race, session, cast, stage, step, need, who, event):
    building, people = cast
    proposal = _proposal(session, building, people)
    if stage is not Stage.REVIEW:
        if stage is Stage.ACCEPTED:
            _to(session, proposal, building, people, Stage.ACCEPTED)
            plans.do_add_plan(session, proposal, people["staff"], PLAN)
            session.commit()
        else:
            _to(session, proposal, building, people, stage)
    outcomes = race([_as(people[name].id, proposal.id, need, step) for name in who])
    outcomes.assert_clean(409)
    assert len(outcomes.values) == 1 and len(outcomes.refusals) == 1
    assert _events(session, proposal.id, event) == 1


def test_two_council_members_deciding_at_once_approve_the_plan_once(race, session, cast):
    building, people = cast
    second = people["staff"]  # made a council member of the building too
    grant(session, second, Role.COUNCIL, building)
    proposal = _proposal(session, building, people)
    _to(session, proposal, building, people, Stage.DECISION)
    decide = _decide(plans.disclosed(session, proposal)[0].id)
    outcomes = race([_as(user.id, proposal.id, Act.REVIEW_PROPOSALS, decide) for user in (people["council"], second)])
    outcomes.assert_clean(409)
    assert len(outcomes.values) == 1
    assert _events(session, proposal.id, "approve_plan") == 1


def test_the_same_plan_sent_by_two_at_once_is_one_plan(race, session, cast):
    building, people = cast
    proposal = _proposal(session, building, people)
    _to(session, proposal, building, people, Stage.ACCEPTED)
    outcomes = race([_as(people[name].id, proposal.id, Act.REVIEW_PROPOSALS, _add_plan)
                     for name in ("staff", "council")])
    outcomes.assert_clean()
    assert len(set(outcomes.values)) == 1  # both answered with the same plan
    reload(session)
    assert len(session.exec(select(Plan).where(col(Plan.proposal_id) == proposal.id)).all()) == 1


def test_two_proposals_merged_into_each_other_at_once_merge_once(race, session, cast):
    building, people = cast
    first = _proposal(session, building, people, "楼下停车难")
    second = _proposal(session, building, people, "车位不够")

    def merge(source_id: int, target_id: int, user_id: int) -> Callable[[Session], Any]:
        def step(session: Session, proposal: Proposal, place: Place, user: User) -> Any:
            target = session.get(Proposal, target_id)
            assert target is not None
            return actions.do_merge(session, proposal, place, _person(session, user), user, target, "同一件事").id

        return _as(user_id, source_id, Act.REVIEW_PROPOSALS, step)

    outcomes = race([merge(first.id, second.id, people["staff"].id), merge(second.id, first.id, people["council"].id)])
    outcomes.assert_clean(409)
    assert len(outcomes.values) == 1 and len(outcomes.refusals) == 1
    reload(session)
    stages = sorted(session.get(Proposal, p.id).stage for p in (first, second))  # type: ignore[union-attr]
    assert stages == sorted([Stage.MERGED.value, Stage.REVIEW.value])


def test_the_same_new_proposal_sent_twice_at_once_is_one_proposal(race, session, cast):
    building, people = cast
    author_id, building_id = people["author"].id, building.id

    def write(session: Session) -> Any:
        author = session.get(User, author_id)
        place = session.get(Place, building_id)
        assert author is not None and place is not None
        draft = Draft("楼下停车难", "没有车位。", "parking")
        return actions.do_create(session, place=place, author=author, draft=draft, submit=True,
                                 person=_person(session, author)).id

    outcomes = race([write, write])
    outcomes.assert_clean()
    assert len(set(outcomes.values)) == 1
    reload(session)
    assert len(session.exec(select(Proposal)).all()) == 1

"""A submitted proposal in building 1 of a town, and the people of make_proposal_cast."""

from __future__ import annotations

import pytest
from factories import make_proposal_cast

from deliberate.accounts.people import load_person
from deliberate.proposals import actions, plans
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Plan, Proposal


@pytest.fixture
def cast(session):  # type: ignore[no-untyped-def]
    town, building, people = make_proposal_cast(session, extra_households=2)
    author = people["author"]
    draft = Draft("楼下停车难", "没有车位。", "parking")
    proposal = actions.do_create(session, place=building, author=author, draft=draft, submit=True,
                                 person=load_person(session, author))
    session.commit()
    return town, building, people, proposal


@pytest.fixture
def with_plan(session, cast) -> tuple[Proposal, Plan]:  # type: ignore[no-untyped-def]
    """The cast's proposal co-signed, accepted by staff, with one plan drafted."""
    _town, building, people, proposal = cast
    for name in ("neighbour", "neighbour2"):
        actions.do_cosign(session, proposal, building, load_person(session, people[name]), people[name])
    staff = people["staff"]
    actions.do_review(session, proposal, building, load_person(session, staff), staff, actions.Move.ACCEPT)
    text = plans.PlanText(title="划线方案", description="划 20 个车位。", responsible="物业", schedule="三月",
                          cost_lines=(plans.CostLine("油漆", 90_000),), residents_centi=30_000, units_centi=30_000,
                          government_centi=30_000)
    plan = plans.do_add_plan(session, proposal, staff, text)
    session.commit()
    return proposal, plan

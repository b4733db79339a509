"""A submitted proposal in building 1 of a town, and the people of make_proposal_cast."""

from __future__ import annotations

import pytest
from factories import make_proposal_cast

from deliberate.accounts.people import load_person
from deliberate.proposals import actions
from deliberate.proposals.actions import Draft


@pytest.fixture
def cast(session):  # type: ignore[no-untyped-def]
    town, building, people = make_proposal_cast(session, extra_households=2)
    author = people["author"]
    draft = Draft("楼下停车难", "没有车位。", "parking")
    proposal = actions.do_create(session, place=building, author=author, draft=draft, submit=True,
                                 person=load_person(session, author))
    session.commit()
    return town, building, people, proposal

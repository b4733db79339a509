"""Co-signs at the same moment are counted exactly: sixty residents co-sign at once a proposal that needs ten.

Each co-sign runs as a request's write transaction does, on its own thread and connection: the proposal
loaded through `access_proposal`, then `do_cosign`, then commit. On PostgreSQL (READ COMMITTED) the action
locks the proposal's row, so that the stage is checked and the co-signs counted by one transaction at a time;
on SQLite writers take turns (BEGIN IMMEDIATE, waiting under the busy timeout as the app does). Either way the
tenth co-sign moves the proposal to review once, and every later one is refused.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
from factories import make_staff, make_town, make_user, reload
from sqlmodel import Session, col, select

from deliberate.accounts import actions as accounts
from deliberate.accounts.models import User
from deliberate.accounts.people import Person, load_person
from deliberate.db import Database
from deliberate.places.models import Household, Place
from deliberate.policy import Act
from deliberate.proposals import actions, rules
from deliberate.proposals.access import access_proposal
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Cosign, Notification, Proposal, ProposalEvent
from deliberate.proposals.rules import IllegalTransition, Stage

THRESHOLD, RESIDENTS = 10, 60
BOUND = 20  # seconds: longer means a co-sign waits on a lock nobody releases


def _residents(session: Session, households: list[Household], count: int) -> list[User]:
    approver = make_user(session, "approver")
    people = []
    for n in range(count):
        user = accounts.do_register(session, username=f"r{n}", display_name=f"居民{n}", password="password123")
        claim = accounts.do_claim(session, user=user, household=households[n % len(households)], name=f"居民{n}",
                                  birth_year=1970, note="")
        accounts.do_approve_claim(session, claim, by=approver, mismatch_confirmed=True)
        people.append(user)
    session.commit()
    return people


@pytest.fixture
def cast(session: Session) -> tuple[Place, Proposal, list[User]]:
    """A building that needs ten co-signers, a proposal in it collecting them, and sixty residents."""
    town = make_town(session)
    building = town.building(0)
    make_staff(session, town.community)
    households = [h for h in town.households if h.building_id == building.id]
    author, *residents = _residents(session, households, RESIDENTS + 1)
    actions.do_set_rules(session, building, rules.PlaceRules(threshold=rules.Threshold("count", count=THRESHOLD)))
    proposal = actions.do_create(session, place=building, author=author, draft=Draft("楼下停车难", "", "parking"),
                                 submit=True, person=load_person(session, author))
    session.commit()
    assert proposal.stage == Stage.COSIGNING and proposal.cosigners_needed == THRESHOLD
    return building, proposal, residents


def _cosign(database: Database, proposal_id: int, person: Person, start: threading.Barrier) -> str:
    """One co-sign as a request makes it: "counted", "again" (had co-signed), or "late" (the stage moved)."""
    start.wait()
    with database.session(write=True) as session:
        try:
            user = session.get(User, person.user_id)
            assert user is not None
            proposal, place = access_proposal(session, person, proposal_id, Act.ACT_AS_RESIDENT)
            counted = actions.do_cosign(session, proposal, place, person, user)
        except IllegalTransition:
            session.rollback()
            return "late"
        session.commit()
        return "counted" if counted else "again"


def _race(database: Database, proposal_id: int, people: list[Person]) -> Counter[str]:
    start = threading.Barrier(len(people))
    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        futures = [pool.submit(_cosign, database, proposal_id, person, start) for person in people]
        done, waiting = wait(futures, timeout=BOUND)
        assert not waiting, f"{len(waiting)} co-signs still waiting after {BOUND} s"
    return Counter(future.result() for future in done)


def test_sixty_residents_cosigning_at_once_move_it_to_review_once_at_exactly_ten(
        database: Database, session: Session, cast: tuple[Place, Proposal, list[User]]) -> None:
    building, proposal, residents = cast
    outcomes = _race(database, proposal.id, [load_person(session, user) for user in residents])
    assert outcomes == {"counted": THRESHOLD, "late": RESIDENTS - THRESHOLD}
    reload(session)
    stored = session.get(Proposal, proposal.id)
    assert stored is not None and stored.stage == Stage.REVIEW
    cosigns = session.exec(select(Cosign).where(col(Cosign.proposal_id) == proposal.id)).all()
    assert stored.cosign_count == len(cosigns) == THRESHOLD
    (reached,) = session.exec(select(ProposalEvent).where(col(ProposalEvent.proposal_id) == proposal.id,
                                                          ProposalEvent.action == "reach_threshold")).all()
    assert max(c.created_at for c in cosigns) <= reached.at  # none accepted after the stage moved
    told = session.exec(select(Notification.user_id).where(col(Notification.event_id) == reached.id)).all()
    expected = set(actions.followers(session, stored)) | set(actions.reviewers_of(session, building))
    assert sorted(told) == sorted(expected)  # one set of notifications: each follower and reviewer once


def test_one_resident_cosigning_ten_times_at_once_is_counted_once(
        database: Database, session: Session, cast: tuple[Place, Proposal, list[User]]) -> None:
    _building, proposal, residents = cast
    person = load_person(session, residents[0])
    outcomes = _race(database, proposal.id, [person] * THRESHOLD)
    assert outcomes == {"counted": 1, "again": THRESHOLD - 1}
    reload(session)
    stored = session.get(Proposal, proposal.id)
    assert stored is not None and stored.cosign_count == 1 and stored.stage == Stage.COSIGNING

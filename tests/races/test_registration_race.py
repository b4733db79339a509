"""Sixty people register at once for a meeting with ten seats: exactly ten get one, the rest wait in line.

Each registration runs as the form's handler runs it, in a transaction of its own on a connection of its own:
`access_meeting(..., for_update=True)` locks the meeting's row (SELECT … FOR UPDATE on PostgreSQL, where READ
COMMITTED would otherwise let every transaction count the same nine seats taken; SQLite's writers take the
whole database) and `do_register` counts the seats on it. Runs on SQLite and, with DATABASE_URL, PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from factories import make_staff, make_town, make_user, reload
from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.db import Database
from deliberate.meetings import actions, queries
from deliberate.meetings.access import access_meeting
from deliberate.meetings.actions import MeetingDraft
from deliberate.meetings.models import Access, Meeting, Registration, RegistrationStatus
from deliberate.meetings.rules import Kind

SEATS = 10
PEOPLE = 60
BOUND = 20.0  # seconds for the whole race


@dataclass
class Outcome:
    user_id: int
    status: str = ""  # the registration's, as the action returned it
    new: bool = False
    refused: str = ""  # a refusal's sentence
    error: BaseException | None = None  # anything else: a failure


def _meeting(session: Session, *, capacity: int) -> Meeting:
    town = make_town(session)
    staff = make_staff(session, town.community)
    starts = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    draft = MeetingDraft(kind=Kind.CONSULTATION, title="停车协商会", description="", starts_at=starts,
                         ends_at=starts + timedelta(hours=2), room="活动室", online_url="", capacity=capacity,
                         access=Access.OPEN, chair_id=staff.id, items=("停车",))
    meeting = actions.do_schedule(session, place=town.community, by=staff, draft=draft)
    session.commit()
    return meeting


def _register(database: Database, meeting_id: int, outcome: Outcome, start: threading.Barrier) -> None:
    """One registration, as its request makes it: its own session, the meeting's row locked, one action."""
    try:
        start.wait(timeout=BOUND)
        with database.writing() as session:
            user = session.get(User, outcome.user_id)
            assert user is not None
            person = load_person(session, user)
            meeting, place = access_meeting(session, person, meeting_id, for_update=True)
            registration, outcome.new = actions.do_register(session, meeting, place, person, user)
            outcome.status = registration.status
    except actions.MeetingError as refusal:
        outcome.refused = refusal.message
    except BaseException as error:  # noqa: BLE001 - the test reports it
        outcome.error = error


def _race(database: Database, meeting_id: int, user_ids: list[int]) -> list[Outcome]:
    outcomes = [Outcome(user_id) for user_id in user_ids]
    start = threading.Barrier(len(outcomes))
    threads = [threading.Thread(target=_register, args=(database, meeting_id, o, start)) for o in outcomes]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.1, BOUND - (time.monotonic() - began)))
    assert not any(t.is_alive() for t in threads), f"registrations still running after {BOUND} s"
    assert [o.error for o in outcomes if o.error] == []
    return outcomes


def _rows(session: Session, meeting: Meeting) -> list[Registration]:
    reload(session)
    return list(session.exec(select(Registration).where(col(Registration.meeting_id) == meeting.id)).all())


def test_sixty_registering_at_once_for_ten_seats_leaves_ten_seated_and_fifty_waiting_in_order(session, database):
    meeting = _meeting(session, capacity=SEATS)
    people = [make_user(session, f"r{n:02d}") for n in range(PEOPLE)]
    outcomes = _race(database, meeting.id, [u.id for u in people])
    assert Counter(o.status for o in outcomes) == {RegistrationStatus.REGISTERED: SEATS,
                                                  RegistrationStatus.WAITING: PEOPLE - SEATS}
    assert all(o.new and not o.refused for o in outcomes)
    rows = _rows(session, meeting)
    assert Counter(r.status for r in rows) == {RegistrationStatus.REGISTERED: SEATS,
                                              RegistrationStatus.WAITING: PEOPLE - SEATS}
    assert len({r.user_id for r in rows}) == PEOPLE
    seated = [r for r in rows if r.status == RegistrationStatus.REGISTERED]
    waiting = queries.waiting_list(session, meeting)
    assert max(r.queued_at for r in seated) <= min(r.queued_at for r in waiting)  # the first ten came first
    positions = [queries.waiting_position(session, meeting, r) for r in waiting]
    assert positions == list(range(1, PEOPLE - SEATS + 1))


def test_people_sending_the_form_twice_at_once_still_take_one_row_and_the_seats_stay_exact(session, database):
    meeting = _meeting(session, capacity=SEATS)
    people = [make_user(session, f"r{n:02d}") for n in range(PEOPLE // 2)]
    outcomes = _race(database, meeting.id, [u.id for u in people] * 2)  # everyone clicks twice
    assert sum(o.new for o in outcomes) == len(people) and not any(o.refused for o in outcomes)
    rows = _rows(session, meeting)
    assert sorted(r.user_id for r in rows) == sorted(u.id for u in people)
    assert Counter(r.status for r in rows) == {RegistrationStatus.REGISTERED: SEATS,
                                              RegistrationStatus.WAITING: len(people) - SEATS}


def test_registrations_racing_a_cancellation_are_seated_before_it_or_refused_after_it(session, database):
    meeting = _meeting(session, capacity=SEATS)
    people = [make_user(session, f"r{n:02d}") for n in range(PEOPLE)]
    staff = session.exec(select(User).where(col(User.username) == "staff")).one()

    def cancel() -> None:
        with database.writing() as own:
            by = own.get(User, staff.id)
            assert by is not None
            locked, _place = access_meeting(own, load_person(own, by), meeting.id, for_update=True)
            actions.do_cancel(own, locked, by, "会议室漏水")

    canceller = threading.Timer(0.01, cancel)
    canceller.start()
    outcomes = _race(database, meeting.id, [u.id for u in people])
    canceller.join()
    registered = [o for o in outcomes if not o.refused]
    assert all(o.refused == "会议已取消。" for o in outcomes if o.refused)
    assert sum(o.status == RegistrationStatus.REGISTERED for o in registered) == min(SEATS, len(registered))
    assert len(_rows(session, meeting)) == len(registered)  # a refused registration left nothing behind

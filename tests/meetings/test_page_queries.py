"""Each page of meetings reads in a fixed number of queries, however many meetings, registrants or sign-ins it lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from factories import make_resident
from query_helpers import counted

from deliberate.accounts.people import load_person
from deliberate.meetings import actions
from deliberate.meetings.access import access_meeting
from deliberate.meetings.models import Meeting
from deliberate.meetings.rules import Kind


def _queries(database: Any, get: Callable[[], Any]) -> int:
    with counted(database.engine) as statements:
        assert get().status_code == 200
    return len(statements)


def _crowd(cast, session, meeting: Meeting, first: int, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` more residents registered for the meeting and signed in at its door."""
    for n in range(first, first + count):
        user = make_resident(session, f"r{n}", cast.town.households[n % 2])
        locked, place = access_meeting(session, None, meeting.id, for_update=True)
        actions.do_register(session, locked, place, load_person(session, user), user, now=meeting.noticed_at)
        actions.do_sign_in(session, locked, place, cast.people["staff"], user=user)
        session.commit()


def test_the_door_and_the_meeting_page_read_as_much_for_three_people_as_for_nine(cast, session, database):
    meeting = cast.past_meeting(capacity=5)
    staff = cast.client("staff")
    pages = (f"/meetings/{meeting.id}/sign-in?q=住户", f"/meetings/{meeting.id}", f"/meetings/{meeting.id}.json",
             f"/meetings/{meeting.id}/minutes/edit")
    _crowd(cast, session, meeting, 0, 3)
    few = [_queries(database, lambda url=url: staff.get(url)) for url in pages]
    _crowd(cast, session, meeting, 3, 6)
    assert [_queries(database, lambda url=url: staff.get(url)) for url in pages] == few


def test_a_calendar_reads_as_much_for_two_meetings_as_for_eight(cast, database):
    client = cast.client("neighbour")
    pages = (f"/places/{cast.building.id}/meetings", f"/places/{cast.building.id}/meetings.json",
             f"/places/{cast.building.id}/meetings.ics", "/meetings/mine")

    def schedule(count: int) -> None:
        for n in range(count):
            upcoming = cast.meeting(title=f"恳谈会{n}", kind=Kind.LISTENING, starts_in=timedelta(days=2 + n))
            cast.post(client, f"/meetings/{upcoming.id}/register")
            cast.past_meeting(title=f"评议会{n}", kind=Kind.EVALUATION)

    schedule(1)
    few = [_queries(database, lambda url=url: client.get(url)) for url in pages]
    schedule(4)
    assert [_queries(database, lambda url=url: client.get(url)) for url in pages] == few

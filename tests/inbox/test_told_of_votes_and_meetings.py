"""Residents are told when a vote they may cast opens, by the council or by the clock, and when a meeting is
called where they live: in 通知 and by e-mail for those who asked, each roll told in one statement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from client_helpers import login, post
from factories import grant, make_proposal_cast, make_resident, reload
from sqlalchemy import event
from sqlmodel import col, select
from starlette.testclient import TestClient

from deliberate import ticker
from deliberate.accounts.models import Role, User
from deliberate.clock import utcnow
from deliberate.inbox import actions as inbox
from deliberate.inbox import mailing
from deliberate.meetings import actions as meetings
from deliberate.meetings.actions import MeetingDraft
from deliberate.meetings.models import Access
from deliberate.meetings.rules import Kind
from deliberate.places.actions import do_add_owner
from deliberate.proposals.models import Notification, NotificationKind
from deliberate.voting import actions as voting
from deliberate.voting import queries as vote_queries
from deliberate.voting.models import Vote, VoteStatus

from .test_mailing import Outbox


@pytest.fixture
def cast(session):  # type: ignore[no-untyped-def]
    return make_proposal_cast(session, extra_households=2)


def _vote(session, place, by, *, electorate="adults", opens_at=None) -> Vote:  # type: ignore[no-untyped-def]
    vote = voting.do_create_vote(
        session, place=place, title="加装电梯", question="是否同意？", form="yes_no", rule="majority",
        electorate_kind=electorate, secret=False, closes_at=utcnow() + timedelta(days=7), options=[], by=by,
        opens_at=opens_at)
    session.commit()
    return vote


def _told(session, **where) -> set[int]:  # type: ignore[no-untyped-def]
    reload(session)
    query = select(Notification.user_id)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return set(session.exec(query).all())


@pytest.mark.parametrize("electorate", ["adults", "households", "owners", "council", "representatives"])
def test_the_accounts_told_are_exactly_those_who_may_cast_a_line_of_the_roll(session, cast, electorate):
    town, building, people = cast
    for name in ("author", "neighbour"):  # their units, registered under the names they claimed with
        household = town.households[0 if name == "author" else 1]
        do_add_owner(session, household, name=name)
    do_add_owner(session, town.households[0], name="开发商", is_developer=True)
    grant(session, people["neighbour"], Role.BUILDING_LEADER, building)
    make_resident(session, "spouse", town.households[0])  # a second verified member of the author's home
    vote = _vote(session, building, people["council"], electorate=electorate)
    voting.do_open(session, vote, building)
    session.flush()
    expected = {user.id for user in _everyone(session) if vote_queries.entries_for(session, vote, user)}
    found = set(session.exec(select(vote_queries.accounts_on_roll(vote).subquery().c.user_id)).all())
    assert expected and found == expected
    session.rollback()


def _everyone(session):  # type: ignore[no-untyped-def]
    return session.exec(select(User)).all()


def test_opening_a_vote_tells_everyone_on_its_roll_once_in_one_statement_and_mails_those_who_asked(
        session, database, cast):
    town, building, people = cast
    vote = _vote(session, building, people["council"], electorate="households")
    people["neighbour"].email, people["neighbour"].email_notifications = "lin@example.com", True
    people["author"].email, people["author"].email_notifications = "zhang@example.com", False
    session.add_all([people["neighbour"], people["author"]])
    session.commit()
    inserts: list[str] = []

    def count(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO NOTIFICATION"):
            inserts.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.writing() as writing:
            fresh = writing.get(Vote, vote.id)
            assert fresh is not None
            size = inbox.do_open_vote(writing, fresh, building)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert size == 4 and len(inserts) == 1  # the whole roll told in one INSERT … SELECT
    residents = {people[n].id for n in ("author", "neighbour", "neighbour2")}
    assert _told(session, vote_id=vote.id) == residents  # the fourth home has no account; outsiders none
    assert people["outsider"].id not in _told(session)
    rows = session.exec(select(Notification).where(Notification.vote_id == vote.id)).all()
    assert {r.kind for r in rows} == {NotificationKind.VOTE} and len(rows) == 3

    outbox = Outbox()
    mailing.send_pending(database, outbox)
    assert [m.to for m in outbox.sent] == ["lin@example.com"]
    assert outbox.sent[0].subject == "[议事厅] 加装电梯：表决开始了，您可以投票"
    assert f"http://127.0.0.1:8000/votes/{vote.id}" in outbox.sent[0].body and "截止时间：" in outbox.sent[0].body


def test_the_council_opening_a_vote_tells_residents_who_find_it_in_their_notifications(app, session, cast):
    _town, building, people = cast
    vote = _vote(session, building, people["council"])
    council = TestClient(app, follow_redirects=False)
    login(council, "council")
    opened = post(council, f"/votes/{vote.id}/open", {"confirmed": "yes"}, form_page=f"/votes/{vote.id}")
    assert opened.status_code == 303
    reload(session)
    assert session.get(Vote, vote.id).status == VoteStatus.OPEN
    neighbour = TestClient(app, follow_redirects=False)
    login(neighbour, "neighbour")
    page = neighbour.get("/notifications").text
    assert "加装电梯" in page and "表决开始了，您可以投票" in page and f'href="/votes/{vote.id}"' in page
    outsider = TestClient(app, follow_redirects=False)
    login(outsider, "outsider")
    assert "加装电梯" not in outsider.get("/notifications").text


def test_a_vote_the_clock_opens_tells_its_roll_too(session, database, cast):
    _town, building, people = cast
    vote = _vote(session, building, people["council"], opens_at=utcnow() + timedelta(hours=1))
    assert ticker.tick(database).votes_opened == 0 and not _told(session, vote_id=vote.id)
    assert ticker.tick(database, now=utcnow() + timedelta(hours=1, seconds=1)).votes_opened == 1
    assert _told(session, vote_id=vote.id) == {people[n].id for n in ("author", "neighbour", "neighbour2")}
    assert ticker.tick(database, now=utcnow() + timedelta(hours=2)).votes_opened == 0  # told once


def _draft(people, *, access: str, days: int = 5) -> MeetingDraft:  # type: ignore[no-untyped-def]
    starts = (utcnow() + timedelta(days=days)).replace(microsecond=0)
    return MeetingDraft(kind=Kind.CONSULTATION, title="停车协商会", description="", starts_at=starts,
                        ends_at=starts + timedelta(hours=2), room="活动室", online_url="", capacity=None,
                        access=access, chair_id=people["council"].id)


def test_a_meeting_called_tells_the_residents_of_its_place_and_those_inside_it(app, session, cast):
    town, building, people = cast
    meeting = meetings.do_schedule(session, place=building, by=people["staff"], draft=_draft(people,
                                   access=Access.RESIDENTS))
    compound = meetings.do_schedule(session, place=town.compounds[0], by=people["staff"],
                                    draft=_draft(people, access=Access.OPEN))
    session.commit()
    here = {people[n].id for n in ("author", "neighbour", "neighbour2")}
    assert _told(session, meeting_id=meeting.id) == here  # not the outsider, who lives in the other compound
    assert _told(session, meeting_id=compound.id) == here  # the compound's residents: this building is in it
    client = TestClient(app, follow_redirects=False)
    login(client, "neighbour")
    page = client.get("/notifications").text
    assert "停车协商会" in page and "召开会议" in page and f'href="/meetings/{meeting.id}"' in page
    assert "民事协商会" in page and "活动室" in page


def test_an_invited_only_meeting_tells_each_invitee_when_invited_and_nobody_else(session, cast):
    town, building, people = cast
    meeting = meetings.do_schedule(session, place=building, by=people["staff"],
                                   draft=_draft(people, access=Access.INVITED))
    session.commit()
    assert not _told(session, meeting_id=meeting.id)
    meetings.do_invite(session, meeting, building, people["neighbour"], people["staff"])
    assert not meetings.do_invite(session, meeting, building, people["neighbour"], people["staff"])  # once
    session.commit()
    assert _told(session, meeting_id=meeting.id) == {people["neighbour"].id}
    assert len(session.exec(select(Notification).where(col(Notification.meeting_id) == meeting.id)).all()) == 1

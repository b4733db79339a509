"""A meeting's notice period is its place's setting (规则设置): set on a compound, it holds for meetings there and
in its buildings; a meeting already announced keeps the period it was announced under."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from factories import reload
from sqlmodel import select

from deliberate.meetings import actions
from deliberate.meetings.actions import MeetingError
from deliberate.meetings.models import Meeting
from deliberate.meetings.rules import Kind
from deliberate.places import settings

SHANGHAI = ZoneInfo("Asia/Shanghai")

CONSULTATION = "meetings.notice.consultation"


def _form(cast, *, days: int) -> dict:  # type: ignore[no-untyped-def]
    day = (datetime.now(SHANGHAI) + timedelta(days=days)).strftime("%Y-%m-%d")
    return {"kind": "consultation", "title": "停车协商会", "description": "", "date": day, "start": "19:00",
            "end": "21:00", "room": "社区活动室", "online_url": "", "capacity": "30", "access": "residents",
            "chair": str(cast.people["staff"].id), "items": "其他事项"}


def test_a_notice_period_set_on_a_compound_is_enforced_on_meetings_there_and_in_its_buildings(cast, session):
    settings.do_set(session, cast.compound, CONSULTATION, "10")
    session.commit()
    staff = cast.client("staff")
    form = staff.get(f"/places/{cast.building.id}/meetings/new")
    assert "民事协商会（提前 10 天通知）" in form.text
    for place in (cast.compound, cast.building):
        refused = cast.post(staff, f"/places/{place.id}/meetings/new", _form(cast, days=5))
        assert refused.status_code == 422 and "须提前 10 天通知" in refused.text
    with pytest.raises(MeetingError, match="10 天"):
        cast.meeting(place=cast.compound, kind=Kind.CONSULTATION, starts_in=timedelta(days=9))
    other_compound = cast.town.compounds[1]  # not inside the compound: the default, 3 days
    assert cast.meeting(place=other_compound, starts_in=timedelta(days=5)).notice_days == 3
    accepted = cast.post(staff, f"/places/{cast.building.id}/meetings/new", _form(cast, days=11))
    assert accepted.status_code == 303, accepted.text
    reload(session)
    meeting = session.exec(select(Meeting).where(Meeting.place_id == cast.building.id)).one()
    assert meeting.notice_days == 10
    assert "符合通知期" in cast.client().get(f"/meetings/{meeting.id}").text


def test_a_meeting_keeps_the_notice_it_was_announced_under_when_the_setting_changes(cast, session):
    meeting = cast.meeting(starts_in=timedelta(days=5))
    assert meeting.notice_days == 3
    settings.do_set(session, cast.community, CONSULTATION, "20")
    session.commit()
    staff = cast.client("staff")
    page = cast.client().get(f"/meetings/{meeting.id}")
    assert "符合通知期" in page.text
    edited = actions.do_edit(session, meeting, cast.building, cast.people["staff"],
                             cast.draft_of(meeting, title="停车协商会（第二次）"))
    assert edited.notice_days == 3  # not moved: still announced under the old rule
    session.commit()
    with pytest.raises(MeetingError, match="20 天"):  # moved: a new announcement, under the rule of now
        actions.do_edit(session, meeting, cast.building, cast.people["staff"],
                        cast.draft_of(meeting, starts_at=meeting.starts_at + timedelta(hours=1),
                                      ends_at=meeting.ends_at + timedelta(hours=1)))
    assert staff.get(f"/meetings/{meeting.id}/edit").status_code == 200

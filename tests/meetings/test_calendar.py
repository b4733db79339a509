"""A place's calendar: its own meetings and those of the places that contain it, upcoming and past, and iCal."""

from __future__ import annotations

from datetime import UTC, timedelta

from icalendar import Calendar

from deliberate.clock import utcnow
from deliberate.meetings.rules import Kind


def test_a_buildings_calendar_shows_its_compounds_and_communitys_meetings_but_not_other_places(cast):
    cast.meeting(place=cast.community, title="社区居民议事会例会", kind=Kind.COUNCIL, starts_in=timedelta(days=8))
    cast.meeting(place=cast.compound, title="小区停车协商会")
    cast.meeting(title="1号楼楼道恳谈会", kind=Kind.LISTENING, starts_in=timedelta(days=2))
    cast.meeting(place=cast.town.compounds[1], title="别的小区的会")
    cast.meeting(place=cast.town.building(1), title="隔壁楼的会")
    cast.meeting(title="上个月的评议会", kind=Kind.EVALUATION, now=utcnow() - timedelta(days=30),
                 starts_in=timedelta(days=20))
    page = cast.client().get(f"/places/{cast.building.id}/meetings")
    assert page.status_code == 200
    upcoming, past = page.text.split("已召开的会议", 1)
    for title in ("社区居民议事会例会", "小区停车协商会", "1号楼楼道恳谈会"):
        assert title in upcoming
    assert upcoming.index("1号楼楼道恳谈会") < upcoming.index("小区停车协商会") < upcoming.index("社区居民议事会例会")
    assert "别的小区的会" not in page.text and "隔壁楼的会" not in page.text
    assert "上个月的评议会" in past
    twin = cast.client().get(f"/places/{cast.building.id}/meetings.json").json()
    assert [m["title"] for m in twin["upcoming"]] == ["1号楼楼道恳谈会", "小区停车协商会", "社区居民议事会例会"]
    assert [m["title"] for m in twin["past"]] == ["上个月的评议会"]


def test_a_communitys_calendar_can_show_the_meetings_of_the_places_within(cast):
    cast.meeting(title="1号楼楼道恳谈会", kind=Kind.LISTENING, starts_in=timedelta(days=2))
    client = cast.client()
    assert "1号楼楼道恳谈会" not in client.get(f"/places/{cast.community.id}/meetings").text
    assert "1号楼楼道恳谈会" in client.get(f"/places/{cast.community.id}/meetings?within=1").text


def test_a_meeting_downloads_as_ical_with_its_times_in_utc_and_its_summary(cast):
    meeting = cast.meeting(title="小区停车协商会", place=cast.compound)
    response = cast.client().get(f"/meetings/{meeting.id}.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    assert "attachment" in response.headers["content-disposition"]
    assert "DTSTART:" in response.text and response.text.split("DTSTART:", 1)[1][15] == "Z"  # UTC
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("dtstart") == meeting.starts_at and event.decoded("dtstart").tzinfo is not None
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert event.decoded("dtend") == meeting.ends_at
    assert str(event["summary"]) == "民事协商会：小区停车协商会"
    assert str(event["uid"]) == f"meeting-{meeting.id}@testserver"
    assert "活动室" in str(event["location"]) and cast.compound.name in str(event["location"])
    assert str(event["url"]) == f"http://testserver/meetings/{meeting.id}"
    assert "通报上次会议决定的落实情况" in str(event["description"])
    assert event.decoded("dtstamp").tzinfo is not None and str(event["status"]) == "CONFIRMED"


def test_a_places_feed_carries_its_meetings_and_its_parents_and_marks_cancelled_ones(cast, session):
    from deliberate.meetings import actions

    community = cast.meeting(place=cast.community, title="社区居民议事会例会", kind=Kind.COUNCIL,
                             starts_in=timedelta(days=8))
    own = cast.meeting(title="1号楼楼道恳谈会", kind=Kind.LISTENING, starts_in=timedelta(days=2))
    cast.meeting(place=cast.town.building(1), title="隔壁楼的会")
    actions.do_cancel(session, own, cast.people["staff"], "下雨改期")
    session.commit()
    response = cast.client().get(f"/places/{cast.building.id}/meetings.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"议事会会议：社区居民议事会例会", "民情恳谈会：1号楼楼道恳谈会"}
    assert str(events["民情恳谈会：1号楼楼道恳谈会"]["status"]) == "CANCELLED"
    assert events["民情恳谈会：1号楼楼道恳谈会"].decoded("sequence") == 1
    assert events["议事会会议：社区居民议事会例会"].decoded("dtstart") == community.starts_at.astimezone(UTC)
    assert len({str(e["uid"]) for e in events.values()}) == 2

"""A meeting that was held says so, on its date, and leads to its minutes once they are public."""

from __future__ import annotations

from datetime import timedelta

from factories import reload
from sqlmodel import select

from deliberate.clock import utcnow
from deliberate.meetings.models import AgendaItem

CHINA_DATE = "%Y-%m-%d"


def test_a_meeting_held_weeks_ago_says_it_was_held_on_its_date_and_links_the_minutes(cast, session):
    meeting = cast.meeting(now=utcnow() - timedelta(days=30), starts_in=timedelta(days=7))  # held 23 days ago
    held_on = (meeting.starts_at + timedelta(hours=8)).strftime(CHINA_DATE)
    page = cast.client("neighbour").get(f"/meetings/{meeting.id}")
    assert page.status_code == 200
    assert f"会议已于 {held_on} 召开，报名已截止。" in page.text and "会议纪要尚未发布。" in page.text
    assert "会议已经开始" not in page.text

    reload(session)
    item = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)).one()
    staff, chair = cast.client("staff"), cast.client("council")
    written = cast.post(staff, f"/meetings/{meeting.id}/minutes/edit", {
        "attendees": "实到 12 人。", "summary": "会议由楼委会主持。", f"discussion-{item.id}": "已落实。",
        f"decision-{item.id}": "", "intent": "submit"})
    assert written.status_code == 303
    assert cast.post(chair, f"/meetings/{meeting.id}/minutes/approve").status_code == 303
    page = cast.client().get(f"/meetings/{meeting.id}")
    assert f"会议已于 {held_on} 召开" in page.text and "会议纪要尚未发布" not in page.text
    held = page.text[page.text.index('<p class="held">'):]
    assert held[:held.index("</p>")].count(f'href="/meetings/{meeting.id}/minutes"') == 1


def test_a_meeting_under_way_says_so(cast):
    meeting = cast.past_meeting(hours=3)  # started an hour ago, ends in two
    page = cast.client("neighbour").get(f"/meetings/{meeting.id}")
    assert "会议正在进行，报名已截止。" in page.text and "召开，报名已截止" not in page.text

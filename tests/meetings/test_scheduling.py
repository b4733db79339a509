"""Scheduling a meeting through its pages: the notice each kind asks for, the agenda's proposals told, who may."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from factories import reload
from sqlmodel import select

from deliberate.clock import utcnow
from deliberate.meetings import actions
from deliberate.meetings.actions import MeetingError
from deliberate.meetings.models import AgendaItem, Meeting, MeetingStatus
from deliberate.proposals.models import Notification, ProposalEvent

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _form(cast, *, days: int = 5, kind: str = "consultation", **overrides) -> dict:  # type: ignore[no-untyped-def]
    day = (datetime.now(SHANGHAI) + timedelta(days=days)).strftime("%Y-%m-%d")
    return {"kind": kind, "title": "1号楼停车协商会", "description": "商量晚上停车怎么排", "date": day,
            "start": "19:00", "end": "21:00", "room": "社区活动室", "online_url": "", "capacity": "30",
            "access": "residents", "chair": str(cast.people["staff"].id), "items": "通报上次会议决定\n其他事项",
            **overrides}


def _events(session, proposal_id: int) -> list[ProposalEvent]:  # type: ignore[no-untyped-def]
    reload(session)
    return list(session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal_id)
                             .order_by(ProposalEvent.id)).all())


def test_staff_schedule_a_meeting_whose_proposal_shows_it_on_its_timeline_and_tells_its_followers(cast, session):
    proposal = cast.proposal()
    staff = cast.client("staff")
    form = staff.get(f"/places/{cast.building.id}/meetings/new?proposal={proposal.id}")
    assert form.status_code == 200 and f'value="{proposal.id}" checked' in form.text
    assert re.search(r'name="items"[^>]*></textarea>', form.text)  # no agenda items typed yet
    response = cast.post(staff, f"/places/{cast.building.id}/meetings/new", {**_form(cast), "proposal": proposal.id})
    assert response.status_code == 303, response.text
    reload(session)
    meeting = session.exec(select(Meeting)).one()
    assert response.headers["location"] == f"/meetings/{meeting.id}"
    assert meeting.starts_at.astimezone(SHANGHAI).strftime("%H:%M") == "19:00"  # typed in Beijing time
    assert meeting.starts_at.utcoffset() == timedelta(0)  # stored in UTC
    agenda = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                          .order_by(AgendaItem.position)).all()
    assert [(i.proposal_id, i.title) for i in agenda] == [
        (proposal.id, "楼下停车难"), (None, "通报上次会议决定"), (None, "其他事项")]
    page = cast.client().get(f"/meetings/{meeting.id}")
    assert page.status_code == 200
    assert "1号楼停车协商会" in page.text and "符合通知期" in page.text and "社区活动室" in page.text
    assert "19:00</time>–<time" in page.text and "21:00</time>" in page.text
    event = _events(session, proposal.id)[-1]
    assert (event.action, event.subject_kind, event.subject_id) == ("meeting_scheduled", "meeting", meeting.id)
    told = session.exec(select(Notification.user_id).where(Notification.event_id == event.id)).all()
    assert cast.people["author"].id in told
    proposal_page = cast.client().get(f"/proposals/{proposal.id}")
    assert f'href="/meetings/{meeting.id}"' in proposal_page.text and "列入会议议程" in proposal_page.text


def test_a_hearing_called_at_short_notice_is_refused_with_422_unless_urgent_with_a_reason(cast, session):
    staff = cast.client("staff")
    url = f"/places/{cast.building.id}/meetings/new"
    refused = cast.post(staff, url, _form(cast, days=2, kind="hearing"))
    assert refused.status_code == 422
    assert "民意听证会须提前 7 天通知" in refused.text and 'value="1号楼停车协商会"' in refused.text
    no_reason = cast.post(staff, url, _form(cast, days=2, kind="hearing", urgent="1"))
    assert no_reason.status_code == 422 and "紧急会议请写明理由" in no_reason.text
    reload(session)
    assert session.exec(select(Meeting)).all() == []
    urgent = cast.post(staff, url, _form(cast, days=2, kind="hearing", urgent="1",
                                         urgent_reason="暖气管道爆裂，须在停暖前商定抢修方案"))
    assert urgent.status_code == 303
    page = cast.client().get(urgent.headers["location"])
    assert "不足通知期" in page.text and "暖气管道爆裂" in page.text
    assert "民意听证会须提前 7 天通知" in page.text


def test_the_same_notice_a_consultation_allows_is_enough_and_a_listening_meeting_needs_a_day(cast):
    staff = cast.client("staff")
    url = f"/places/{cast.building.id}/meetings/new"
    assert cast.post(staff, url, _form(cast, days=4, kind="consultation")).status_code == 303
    assert cast.post(staff, url, _form(cast, days=2, kind="listening")).status_code == 303
    assert cast.post(staff, url, _form(cast, days=2, kind="consultation")).status_code == 422


def test_bad_input_is_explained_next_to_each_field(cast):
    staff = cast.client("staff")
    response = cast.post(staff, f"/places/{cast.building.id}/meetings/new", _form(
        cast, title="", room="", online_url="ftp://x", capacity="0", chair="999999", end="18:00", items=""))
    assert response.status_code == 422
    for message in ("请填写会议名称", "线上会议链接须以 http:// 或 https:// 开头", "名额应是 1 到",
                    "请选择会议主持人", "结束时间须晚于开始时间", "请至少列出一项议程"):
        assert message in response.text, message


def test_a_proposal_from_elsewhere_cannot_go_on_the_agenda(cast, session):
    proposal = cast.proposal()
    staff = cast.client("staff")
    other_building = cast.town.building(2)
    response = cast.post(staff, f"/places/{other_building.id}/meetings/new", {**_form(cast), "proposal": proposal.id})
    assert response.status_code == 422 and "请从列表中选择提案" in response.text
    with pytest.raises(MeetingError):
        cast.meeting(place=other_building, proposals=(proposal.id,))


def test_only_staff_and_the_places_own_council_may_schedule(cast):
    url = f"/places/{cast.building.id}/meetings/new"
    assert cast.client("neighbour").get(url).status_code == 403
    assert cast.post(cast.client("neighbour"), url, _form(cast)).status_code == 403
    assert cast.client("leader").get(url).status_code == 403
    assert cast.client("council").get(url).status_code == 200
    assert cast.client("council").get(f"/places/{cast.compound.id}/meetings/new").status_code == 403
    assert cast.client("staff").get(f"/places/{cast.community.id}/meetings/new").status_code == 200
    anonymous = cast.client().get(url)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_unknown_places_and_meetings_are_404(cast):
    client = cast.client("staff")
    for url in ("/places/999999/meetings/new", "/places/999999/meetings", "/meetings/999999",
                "/meetings/999999.json", "/meetings/999999.ics", "/meetings/999999/notice",
                "/meetings/999999/minutes", "/meetings/999999/sign-in", "/meetings/999999/edit"):
        assert client.get(url).status_code == 404, url
    assert cast.post(client, "/meetings/999999/register").status_code == 404


def test_the_place_page_links_its_meetings_and_offers_scheduling_to_those_who_may(cast):
    staff_page = cast.client("staff").get(f"/places/{cast.building.id}")
    assert f'href="/places/{cast.building.id}/meetings"' in staff_page.text
    assert f'href="/places/{cast.building.id}/meetings/new"' in staff_page.text
    resident_page = cast.client("neighbour").get(f"/places/{cast.building.id}")
    assert f'href="/places/{cast.building.id}/meetings"' in resident_page.text
    assert f'href="/places/{cast.building.id}/meetings/new"' not in resident_page.text


def test_editing_the_time_is_a_new_notice_and_the_proposals_are_told(cast, session):
    proposal = cast.proposal()
    meeting = cast.meeting(proposals=(proposal.id,), starts_in=timedelta(days=5))
    announced = meeting.noticed_at
    staff = cast.client("staff")
    form = staff.get(f"/meetings/{meeting.id}/edit")
    assert form.status_code == 200 and 'value="停车协商会"' in form.text
    moved = _form(cast, days=2, title="停车协商会（改期）", chair=str(cast.people["council"].id),
                  proposal=proposal.id)
    refused = cast.post(staff, f"/meetings/{meeting.id}/edit", moved)
    assert refused.status_code == 422 and "须提前 3 天通知" in refused.text
    assert cast.post(staff, f"/meetings/{meeting.id}/edit", {**moved, **_form(cast, days=6)} | {
        "title": "停车协商会（改期）", "chair": str(cast.people["council"].id), "proposal": proposal.id}
    ).status_code == 303
    reload(session)
    changed = session.get(Meeting, meeting.id)
    assert changed.title == "停车协商会（改期）" and changed.sequence == 1 and changed.noticed_at > announced
    assert [e.action for e in _events(session, proposal.id)][-2:] == ["meeting_scheduled", "meeting_rescheduled"]


def test_the_title_can_change_without_moving_the_meeting_or_its_notice(cast, session):
    meeting = cast.meeting(starts_in=timedelta(days=5))
    actions.do_edit(session, meeting, cast.building, cast.people["staff"], cast.draft_of(meeting, title="新名称"),
                    now=utcnow() + timedelta(days=4))  # a day before: too late for a new notice, but none is needed
    session.commit()
    assert meeting.title == "新名称" and meeting.noticed_at < utcnow()


def test_cancelling_needs_a_reason_which_registrants_see_and_the_proposals_are_told(cast, session):
    proposal = cast.proposal()
    meeting = cast.meeting(proposals=(proposal.id,))
    neighbour = cast.client("neighbour")
    assert cast.post(neighbour, f"/meetings/{meeting.id}/register").status_code == 303
    staff = cast.client("staff")
    assert cast.post(neighbour, f"/meetings/{meeting.id}/cancel", {"reason": "x"}).status_code == 403
    assert cast.post(staff, f"/meetings/{meeting.id}/cancel", {"reason": " "}).status_code == 422
    assert cast.post(staff, f"/meetings/{meeting.id}/cancel", {"reason": "会议室漏水，另行通知"}).status_code == 303
    reload(session)
    assert session.get(Meeting, meeting.id).status == MeetingStatus.CANCELLED
    page = neighbour.get(f"/meetings/{meeting.id}")
    assert "会议已取消" in page.text and "会议室漏水，另行通知" in page.text
    mine = neighbour.get("/meetings/mine")
    assert "会议室漏水，另行通知" in mine.text and "已取消" in mine.text
    assert _events(session, proposal.id)[-1].action == "meeting_cancelled"
    assert cast.post(staff, f"/meetings/{meeting.id}/cancel", {"reason": "再取消一次"}).status_code == 409
    assert cast.post(neighbour, f"/meetings/{meeting.id}/register").status_code == 409


def test_a_meeting_page_has_its_json_twin_and_a_printable_notice(cast):
    meeting = cast.meeting(urgent_reason="")
    twin = cast.client().get(f"/meetings/{meeting.id}.json").json()
    assert twin["title"] == "停车协商会" and twin["notice"]["met"] is True and twin["notice"]["required_days"] == 3
    assert twin["agenda"] == [{"title": "通报上次会议决定的落实情况", "proposal_id": None}]
    notice = cast.client().get(f"/meetings/{meeting.id}/notice")
    assert notice.status_code == 200 and "会议通知" in notice.text and 'class="notice printable"' in notice.text

"""Minutes: drafted by staff, approved by the chair, then public, linked from each proposal, and moving it on."""

from __future__ import annotations

from factories import reload
from sqlmodel import select

from deliberate.meetings import actions
from deliberate.meetings.models import AgendaItem, Minutes, MinutesStatus
from deliberate.proposals import actions as proposal_actions
from deliberate.proposals import plans
from deliberate.proposals.models import Proposal, ProposalEvent
from deliberate.proposals.rules import Action as Move
from deliberate.proposals.rules import Stage


def _item(session, meeting, proposal=None) -> AgendaItem:  # type: ignore[no-untyped-def]
    reload(session)
    items = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)).all()
    return next(i for i in items if (proposal is None) == (i.proposal_id is None)
                and (proposal is None or i.proposal_id == proposal.id))


def _minutes_form(cast, meeting, proposal, *, move: str = "accept", intent: str = "submit") -> dict:  # type: ignore[no-untyped-def]
    item = _item(cast.session, meeting, proposal)
    other = _item(cast.session, meeting)
    return {
        "attendees": "实到 18 人，其中居民代表 6 人；列席：物业公司经理。", "summary": "会议由楼委会主持。",
        f"discussion-{item.id}": "多数居民支持划线停车，一楼住户担心噪音。",
        f"decision-{item.id}": "同意立案，由楼委会拟定方案。",
        f"move-{item.id}": move, f"discussion-{other.id}": "上次会议的决定已落实。", f"decision-{other.id}": "",
        "intent": intent,
    }


def _actions_of(session, proposal) -> list[str]:  # type: ignore[no-untyped-def]
    reload(session)
    return list(session.exec(select(ProposalEvent.action).where(ProposalEvent.proposal_id == proposal.id)
                             .order_by(ProposalEvent.id)).all())


def test_minutes_drafted_then_approved_by_the_chair_are_published_linked_and_accept_the_proposal(cast, session):
    proposal = cast.proposal()
    meeting = cast.past_meeting(proposals=(proposal.id,), chair="council")
    staff = cast.client("staff")
    edit = f"/meetings/{meeting.id}/minutes/edit"
    form = staff.get(edit)
    assert form.status_code == 200 and "实到 0 人" in form.text
    assert cast.post(staff, edit, _minutes_form(cast, meeting, proposal, intent="save")).status_code == 303
    # A draft is not public, nor linked from the proposal.
    assert cast.client().get(f"/meetings/{meeting.id}/minutes").status_code == 404
    assert cast.client("neighbour").get(f"/meetings/{meeting.id}/minutes").status_code == 404
    assert "尚未公开" in staff.get(f"/meetings/{meeting.id}/minutes").text
    assert f"/meetings/{meeting.id}/minutes" not in cast.client().get(f"/proposals/{proposal.id}").text
    chair = cast.client("council")
    assert cast.post(chair, f"/meetings/{meeting.id}/minutes/approve").status_code == 409  # not yet submitted
    assert cast.post(staff, edit, _minutes_form(cast, meeting, proposal)).status_code == 303
    assert cast.post(staff, f"/meetings/{meeting.id}/minutes/approve").status_code == 403  # staff is not the chair
    approved = cast.post(chair, f"/meetings/{meeting.id}/minutes/approve")
    assert approved.status_code == 303 and approved.headers["location"] == f"/meetings/{meeting.id}/minutes"
    reload(session)
    assert session.get(Proposal, proposal.id).stage == Stage.ACCEPTED
    assert _actions_of(session, proposal)[-2:] == ["minutes_published", "accept"]
    accepted = session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id,
                                                        ProposalEvent.action == "accept")).one()
    assert accepted.actor_id == cast.people["council"].id and accepted.reason == "同意立案，由楼委会拟定方案。"
    published = cast.client().get(f"/meetings/{meeting.id}/minutes")
    assert published.status_code == 200
    assert "多数居民支持划线停车" in published.text and "列席：物业公司经理" in published.text
    assert "（已生效）" in published.text
    proposal_page = cast.client().get(f"/proposals/{proposal.id}")
    assert f'href="/meetings/{meeting.id}/minutes"' in proposal_page.text and "会议纪要发布" in proposal_page.text
    assert "已立案" in proposal_page.text
    assert cast.post(staff, edit, _minutes_form(cast, meeting, proposal)).status_code == 409  # published: final


def test_a_decision_the_state_machine_refuses_is_refused_with_409_and_its_reason(cast, session):
    proposal = cast.proposal(cosigned=False)  # still collecting co-signatures: it cannot be accepted
    meeting = cast.past_meeting(proposals=(proposal.id,))
    staff = cast.client("staff")
    refused = cast.post(staff, f"/meetings/{meeting.id}/minutes/edit", _minutes_form(cast, meeting, proposal))
    assert refused.status_code == 409
    assert "提案现在处于「征集附议」阶段，不能受理立案" in refused.text and "多数居民支持划线停车" in refused.text
    reload(session)
    assert session.get(Minutes, meeting.id) is None


def test_a_proposal_that_moved_on_before_approval_is_refused_then_and_nothing_is_published(cast, session):
    proposal = cast.proposal()
    meeting = cast.past_meeting(proposals=(proposal.id,))
    staff = cast.client("staff")
    assert cast.post(staff, f"/meetings/{meeting.id}/minutes/edit", _minutes_form(cast, meeting, proposal)
                     ).status_code == 303
    reload(session)  # a fresh snapshot to write from
    proposal_actions.do_withdraw(session, proposal, cast.building, cast.person("author"), cast.people["author"],
                                 "不需要了")
    session.commit()
    before = _actions_of(session, proposal)
    refused = cast.post(cast.client("council"), f"/meetings/{meeting.id}/minutes/approve")
    assert refused.status_code == 409 and "提案已撤回" in refused.text
    reload(session)
    assert session.get(Minutes, meeting.id).status == MinutesStatus.SUBMITTED
    assert _actions_of(session, proposal) == before


def test_a_chair_who_may_not_accept_proposals_is_refused_when_the_decision_is_written(cast):
    proposal = cast.proposal()
    meeting = cast.past_meeting(proposals=(proposal.id,), chair="leader")  # a building leader is no reviewer
    refused = cast.post(cast.client("staff"), f"/meetings/{meeting.id}/minutes/edit",
                        _minutes_form(cast, meeting, proposal))
    assert refused.status_code == 403 and "只有工作人员或议事会可以受理立案" in refused.text


def test_a_decision_can_publish_the_plans_for_disclosure(cast, session):
    proposal = cast.proposal()
    proposal_actions.do_review(session, proposal, cast.building, cast.person("staff"), cast.people["staff"],
                               Move.ACCEPT)
    plans.do_add_plan(session, proposal, cast.people["staff"], plans.PlanText(
        title="划线停车", description="划 20 个车位。", responsible="物业", schedule="一个月", cost_lines=(),
        residents_centi=0, units_centi=0, government_centi=0))
    session.commit()
    meeting = cast.past_meeting(proposals=(proposal.id,))
    actions.do_save_minutes(session, meeting, cast.people["staff"], attendees="", summary="", submit=True,
                            records={_item(session, meeting, proposal).id: actions.ItemRecord(
                                "大家看了方案。", "方案可以公示。", "publish_plan")})  # type: ignore[dict-item]
    session.commit()
    assert cast.post(cast.client("council"), f"/meetings/{meeting.id}/minutes/approve").status_code == 303
    reload(session)
    assert session.get(Proposal, proposal.id).stage == Stage.DISCLOSURE
    assert plans.disclosure_ends(session, session.get(Proposal, proposal.id)) is not None


def test_the_chair_can_send_the_draft_back_with_a_note(cast, session):
    proposal = cast.proposal()
    meeting = cast.past_meeting(proposals=(proposal.id,))
    staff = cast.client("staff")
    cast.post(staff, f"/meetings/{meeting.id}/minutes/edit", _minutes_form(cast, meeting, proposal, move=""))
    chair = cast.client("council")
    assert "批准并公开纪要" in chair.get(f"/meetings/{meeting.id}/minutes").text
    returned = cast.post(chair, f"/meetings/{meeting.id}/minutes/return", {"note": "请补上一楼住户的意见"})
    assert returned.status_code == 303
    reload(session)
    assert session.get(Minutes, meeting.id).status == MinutesStatus.DRAFT
    assert "请补上一楼住户的意见" in staff.get(f"/meetings/{meeting.id}/minutes/edit").text
    assert session.get(Proposal, proposal.id).stage == Stage.REVIEW


def test_minutes_wait_for_the_meeting_and_are_for_those_who_manage_it(cast):
    future = cast.meeting()
    assert cast.client("staff").get(f"/meetings/{future.id}/minutes/edit").status_code == 409
    held = cast.past_meeting()
    assert cast.client("neighbour").get(f"/meetings/{held.id}/minutes/edit").status_code == 403
    assert cast.client("council").get(f"/meetings/{held.id}/minutes/edit").status_code == 200

"""Every step of the loop sent twice (a double click, the back button, two staff at once) does nothing more the
second time, or is refused with 409 and a sentence; irreversible steps ask first, also without JavaScript."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from factories import reload
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate import clock
from deliberate.proposals.models import (
    CostItem,
    Inspection,
    Milestone,
    Plan,
    PlanVersion,
    ProgressUpdate,
    Proposal,
    ProposalEvent,
    ProposalRating,
)
from deliberate.proposals.rules import Stage
from deliberate.voting.models import Vote

P = "/proposals/"
PLAN = {"title": "划线停车", "description": "重新划线，增加 20 个车位。", "responsible": "物业公司",
        "schedule": "2027年3月", "cost_lines": "划线 3000\n标识牌 1000", "residents": "2000", "units": "1000",
        "government": "1000"}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _events(session, proposal_id: int) -> Counter[str]:  # type: ignore[no-untyped-def]
    reload(session)
    return Counter(session.exec(select(ProposalEvent.action).where(ProposalEvent.proposal_id == proposal_id)).all())


def _stage(session, proposal_id: int) -> str:  # type: ignore[no-untyped-def]
    reload(session)
    proposal = session.get(Proposal, proposal_id)
    assert proposal is not None
    return proposal.stage


def _twice(walk: Any, client: TestClient, url: str, data: dict | None = None, files=None) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The same form sent twice: the first must be done (303); the second's status and text."""
    first = walk.post(client, url, data, files)
    assert first.status_code == 303, first.text
    second = walk.post(client, url, data, files)
    return second.status_code, second.text


# Item 3: every step once -------------------------------------------------------------------------


def test_recording_the_start_of_works_twice_is_refused_and_leaves_one_event(app, session, walk):
    proposal_id = walk.implementing()
    status, text = _twice(walk, walk.as_("staff"), f"{P}{proposal_id}/start")
    assert status == 409 and "开工已经记录过了" in text
    assert _events(session, proposal_id)["start_works"] == 1
    assert "记录开工" not in walk.as_("staff").get(f"{P}{proposal_id}").text  # the button is gone once done


def test_after_a_failed_acceptance_the_works_may_start_again_once(app, session, walk):
    proposal_id = walk.implementing()
    staff, leader = walk.as_("staff"), walk.as_("leader")
    walk.post(staff, f"{P}{proposal_id}/start")
    walk.post(staff, f"{P}{proposal_id}/complete")
    assert walk.post(leader, f"{P}{proposal_id}/acceptance", {"outcome": "fail", "findings": "漏水"}).status_code == 303
    status, _text = _twice(walk, staff, f"{P}{proposal_id}/start", {"reason": "返工"})
    assert status == 409
    assert _events(session, proposal_id)["start_works"] == 2


def test_each_stage_move_sent_twice_is_refused_with_409_saying_it_was_done(app, session, walk):
    draft = walk.new("草稿", submit=False)
    author = walk.as_("author")
    assert _twice(walk, author, f"{P}{draft}/submit")[0] == 409
    proposal_id = walk.in_review()
    staff, council = walk.as_("staff"), walk.as_("council")
    status, text = _twice(walk, staff, f"{P}{proposal_id}/review", {"decision": "request_changes", "reason": "补充"})
    assert status == 409 and "这一步已经做过了" in text
    assert _twice(walk, author, f"{P}{proposal_id}/resubmit")[0] == 409
    status, text = _twice(walk, staff, f"{P}{proposal_id}/review", {"decision": "accept"})
    assert status == 409 and "这一步已经做过了" in text and "已立案" in text
    walk.post(staff, f"{P}{proposal_id}/plans/new", PLAN)
    assert _twice(walk, staff, f"{P}{proposal_id}/publish")[0] == 409
    walk.days_pass(7)
    staff, council = walk.as_("staff"), walk.as_("council")
    reload(session)
    plan = session.exec(select(Plan).where(Plan.proposal_id == proposal_id)).one()
    assert _twice(walk, council, f"{P}{proposal_id}/decide", {"plan": str(plan.id)})[0] == 409
    walk.post(staff, f"{P}{proposal_id}/start")
    assert _twice(walk, staff, f"{P}{proposal_id}/complete")[0] == 409
    assert _twice(walk, walk.as_("leader"), f"{P}{proposal_id}/acceptance", {"outcome": "pass"})[0] == 409
    events = _events(session, proposal_id)
    for step in ("submit", "request_changes", "resubmit", "accept", "publish_plan", "end_disclosure", "approve_plan",
                 "start_works", "complete_works", "pass_acceptance"):
        assert events[step] == 1, step
    assert _events(session, draft)["submit"] == 1
    reload(session)
    assert len(session.exec(select(Inspection).where(Inspection.proposal_id == proposal_id)).all()) == 1


def test_withdrawing_or_rejecting_twice_is_refused(app, session, walk):
    withdrawn = walk.in_review()
    status, text = _twice(walk, walk.as_("author"), f"{P}{withdrawn}/withdraw", {"reason": "已解决"})
    assert status == 409 and "已撤回" in text
    rejected = walk.in_review()
    status, text = _twice(walk, walk.as_("staff"), f"{P}{rejected}/review",
                          {"decision": "reject", "reason": "不属本楼"})
    assert status == 409 and "已被驳回" in text
    assert _events(session, withdrawn)["withdraw"] == 1 and _events(session, rejected)["reject"] == 1


def test_the_same_plan_sent_twice_is_one_plan_and_the_same_revision_one_version(app, session, walk):
    proposal_id = walk.accepted()
    staff = walk.as_("staff")
    assert _twice(walk, staff, f"{P}{proposal_id}/plans/new", PLAN)[0] == 303
    reload(session)
    plan = session.exec(select(Plan).where(Plan.proposal_id == proposal_id)).one()
    revised = {**PLAN, "residents": "2400", "units": "600", "note": "居民多出一些", "version": "1"}
    assert _twice(walk, staff, f"{P}{proposal_id}/plans/{plan.id}/edit", revised)[0] == 303
    reload(session)
    assert [v.number for v in session.exec(select(PlanVersion).where(PlanVersion.plan_id == plan.id)).all()] == [1, 2]
    assert _events(session, proposal_id)["plan_drafted"] == 1 and _events(session, proposal_id)["plan_edited"] == 1


def test_a_revision_made_on_an_older_version_is_refused_rather_than_overwriting_a_colleagues(app, session, walk):
    proposal_id = walk.accepted()
    staff, council = walk.as_("staff"), walk.as_("council")
    walk.post(staff, f"{P}{proposal_id}/plans/new", PLAN)
    reload(session)
    plan = session.exec(select(Plan).where(Plan.proposal_id == proposal_id)).one()
    form = council.get(f"{P}{proposal_id}/plans/{plan.id}/edit")
    assert 'name="version" value="1"' in form.text
    assert walk.post(staff, f"{P}{proposal_id}/plans/{plan.id}/edit",
                 {**PLAN, "title": "划线停车（甲）", "version": "1"}).status_code == 303
    late = walk.post(council, f"{P}{proposal_id}/plans/{plan.id}/edit",
                     {**PLAN, "title": "划线停车（乙）", "version": "1"})
    assert late.status_code == 409 and "已被改为第 2 版" in late.text
    reload(session)
    assert session.get(Plan, plan.id).version == 2


def test_works_records_sent_twice_are_kept_once(app, session, walk):
    proposal_id = walk.implementing()
    staff, supervisor = walk.as_("staff"), walk.as_("supervisor")
    assert _twice(walk, staff, f"{P}{proposal_id}/milestones", {"title": "划线", "due_on": "2030-01-01"})[0] == 303
    assert _twice(walk, staff, f"{P}{proposal_id}/progress", {"text": "划了一半", "percent": "50"})[0] == 303
    assert _twice(walk, supervisor, f"{P}{proposal_id}/inspections", {"findings": "线条歪斜"})[0] == 303
    cost = {"description": "油漆", "amount": "300", "payee": "建材店"}
    status, text = _twice(walk, staff, f"{P}{proposal_id}/costs", cost,
                          files=[("document", ("invoice.jpg", JPEG, "image/jpeg"))])
    assert status == 409 and "没有重复记录" in text
    reload(session)
    for model in (Milestone, ProgressUpdate, Inspection, CostItem):
        assert len(session.exec(select(model).where(model.proposal_id == proposal_id)).all()) == 1, model
    milestone = session.exec(select(Milestone)).one()
    status, text = _twice(walk, staff, f"{P}{proposal_id}/milestones/{milestone.id}/done")
    assert status == 409 and "已经完成" in text


def test_putting_the_plans_to_a_vote_twice_opens_one_vote(app, session, walk):
    proposal_id, _plan = walk.in_decision()
    council = walk.as_("council")
    closes = (clock.utcnow() + timedelta(days=3)).astimezone().strftime("%Y-%m-%dT%H:%M")
    first = walk.post(council, f"{P}{proposal_id}/vote", {"rule": "majority", "electorate": "households",
                                                      "closes_at": closes})
    assert first.status_code == 303
    again = walk.post(council, f"{P}{proposal_id}/vote", {"rule": "majority", "electorate": "households",
                                                      "closes_at": closes})
    assert again.status_code == 409 and "已经付诸表决" in again.text
    reload(session)
    assert len(session.exec(select(Vote)).all()) == 1


def test_rating_twice_keeps_one_rating_and_closing_twice_is_refused(app, session, walk):
    proposal_id = walk.implementing()
    walk.post(walk.as_("staff"), f"{P}{proposal_id}/complete")
    walk.post(walk.as_("leader"), f"{P}{proposal_id}/acceptance", {"outcome": "pass"})
    assert _twice(walk, walk.as_("neighbour"), f"{P}{proposal_id}/rating", {"rating": "satisfied"})[0] == 303
    reload(session)
    assert len(session.exec(select(ProposalRating)).all()) == 1
    walk.days_pass(15)  # the clock closes it
    assert _stage(session, proposal_id) == Stage.CLOSED
    closed = walk.post(walk.as_("staff"), f"{P}{proposal_id}/close")
    assert closed.status_code == 409 and "已办结" in closed.text


# Item 21: irreversible steps ask first ------------------------------------------------------------


def test_publishing_asks_for_confirmation_and_nothing_happens_until_it_is_given(app, session, walk):
    proposal_id = walk.accepted()
    staff = walk.as_("staff")
    walk.post(staff, f"{P}{proposal_id}/plans/new", PLAN)
    asked = walk.post(staff, f"{P}{proposal_id}/publish", confirm=False)
    assert asked.status_code == 200
    assert "公示 7 天" in asked.text and "公示后方案不能再修改" in asked.text and "确认公示" in asked.text
    assert f'action="{P}{proposal_id}/publish"' in asked.text and 'name="confirmed" value="yes"' in asked.text
    assert _stage(session, proposal_id) == Stage.ACCEPTED
    assert walk.post(staff, f"{P}{proposal_id}/publish").status_code == 303
    assert _stage(session, proposal_id) == Stage.DISCLOSURE
    again = walk.post(staff, f"{P}{proposal_id}/publish", confirm=False)  # the back button: refused, not asked again
    assert again.status_code == 409


def test_a_council_decision_asks_naming_the_plan_and_keeps_the_reason(app, session, walk):
    proposal_id, plan_id = walk.in_decision()
    council = walk.as_("council")
    asked = walk.post(council, f"{P}{proposal_id}/decide", {"plan": str(plan_id), "reason": "一致同意"}, confirm=False)
    assert asked.status_code == 200 and "通过方案“划线停车”" in asked.text and "确认记录决定" in asked.text
    assert f'name="plan" value="{plan_id}"' in asked.text and 'name="reason" value="一致同意"' in asked.text
    assert _stage(session, proposal_id) == Stage.DECISION
    none = walk.post(council, f"{P}{proposal_id}/decide", {"plan": "none"}, confirm=False)
    assert none.status_code == 200 and "都不通过" in none.text
    assert walk.post(walk.as_("staff"), f"{P}{proposal_id}/decide", {"plan": str(plan_id)}, confirm=False
                 ).status_code == 403  # never asked of someone who may not decide


@pytest.mark.parametrize(("step", "data", "button"), [
    ("complete", {}, "确认完工"),
    ("acceptance", {"outcome": "pass"}, "确认验收通过"),
])
def test_completing_and_accepting_the_works_ask_first(app, session, walk, step, data, button):
    proposal_id = walk.implementing()
    if step == "acceptance":
        walk.post(walk.as_("staff"), f"{P}{proposal_id}/complete")
    who = walk.as_("staff" if step == "complete" else "leader")
    before = _stage(session, proposal_id)
    asked = walk.post(who, f"{P}{proposal_id}/{step}", data, confirm=False)
    assert asked.status_code == 200 and button in asked.text
    assert _stage(session, proposal_id) == before


def test_an_acceptance_sent_with_photos_must_tick_the_confirmation_in_the_form(app, session, walk):
    proposal_id = walk.implementing()
    walk.post(walk.as_("staff"), f"{P}{proposal_id}/complete")
    leader = walk.as_("leader")
    page = leader.get(f"{P}{proposal_id}")
    assert 'name="confirmed" value="yes"' in page.text  # the form's own confirmation: photos cannot be posted twice
    unticked = walk.post(leader, f"{P}{proposal_id}/acceptance", {"outcome": "pass", "findings": "合格"},
                     files=[("photos", ("site.jpg", JPEG, "image/jpeg"))], confirm=False)
    assert unticked.status_code == 422 and "请勾选确认" in unticked.text and ">合格</textarea>" in unticked.text
    assert _stage(session, proposal_id) == Stage.ACCEPTANCE
    ticked = walk.post(leader, f"{P}{proposal_id}/acceptance", {"outcome": "pass", "findings": "合格"},
                   files=[("photos", ("site.jpg", JPEG, "image/jpeg"))])
    assert ticked.status_code == 303 and _stage(session, proposal_id) == Stage.RATING


def test_review_withdrawal_and_merging_ask_first_but_asking_for_changes_does_not(app, session, walk):
    proposal_id = walk.in_review()
    staff = walk.as_("staff")
    for decision, button in (("accept", "确认受理"), ("reject", "确认驳回")):
        asked = walk.post(staff, f"{P}{proposal_id}/review", {"decision": decision, "reason": "理由"}, confirm=False)
        assert asked.status_code == 200 and button in asked.text
    asked = walk.post(walk.as_("author"), f"{P}{proposal_id}/withdraw", {"reason": "算了"}, confirm=False)
    assert asked.status_code == 200 and "撤回后提案即告结束" in asked.text
    assert _stage(session, proposal_id) == Stage.REVIEW
    changes = walk.post(staff, f"{P}{proposal_id}/review", {"decision": "request_changes", "reason": "补充"},
                    confirm=False)
    assert changes.status_code == 303 and _stage(session, proposal_id) == Stage.CHANGES_REQUESTED


def test_a_step_that_cannot_be_taken_yet_is_refused_at_once_rather_than_asked(app, session, walk):
    proposal_id = walk.accepted()
    staff = walk.as_("staff")
    empty = walk.post(staff, f"{P}{proposal_id}/publish", confirm=False)
    assert empty.status_code == 409 and "请先制定至少一个方案" in empty.text
    walk.post(staff, f"{P}{proposal_id}/plans/new", PLAN)
    walk.post(staff, f"{P}{proposal_id}/publish")
    early = walk.post(staff, f"{P}{proposal_id}/end-disclosure", confirm=False)
    assert early.status_code == 409 and "公示期未满" in early.text
    other = walk.implementing()
    walk.post(walk.as_("staff"), f"{P}{other}/complete")
    walk.post(walk.as_("leader"), f"{P}{other}/acceptance", {"outcome": "pass"})
    closing = walk.post(walk.as_("staff"), f"{P}{other}/close", confirm=False)
    assert closing.status_code == 409 and "评价期未结束" in closing.text


def test_the_same_new_proposal_sent_twice_is_one_proposal(app, session, walk):
    author = walk.as_("author")
    form = {"title": "楼下停车难", "category": "parking", "body": "晚上没有车位。", "intent": "submit"}
    first = walk.post(author, f"/places/{walk.building.id}/proposals/new", form)
    again = walk.post(author, f"/places/{walk.building.id}/proposals/new", form)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    other = walk.post(author, f"/places/{walk.building.id}/proposals/new", {**form, "title": "楼下车位不够"})
    assert other.headers["location"] != first.headers["location"]  # a different text is a new proposal
    reload(session)
    assert len(session.exec(select(Proposal)).all()) == 2

"""What the works and plans show staff and residents: an overdue milestone can still be completed, spending is set
against the approved plan's budget with receipts checked, plans have a drafting deadline tracked like review, and
a plan's history shows every field a revision changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from factories import reload
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate import clock
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.proposals import actions, plans, rules, tracking, works
from deliberate.proposals.models import Milestone, Plan, PlanVersion, Proposal
from deliberate.proposals.rules import Stage
from deliberate.proposals.tracking import Section

P = "/proposals/"
PLAN = {"title": "划线停车", "description": "重新划线，增加 20 个车位。", "responsible": "物业公司",
        "schedule": "2027年3月", "cost_lines": "划线 3000\n标识牌 1000", "residents": "2000", "units": "1000",
        "government": "1000"}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


# Item 7 -----------------------------------------------------------------------------------------


def test_an_overdue_milestone_can_be_marked_done_and_leaves_the_tracking_page(app, session, walk):
    proposal_id = walk.implementing()
    staff = walk.as_("staff")
    walk.post(staff, f"{P}{proposal_id}/milestones", {"title": "划线", "due_on": "2020-01-01"})
    reload(session)
    milestone = session.exec(select(Milestone)).one()
    page = staff.get(f"{P}{proposal_id}")
    row = page.text[page.text.index("<td data-label=\"节点\">划线"):]
    row = row[:row.index("</tr>")]
    assert "已超期" in row and f"/milestones/{milestone.id}/done" in row and "标为完成" in row
    tracked = staff.get(f"/places/{walk.town.community.id}/tracking")
    assert "节点：划线" in tracked.text
    assert walk.post(staff, f"{P}{proposal_id}/milestones/{milestone.id}/done").status_code == 303
    reload(session)
    assert session.get(Milestone, milestone.id).done_at is not None
    assert "节点：划线" not in staff.get(f"/places/{walk.town.community.id}/tracking").text
    assert "已完成" in staff.get(f"{P}{proposal_id}").text
    assert "标为完成" not in TestClient(app).get(f"{P}{proposal_id}").text  # never offered to anyone else


# Item 22 ----------------------------------------------------------------------------------------


def test_spending_is_set_against_the_approved_plans_budget_and_costs_without_a_receipt_are_flagged(app, session,
                                                                                                   walk):
    people = walk.people
    proposal_id = walk.implementing()
    staff = walk.as_("staff")
    page = staff.get(f"{P}{proposal_id}")
    assert "已支出 0.00 元，方案预算 4,000.00 元（0.00%）" in page.text
    assert walk.post(staff, f"{P}{proposal_id}/costs", {"description": "划线", "amount": "3000", "payee": "施工队"},
                 files=[("document", ("invoice.jpg", JPEG, "image/jpeg"))]).status_code == 303
    page = TestClient(app).get(f"{P}{proposal_id}")
    assert "已支出 3,000.00 元，方案预算 4,000.00 元（75.00%）" in page.text and "超出预算" not in page.text
    reload(session)
    proposal = session.get(Proposal, proposal_id)
    works.do_disclose_cost(session, proposal, people["staff"], description="追加标识牌", amount_centi=150_000,
                           payee="广告公司", document_id=None)
    works.do_add_milestone(session, proposal, people["staff"], title="验收准备",
                           due_on=utcnow().date() - timedelta(days=2), responsible="")
    session.commit()
    page = TestClient(app).get(f"{P}{proposal_id}")
    assert "已支出 4,500.00 元，方案预算 4,000.00 元（112.50%）" in page.text
    assert "超出预算 500.00 元" in page.text and "1 笔费用没有凭证" in page.text
    row = page.text[page.text.index("追加标识牌"):]
    assert "无凭证" in row[:row.index("</tr>")]
    assert 'class="budget over"' in page.text
    twin = TestClient(app).get(f"{P}{proposal_id}.json").json()
    assert twin["spending"] == {"spent": "4500.00", "budget": "4000.00", "over_budget": True, "without_receipt": 1}
    assert [c["receipt"] for c in twin["costs"]] == [True, False]
    tracked = staff.get(f"/places/{walk.town.community.id}/tracking")
    assert "已支出 4,500.00 元 / 预算 4,000.00 元" in tracked.text
    assert "超出预算 500.00 元" in tracked.text and "1 笔费用无凭证" in tracked.text


def test_spending_without_an_approved_budget_says_so() -> None:
    assert works.spending_of([], None) == works.Spending(0, None, 0)
    spent = works.Spending(120_000, 100_000, 2)
    assert spent.over and spent.over_centi == 20_000 and spent.percent == "120.00"
    assert not works.Spending(100_000, 100_000).over and works.Spending(5, None).percent is None


# Item 8 -----------------------------------------------------------------------------------------


def test_an_accepted_proposal_waits_for_its_plans_by_a_deadline_tracked_like_review(app, session, walk):
    proposal_id = walk.accepted()
    reload(session)
    proposal = session.get(Proposal, proposal_id)
    assert proposal.plan_due_at - proposal.stage_changed_at == timedelta(days=30)
    staff = walk.as_("staff")
    assert "方案制定期限" in staff.get(f"{P}{proposal_id}").text
    url = f"/places/{walk.town.community.id}/tracking"
    page = staff.get(url)
    section = page.text[page.text.index('id="planning"'):page.text.index('id="disclosure"')]
    assert "楼下停车难" in section and "等待制定方案并公示" in section and 'class="overdue"' not in section
    with clock.travel(timedelta(days=31, hours=1)):
        late = walk.as_("staff").get(url)
        section = late.text[late.text.index('id="planning"'):late.text.index('id="disclosure"')]
        assert "逾期 1 天" in section and 'class="overdue"' in section
        assert "共 1 项逾期" in late.text
    walk.post(staff, f"{P}{proposal_id}/plans/new", PLAN)
    walk.post(staff, f"{P}{proposal_id}/publish")
    reload(session)
    assert session.get(Proposal, proposal_id).plan_due_at is None
    page = staff.get(url)
    assert "楼下停车难" not in page.text[page.text.index('id="planning"'):page.text.index('id="disclosure"')]


def test_the_plan_deadline_follows_the_places_rules_and_restarts_when_the_plans_fall(session, walk):
    building, people = walk.building, walk.people
    actions.do_set_rules(session, building, rules.PlaceRules(threshold=rules.Threshold("count", count=1),
                                                             plan_days=10))
    assert actions.rules_of(session, building).plan_days == 10
    author, staff, council = people["author"], people["staff"], people["council"]
    proposal = actions.do_create(session, place=building, author=author, draft=actions.Draft("修路", "", "roads"),
                                 submit=True, person=load_person(session, author))
    actions.do_cosign(session, proposal, building, load_person(session, people["neighbour"]), people["neighbour"])
    event = actions.do_review(session, proposal, building, load_person(session, staff), staff, rules.Action.ACCEPT)
    assert proposal.plan_due_at == event.at + timedelta(days=10)
    found = tracking.tracking(session, building, utcnow() + timedelta(days=11))
    (row,) = found.section(Section.PLANNING).rows
    assert row.overdue and row.days_overdue == 1 and found.section(Section.PLANNING).overdue == 1
    plans.do_add_plan(session, proposal, staff, plans.PlanText("修路", "铺沥青", "物业", "", (), 0, 0, 0))
    plans.do_publish(session, proposal, building, load_person(session, staff), staff)
    assert proposal.plan_due_at is None
    plans.do_end_disclosure(session, proposal, building, None, None, now=utcnow() + timedelta(days=8))
    fell = plans.do_decide(session, proposal, building, load_person(session, council), council, None, reason="都不行")
    assert proposal.stage == Stage.ACCEPTED and proposal.plan_due_at == fell.at + timedelta(days=10)


@pytest.mark.parametrize("days", [0, -1, 366])
def test_a_plan_deadline_out_of_range_is_refused(days: int) -> None:
    with pytest.raises(ValueError, match="plan drafting"):
        rules.PlaceRules(plan_days=days)


def test_the_default_plan_deadline_is_thirty_days() -> None:
    assert rules.PlaceRules().plan_days == 30


# Item 20 ----------------------------------------------------------------------------------------


def test_the_plan_history_shows_every_changed_field_the_funding_split_and_cost_lines_included(app, session, walk):
    proposal_id = walk.accepted()
    staff = walk.as_("staff")
    walk.post(staff, f"{P}{proposal_id}/plans/new", PLAN)
    reload(session)
    plan = session.exec(select(Plan)).one()
    revised = {**PLAN, "cost_lines": "划线 3000\n标识牌 1400\n油漆 200", "residents": "2400", "units": "1200",
               "note": "按居民意见", "version": "1"}
    assert walk.post(staff, f"{P}{proposal_id}/plans/{plan.id}/edit", revised).status_code == 303
    history = TestClient(app).get(f"{P}{proposal_id}/plans/{plan.id}")
    text = history.text
    changes = text[text.index("与第 1 版相比的修改"):text.index("</table>", text.index("与第 1 版相比的修改"))]
    for field, before, after in (("居民自筹", "2,000.00", "2,400.00"), ("共建单位", "1,000.00", "1,200.00"),
                                 ("费用：标识牌", "1,000.00", "1,400.00"), ("费用：油漆", "—", "200.00"),
                                 ("费用合计", "4,000.00", "4,600.00")):
        row = changes[changes.index(field):]
        row = row[:row.index("</tr>")]
        assert before in row and after in row, field
    assert "政府补贴" not in changes and "方案名称" not in changes  # what did not change is not listed
    assert "居民自筹 2,000.00 元" in text and "居民自筹 2,400.00 元" in text  # each version's split in full
    twin = TestClient(app).get(f"{P}{proposal_id}/plans/{plan.id}.json").json()
    newest = twin["versions"][0]
    assert newest["funding"]["residents"] == "2400.00"
    assert {"field": "居民自筹", "before": "2,000.00", "after": "2,400.00"} in newest["changes"]


def test_changes_between_versions_name_removed_lines_and_text_changes(session, walk):
    def version(**fields: object) -> PlanVersion:
        base: dict[str, object] = {"plan_id": 1, "number": 1, "title": "甲", "description": "做", "responsible": "物业",
                                   "schedule": "", "cost_lines": '[{"item": "砖", "amount_centi": 100}]',
                                   "residents_centi": 100, "units_centi": 0, "government_centi": 0}
        return PlanVersion(**{**base, **fields})

    old = version()
    new = version(number=2, title="乙", schedule="三月", cost_lines="[]", residents_centi=0)
    found = [(c.field, c.before, c.after) for c in plans.changes_between(old, new)]
    assert found == [("方案名称", "甲", "乙"), ("工期安排", "", "三月"), ("费用：砖", "1.00", "—"),
                     ("费用合计", "1.00", "0.00"), ("居民自筹", "1.00", "0.00")]
    assert plans.changes_between(old, version(number=2)) == []

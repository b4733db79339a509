"""While a vote decides a proposal's plans nobody else decides them; withdrawing it is its own step with a reason,
told to everyone on the roll. The ballot shows the plans in full, and every result says how many took part."""

from __future__ import annotations

from datetime import timedelta

import pytest
from client_helpers import logged_in, post
from factories import make_proposal_cast, reload
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.proposals import actions, plans, rules, works
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Notification, NotificationKind, Plan, Proposal, ProposalEvent
from deliberate.proposals.rules import Stage
from deliberate.voting import actions as voting
from deliberate.voting import queries as vote_queries
from deliberate.voting.models import SealedBallot, SecretBallot, Vote, VoteStatus

P = "/proposals/"


def _text(title: str) -> plans.PlanText:
    return plans.PlanText(
        title=title, description="铺设**透水砖**，划定车位。", responsible="物业公司", schedule="2027年3月至4月",
        cost_lines=(plans.CostLine("材料", 3_000_000), plans.CostLine("人工", 1_500_000)),
        residents_centi=2_400_000, units_centi=1_100_000, government_centi=1_000_000,
    )


@pytest.fixture
def cast(session):  # type: ignore[no-untyped-def]
    return make_proposal_cast(session, extra_households=2)


def _in_decision(session, building, people, titles=("方案甲",)) -> Proposal:  # type: ignore[no-untyped-def]
    def person(name):  # type: ignore[no-untyped-def]
        return load_person(session, people[name])

    proposal = actions.do_create(session, place=building, author=people["author"], submit=True,
                                 draft=Draft("楼下停车难", "晚上没有车位。", "parking"), person=person("author"))
    for name in ("neighbour", "neighbour2"):
        actions.do_cosign(session, proposal, building, person(name), people[name])
    actions.do_review(session, proposal, building, person("council"), people["council"], rules.Action.ACCEPT)
    for title in titles:
        plans.do_add_plan(session, proposal, people["staff"], _text(title))
    plans.do_publish(session, proposal, building, person("staff"), people["staff"])
    works.advance_if_due(session, proposal, building, now=utcnow() + timedelta(days=8))
    assert proposal.stage == Stage.DECISION
    return proposal


def _put_to_vote(session, building, people, proposal, *, secret=False, open_it=True) -> Vote:  # type: ignore[no-untyped-def]
    vote = plans.do_open_vote(session, proposal, building, people["council"], closes_at=utcnow() + timedelta(days=3),
                              rule="majority", electorate_kind="households", secret=secret)
    if open_it:
        voting.do_open(session, vote, building)
    session.commit()
    return vote


def _cast(session, vote, people, name, choice):  # type: ignore[no-untyped-def]
    entry = vote_queries.entries_for(session, vote, people[name])[0]
    result = voting.do_cast(session, vote, entry, choice)
    session.commit()
    return result


@pytest.mark.parametrize("open_it", [True, False], ids=["open", "in preparation"])
def test_nobody_decides_the_plans_while_their_vote_is_open_or_prepared(app, session, cast, open_it):
    _town, building, people = cast
    proposal = _in_decision(session, building, people)
    plan = session.exec(select(Plan).where(Plan.proposal_id == proposal.id)).one()
    vote = _put_to_vote(session, building, people, proposal, open_it=open_it)
    council = logged_in(app, "council")
    page = council.get(f"{P}{proposal.id}")
    assert "记录决定" not in page.text and 'name="plan"' not in page.text
    assert "这些方案由居民表决决定" in page.text and f'href="/votes/{vote.id}"' in page.text
    refused = post(council, f"{P}{proposal.id}/decide", {"plan": str(plan.id), "reason": "一致同意"},
                   form_page=f"{P}{proposal.id}")
    assert refused.status_code == 409 and "只有表决结果能决定它们" in refused.text
    refused = post(council, f"{P}{proposal.id}/decide", {"plan": "none"}, form_page=f"{P}{proposal.id}")
    assert refused.status_code == 409
    reload(session)
    assert session.get(Proposal, proposal.id).stage == Stage.DECISION
    assert session.get(Plan, plan.id).status == "disclosed"
    with pytest.raises(rules.ProposalError):  # nor a second vote beside it
        plans.do_open_vote(session, session.get(Proposal, proposal.id), building, people["council"],
                           closes_at=utcnow() + timedelta(days=3), rule="majority", electorate_kind="households",
                           secret=False)


def test_a_closed_vote_waiting_for_certification_still_decides_alone(session, cast):
    _town, building, people = cast
    proposal = _in_decision(session, building, people)
    plan = session.exec(select(Plan).where(Plan.proposal_id == proposal.id)).one()
    vote = _put_to_vote(session, building, people, proposal)
    voting.do_close(session, vote, now=utcnow() + timedelta(days=4))
    with pytest.raises(rules.ProposalError, match="只有表决结果能决定它们"):
        plans.do_decide(session, proposal, building, load_person(session, people["council"]), people["council"], plan)
    plans.do_certify_vote(session, vote, by=people["council"])  # the vote's own result still decides
    assert proposal.stage in (Stage.IMPLEMENTATION, Stage.ACCEPTED)


def test_withdrawing_a_vote_needs_a_reason_tells_the_roll_and_gives_the_plans_back(app, session, cast):
    _town, building, people = cast
    proposal = _in_decision(session, building, people)
    plan = session.exec(select(Plan).where(Plan.proposal_id == proposal.id)).one()
    vote = _put_to_vote(session, building, people, proposal)
    _cast(session, vote, people, "author", "yes")
    url = f"/votes/{vote.id}"
    resident = logged_in(app, "neighbour")
    assert resident.get(f"{url}/withdraw").status_code == 403
    assert post(resident, f"{url}/withdraw", {"reason": "x"}, form_page=url).status_code == 403
    staff = logged_in(app, "staff")
    assert "撤回表决" in staff.get(url).text
    form = staff.get(f"{url}/withdraw")
    assert form.status_code == 200 and 'name="reason"' in form.text
    empty = post(staff, f"{url}/withdraw", {"reason": "  "}, form_page=url)
    assert empty.status_code == 422 and "请写明撤回的理由" in empty.text
    asked = post(staff, f"{url}/withdraw", {"reason": "方案费用有误，重新核算"}, form_page=url)
    assert asked.status_code == 200 and "确认撤回" in asked.text and 'value="方案费用有误，重新核算"' in asked.text
    reload(session)
    assert session.get(Vote, vote.id).status == VoteStatus.OPEN  # asking wrote nothing
    done = post(staff, f"{url}/withdraw", {"reason": "方案费用有误，重新核算", "confirmed": "yes"}, form_page=url)
    assert done.status_code == 303
    reload(session)
    withdrawn = session.get(Vote, vote.id)
    assert withdrawn.status == VoteStatus.WITHDRAWN and withdrawn.withdrawal_reason == "方案费用有误，重新核算"
    assert withdrawn.withdrawn_by_id == people["staff"].id and withdrawn.withdrawn_at is not None
    assert session.get(Plan, plan.id).vote_id is None

    page = TestClient(app).get(url)
    assert "这次表决已撤回" in page.text and "方案费用有误，重新核算" in page.text and "已撤回" in page.text
    assert "表决通过" not in page.text and f'action="/votes/{vote.id}/ballot"' not in page.text
    twin = TestClient(app).get(f"{url}.json").json()
    assert twin["status"] == "withdrawn" and twin["withdrawn"]["reason"] == "方案费用有误，重新核算"
    assert twin["result"] is None
    late = logged_in(app, "neighbour2")
    entry = vote_queries.entries_for(session, withdrawn, people["neighbour2"])[0]
    refused = post(late, f"{url}/ballot", {"entry": str(entry.id), "choice": "yes"}, form_page=url)
    assert refused.status_code == 409

    told = session.exec(select(Notification).where(Notification.kind == NotificationKind.VOTE_WITHDRAWN)).all()
    voters = {people[name].id for name in ("author", "neighbour", "neighbour2")}
    assert {n.user_id for n in told} >= voters and all(n.vote_id == vote.id for n in told)
    assert people["staff"].id not in {n.user_id for n in told}
    inbox = logged_in(app, "author").get("/notifications")
    assert "表决已撤回，选票不计" in inbox.text and "方案费用有误，重新核算" in inbox.text

    event = session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
                         .order_by(ProposalEvent.id.desc())).first()
    assert (event.action, event.reason, event.subject_kind, event.subject_id) == (
        "vote_withdrawn", "方案费用有误，重新核算", "vote", vote.id)
    timeline = TestClient(app).get(f"{P}{proposal.id}")
    assert "表决撤回" in timeline.text and "方案费用有误，重新核算" in timeline.text
    assert "记录决定" in logged_in(app, "council").get(f"{P}{proposal.id}").text  # the council may decide again
    again = post(staff, f"{url}/withdraw", {"reason": "再撤一次", "confirmed": "yes"}, form_page=url)
    assert again.status_code == 409 and "只有尚未认证结果的表决可以撤回" in again.text
    # ... or a new vote may be opened
    reload(session)
    second = plans.do_open_vote(session, session.get(Proposal, proposal.id), building, people["council"],
                                closes_at=utcnow() + timedelta(days=3), rule="majority",
                                electorate_kind="households", secret=False)
    assert second.id != vote.id and session.get(Plan, plan.id).vote_id == second.id


def test_a_withdrawn_secret_vote_counts_nothing_and_leaves_nothing_sealed(app, session, cast):
    _town, building, people = cast
    proposal = _in_decision(session, building, people)
    vote = _put_to_vote(session, building, people, proposal, secret=True)
    receipt = _cast(session, vote, people, "author", "yes").receipt
    assert receipt and session.exec(select(SealedBallot).where(SealedBallot.vote_id == vote.id)).all()
    plans.do_withdraw_vote(session, vote, by=people["staff"], reason="程序有误")
    session.commit()
    assert session.exec(select(SealedBallot).where(SealedBallot.vote_id == vote.id)).all() == []
    published = session.exec(select(SecretBallot).where(SecretBallot.vote_id == vote.id)).all()
    assert [b.receipt for b in published] == [receipt]  # mixed out of the urn, as on close, never counted
    assert vote.closed_at is not None and vote.result_json == ""
    assert TestClient(app).get(f"/votes/{vote.id}/ballots.json").status_code == 409
    assert TestClient(app).get(f"/votes/{vote.id}/notice").status_code == 404
    with pytest.raises(voting.VoteError, match="not_closed"):
        voting.do_certify(session, vote, by=people["council"])


def test_the_ballot_shows_each_plan_in_full_with_its_costs_and_funding(app, session, cast):
    _town, building, people = cast
    proposal = _in_decision(session, building, people, titles=("横铺", "竖铺"))
    vote = _put_to_vote(session, building, people, proposal)
    rows = session.exec(select(Plan).where(Plan.proposal_id == proposal.id).order_by(Plan.id)).all()
    page = logged_in(app, "author").get(f"/votes/{vote.id}")
    assert page.status_code == 200
    text = page.text
    assert "表决的方案" in text and "方案1：横铺" in text and "方案2：竖铺" in text
    assert "<strong>透水砖</strong>" in text and "物业公司" in text and "2027年3月至4月" in text
    assert "材料" in text and "30,000.00" in text and "15,000.00" in text and "45,000.00 元" in text
    assert "居民自筹 24,000.00 元，共建单位 11,000.00 元，政府补贴 10,000.00 元" in text
    for plan in rows:
        assert f'href="/proposals/{proposal.id}/plans/{plan.id}"' in text
    assert text.index("表决的方案") < text.index("我的选票")  # read before choosing
    twin = TestClient(app).get(f"/votes/{vote.id}.json").json()
    assert [p["option"] for p in twin["plans"]["plans"]] == ["方案1：横铺", "方案2：竖铺"]
    assert twin["plans"]["plans"][0]["total"] == "45000.00"
    assert twin["plans"]["plans"][0]["funding"] == {"residents": "24000.00", "units": "11000.00",
                                                    "government": "10000.00"}


def test_every_result_says_how_many_took_part(app, session, cast):
    _town, building, people = cast
    proposal = _in_decision(session, building, people)
    vote = _put_to_vote(session, building, people, proposal)
    _cast(session, vote, people, "author", "yes")
    roll = vote_queries.roll_totals(session, vote)[0]
    voting.do_close(session, vote, now=utcnow() + timedelta(days=4))
    plans.do_certify_vote(session, vote, by=people["council"])
    session.commit()
    share = f"{100 / roll:.2f}"
    said = f"1 / {roll} 人参与（{share}%）"
    page = TestClient(app).get(f"/votes/{vote.id}")
    assert "表决通过" in page.text and said in page.text
    result = page.text[page.text.index('id="result-title"'):]
    assert result.index(said) < result.index("</h2>")  # in the result's own heading
    assert said in TestClient(app).get(f"/votes/{vote.id}/notice").text
    twin = TestClient(app).get(f"/votes/{vote.id}.json").json()
    assert twin["turnout"] == {"voted": 1, "roll": roll, "percent": share}
    event = session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id,
                                                     ProposalEvent.action == "approve_plan")).one()
    assert event.reason == f"表决通过：{said}。"
    assert said in TestClient(app).get(f"{P}{proposal.id}").text


def test_the_author_withdraws_a_proposal_only_after_the_vote_on_its_plans_is_withdrawn(app, session, cast):
    _town, building, people = cast
    proposal = _in_decision(session, building, people)
    vote = _put_to_vote(session, building, people, proposal)
    author = logged_in(app, "author")
    refused = post(author, f"{P}{proposal.id}/withdraw", {"reason": "不需要了"}, form_page=f"{P}{proposal.id}")
    assert refused.status_code == 409 and "请先由管理表决的工作人员撤回这次表决" in refused.text
    reload(session)
    assert session.get(Proposal, proposal.id).stage == Stage.DECISION
    voting.do_withdraw(session, session.get(Vote, vote.id), by=people["council"], reason="改由议事会决定")
    session.commit()
    confirmed = post(author, f"{P}{proposal.id}/withdraw", {"reason": "不需要了", "confirmed": "yes"},
                     form_page=f"{P}{proposal.id}")
    assert confirmed.status_code == 303
    reload(session)
    assert session.get(Proposal, proposal.id).stage == Stage.WITHDRAWN

"""The proposal loop through its actions: co-signing to review, plans to a vote, works, acceptance, rating, closing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factories import make_proposal_cast, make_resident
from sqlmodel import select

from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.proposals import actions, plans, rules, works
from deliberate.proposals.actions import Draft, ProposalError
from deliberate.proposals.models import (
    Cosign,
    Follow,
    Notification,
    Plan,
    PlanStatus,
    PlanVersion,
    Proposal,
    ProposalEvent,
)
from deliberate.proposals.rules import IllegalTransition, Rating, Stage
from deliberate.voting import actions as voting
from deliberate.voting import queries as vote_queries
from deliberate.voting.models import RollEntry


def _plan_text(title: str, responsible: str = "物业公司") -> plans.PlanText:
    return plans.PlanText(
        title=title, description="铺设透水砖，划定车位。", responsible=responsible, schedule="2027年3月至4月",
        cost_lines=(plans.CostLine("材料", 3_000_000), plans.CostLine("人工", 1_500_000)),
        residents_centi=1_500_000, units_centi=1_500_000, government_centi=1_500_000,
    )


@pytest.fixture
def loop(session):  # type: ignore[no-untyped-def]
    """One building with four households: an author, two neighbours, staff of the community, its council, a leader."""
    return make_proposal_cast(session, extra_households=2)


def _person(session, user):  # type: ignore[no-untyped-def]
    return load_person(session, user)


def _submitted(session, building, people) -> Proposal:  # type: ignore[no-untyped-def]
    author = people["author"]
    return actions.do_create(session, place=building, author=author, draft=Draft("楼下停车难", "**晚上**没有车位。",
                             "parking"), submit=True, person=_person(session, author))


def _cosign(session, proposal, building, *names, people):  # type: ignore[no-untyped-def]
    for name in names:
        actions.do_cosign(session, proposal, building, _person(session, people[name]), people[name])


def test_submitted_proposal_collects_cosigns_and_reaching_the_threshold_opens_review_and_tells_staff(session, loop):
    _town, building, people = loop
    proposal = _submitted(session, building, people)
    assert proposal.stage == Stage.COSIGNING and proposal.cosigners_needed == 2
    _cosign(session, proposal, building, "neighbour", people=people)
    assert proposal.stage == Stage.COSIGNING and proposal.cosign_count == 1
    _cosign(session, proposal, building, "neighbour2", people=people)
    session.commit()
    assert proposal.stage == Stage.REVIEW
    assert proposal.review_due_at is not None
    assert proposal.review_due_at - proposal.stage_changed_at == timedelta(days=15)
    told = set(session.exec(select(Notification.user_id).where(Notification.proposal_id == proposal.id)).all())
    assert {people["staff"].id, people["council"].id} <= told
    events = session.exec(select(ProposalEvent.action).where(ProposalEvent.proposal_id == proposal.id)
                          .order_by(ProposalEvent.id)).all()
    assert events == ["create", "submit", "reach_threshold"]


def test_a_resident_cosigns_once_and_the_author_and_outsiders_cannot(session, loop):
    _town, building, people = loop
    proposal = _submitted(session, building, people)
    _cosign(session, proposal, building, "neighbour", people=people)
    assert actions.do_cosign(session, proposal, building, _person(session, people["neighbour"]),
                             people["neighbour"]) is False
    assert proposal.cosign_count == 1
    with pytest.raises(IllegalTransition, match="作者不能"):
        _cosign(session, proposal, building, "author", people=people)
    with pytest.raises(IllegalTransition, match="核实居民"):
        _cosign(session, proposal, building, "outsider", people=people)


def test_household_share_threshold_counts_households_not_people(session, loop):
    town, building, people = loop
    actions.do_set_rules(session, building, rules.PlaceRules(threshold=rules.LEGAL_DEFAULTS["households"]))
    housemate = make_resident(session, "housemate", town.households[1])
    proposal = _submitted(session, building, people)
    assert proposal.cosigners_needed == 1  # 1/5 of 4 households, rounded up
    actions.do_cosign(session, proposal, building, _person(session, housemate), housemate)
    assert proposal.stage == Stage.REVIEW


def _in_review(session, building, people) -> Proposal:  # type: ignore[no-untyped-def]
    proposal = _submitted(session, building, people)
    _cosign(session, proposal, building, "neighbour", "neighbour2", people=people)
    return proposal


def test_review_rejection_needs_a_public_reason(session, loop):
    _town, building, people = loop
    proposal = _in_review(session, building, people)
    staff = _person(session, people["staff"])
    with pytest.raises(IllegalTransition, match="理由"):
        actions.do_review(session, proposal, building, staff, people["staff"], rules.Action.REJECT, "  ")
    actions.do_review(session, proposal, building, staff, people["staff"], rules.Action.REJECT, "不属于本楼事务")
    assert proposal.stage == Stage.REJECTED and proposal.closed_at is not None


def test_a_resident_cannot_accept_and_the_author_cannot_edit_once_review_began(session, loop):
    _town, building, people = loop
    proposal = _in_review(session, building, people)
    with pytest.raises(IllegalTransition, match="工作人员或议事会"):
        actions.do_review(session, proposal, building, _person(session, people["neighbour"]), people["neighbour"],
                          rules.Action.ACCEPT)
    with pytest.raises(IllegalTransition, match="不能再修改"):
        actions.do_edit(session, proposal, building, _person(session, people["author"]), people["author"],
                        Draft("新标题", "", "parking"))


def test_changes_requested_then_resubmitted_goes_back_to_review(session, loop):
    _town, building, people = loop
    proposal = _in_review(session, building, people)
    staff, author = people["staff"], people["author"]
    with pytest.raises(ProposalError):
        actions.do_review(session, proposal, building, _person(session, staff), staff, rules.Action.REQUEST_CHANGES)
    actions.do_review(session, proposal, building, _person(session, staff), staff, rules.Action.REQUEST_CHANGES,
                      "请补充车位数量")
    actions.do_edit(session, proposal, building, _person(session, author), author, Draft("楼下停车难", "缺 20 个车位",
                    "parking"))
    actions.do_resubmit(session, proposal, building, _person(session, author), author)
    assert proposal.stage == Stage.REVIEW and proposal.body == "缺 20 个车位"


def test_merging_carries_cosigners_and_followers_to_the_target(session, loop):
    town, building, people = loop
    target = _in_review(session, building, people)
    other_author = make_resident(session, "other", town.households[1])
    duplicate = actions.do_create(session, place=building, author=other_author,
                                  draft=Draft("停车位不够", "", "parking"), submit=True,
                                  person=_person(session, other_author))
    _cosign(session, duplicate, building, "neighbour2", "author", people=people)
    assert duplicate.stage == Stage.REVIEW
    staff = people["staff"]
    actions.do_merge(session, duplicate, building, _person(session, staff), staff, target, "同一件事")
    session.commit()
    assert duplicate.stage == Stage.MERGED and duplicate.merged_into_id == target.id
    cosigners = set(session.exec(select(Cosign.user_id).where(Cosign.proposal_id == target.id)).all())
    # The duplicate's author joins as a co-signer; the target's own author is never its co-signer.
    assert cosigners == {people["neighbour"].id, people["neighbour2"].id, other_author.id}
    assert target.cosign_count == 3
    assert other_author.id in set(session.exec(select(Follow.user_id).where(Follow.proposal_id == target.id)).all())
    with pytest.raises(ProposalError):
        actions.do_merge(session, target, building, _person(session, staff), staff, target)


def test_author_withdraws_until_a_plan_is_approved(session, loop):
    _town, building, people = loop
    proposal = _in_review(session, building, people)
    author = people["author"]
    actions.do_withdraw(session, proposal, building, _person(session, author), author, "已自行解决")
    assert proposal.stage == Stage.WITHDRAWN


def _accepted(session, building, people) -> Proposal:  # type: ignore[no-untyped-def]
    proposal = _in_review(session, building, people)
    council = people["council"]
    actions.do_review(session, proposal, building, _person(session, council), council, rules.Action.ACCEPT)
    return proposal


def test_plan_edits_keep_every_version_and_disclosure_must_run_its_days(session, loop):
    _town, building, people = loop
    proposal = _accepted(session, building, people)
    staff = people["staff"]
    plan = plans.do_add_plan(session, proposal, staff, _plan_text("方案甲"))
    plans.do_edit_plan(session, proposal, plan, staff, _plan_text("方案甲（修订）"), "按居民意见调整")
    versions = plans.versions_of(session, plan)
    assert [v.number for v in versions] == [2, 1] and versions[1].title == "方案甲"
    plans.do_publish(session, proposal, building, _person(session, staff), staff)
    assert proposal.stage == Stage.DISCLOSURE and plan.status == PlanStatus.DISCLOSED
    assert plan.disclosure_ends_at - plan.disclosure_starts_at == timedelta(days=7)
    with pytest.raises(ProposalError, match="公示期未满"):
        plans.do_end_disclosure(session, proposal, building, _person(session, staff), staff)
    with pytest.raises(ProposalError):
        plans.do_edit_plan(session, proposal, plan, staff, _plan_text("偷偷修改"), "")
    assert works.advance_if_due(session, proposal, building, now=utcnow() + timedelta(days=6)) is False
    assert works.advance_if_due(session, proposal, building, now=utcnow() + timedelta(days=7, seconds=1)) is True
    assert proposal.stage == Stage.DECISION


def _in_decision(session, building, people, titles=("方案甲",)) -> Proposal:  # type: ignore[no-untyped-def]
    proposal = _accepted(session, building, people)
    staff = people["staff"]
    for title in titles:
        plans.do_add_plan(session, proposal, staff, _plan_text(title))
    plans.do_publish(session, proposal, building, _person(session, staff), staff)
    works.advance_if_due(session, proposal, building, now=utcnow() + timedelta(days=8))
    return proposal


def test_alternative_plans_go_to_a_choose_one_vote_whose_certified_result_approves_the_winner(session, loop):
    _town, building, people = loop
    proposal = _in_decision(session, building, people, titles=("横铺", "竖铺"))
    council = people["council"]
    vote = plans.do_open_vote(session, proposal, building, council, closes_at=utcnow() + timedelta(days=3),
                              rule="majority", electorate_kind="households", secret=False)
    assert vote.form == "choose_one" and vote_queries.options_of(session, vote) == ["方案1：横铺", "方案2：竖铺"]
    voting.do_open(session, vote, building)
    for name in ("author", "neighbour", "neighbour2"):
        entry = vote_queries.entries_for(session, vote, people[name])[0]
        voting.do_cast(session, vote, entry, "方案2：竖铺")
    voting.do_close(session, vote, now=utcnow() + timedelta(days=4))
    plans.do_certify_vote(session, vote, by=council)
    plan_rows = session.exec(select(Plan).where(Plan.proposal_id == proposal.id).order_by(Plan.id)).all()
    assert [p.status for p in plan_rows] == [PlanStatus.REJECTED, PlanStatus.APPROVED]
    assert proposal.stage == Stage.IMPLEMENTATION and proposal.responsible == "物业公司"
    last = session.exec(select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
                        .order_by(ProposalEvent.id.desc())).first()  # type: ignore[union-attr]
    assert (last.action, last.subject_kind, last.subject_id, last.actor_id) == ("approve_plan", "vote", vote.id, None)
    assert session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id)).all()


def test_a_failed_vote_sends_the_plans_back_to_drafting(session, loop):
    _town, building, people = loop
    proposal = _in_decision(session, building, people)
    council = people["council"]
    vote = plans.do_open_vote(session, proposal, building, council, closes_at=utcnow() + timedelta(days=3),
                              rule="majority", electorate_kind="households", secret=True)
    voting.do_open(session, vote, building)
    entry = vote_queries.entries_for(session, vote, people["author"])[0]
    voting.do_cast(session, vote, entry, "no")
    voting.do_close(session, vote, now=utcnow() + timedelta(days=4))
    plans.do_certify_vote(session, vote, by=council)
    assert proposal.stage == Stage.ACCEPTED
    assert session.exec(select(Plan.status).where(Plan.proposal_id == proposal.id)).all() == [PlanStatus.REJECTED]


def _implementing(session, building, people) -> Proposal:  # type: ignore[no-untyped-def]
    proposal = _in_decision(session, building, people)
    council = people["council"]
    plan = plans.disclosed(session, proposal)[0]
    plans.do_decide(session, proposal, building, _person(session, council), council, plan, reason="议事会决定")
    return proposal


def test_council_decides_and_residents_cannot(session, loop):
    _town, building, people = loop
    proposal = _in_decision(session, building, people)
    plan = plans.disclosed(session, proposal)[0]
    neighbour = people["neighbour"]
    with pytest.raises(IllegalTransition, match="议事会"):
        plans.do_decide(session, proposal, building, _person(session, neighbour), neighbour, plan)
    council = people["council"]
    plans.do_decide(session, proposal, building, _person(session, council), council, plan)
    assert proposal.stage == Stage.IMPLEMENTATION


def test_failed_acceptance_sends_works_back_then_rating_and_closing_publish_the_satisfaction_rate(session, loop):
    _town, building, people = loop
    proposal = _implementing(session, building, people)
    staff, leader, supervisor = people["staff"], people["leader"], people["supervisor"]
    milestone = works.do_add_milestone(session, proposal, staff, title="铺砖", due_on=date(2027, 4, 1), responsible="")
    assert milestone.responsible == "物业公司"
    works.do_report_progress(session, proposal, staff, text="已铺一半", percent=50, milestone=milestone)
    works.do_disclose_cost(session, proposal, staff, description="透水砖", amount_centi=1_234_560, payee="建材厂",
                           document_id=None)
    works.do_inspect(session, proposal, building, _person(session, supervisor), supervisor, "排水坡度不足")
    works.do_complete_works(session, proposal, building, _person(session, staff), staff)
    assert proposal.stage == Stage.ACCEPTANCE
    with pytest.raises(IllegalTransition, match="写明问题"):
        works.do_acceptance(session, proposal, building, _person(session, leader), leader, passed=False, findings="")
    works.do_acceptance(session, proposal, building, _person(session, leader), leader, passed=False,
                        findings="积水未解决，推倒重来")
    assert proposal.stage == Stage.IMPLEMENTATION
    works.do_complete_works(session, proposal, building, _person(session, staff), staff)
    works.do_acceptance(session, proposal, building, _person(session, supervisor), supervisor, passed=True,
                        findings="")
    assert proposal.stage == Stage.RATING and proposal.rating_ends_at is not None
    for name, rating in (("author", Rating.SATISFIED), ("neighbour", Rating.FAIRLY), ("neighbour2", Rating.SATISFIED)):
        works.do_rate(session, proposal, building, _person(session, people[name]), people[name], rating=rating,
                      comment="")
    # Changing one's mind replaces the rating; it never adds a second.
    assert works.do_rate(session, proposal, building, _person(session, people["neighbour2"]), people["neighbour2"],
                         rating=Rating.DISSATISFIED, comment="还有积水") is False
    with pytest.raises(IllegalTransition):
        works.do_rate(session, proposal, building, _person(session, people["outsider"]), people["outsider"],
                      rating=Rating.SATISFIED, comment="")
    with pytest.raises(ProposalError, match="评价期未结束"):
        works.do_close(session, proposal, building, _person(session, staff), staff)
    assert works.advance_if_due(session, proposal, building, now=proposal.rating_ends_at + timedelta(seconds=1))
    assert proposal.stage == Stage.CLOSED and proposal.satisfaction == "66.67"
    actions_seen = session.exec(select(ProposalEvent.action).where(ProposalEvent.proposal_id == proposal.id)).all()
    assert actions_seen.count("fail_acceptance") == 1 and actions_seen.count("complete_works") == 2
    assert actions_seen[-1] == "close"


def test_plans_cannot_be_drafted_before_acceptance(session, loop):
    _town, building, people = loop
    proposal = _in_review(session, building, people)
    with pytest.raises(ProposalError):
        plans.do_add_plan(session, proposal, people["staff"], _plan_text("太早"))
    assert session.exec(select(PlanVersion)).all() == []

"""A proposal is merged only into an open one (not yet disclosed) of its own place or a place containing it, and
only with a public reason: never into another compound's, a smaller place's, or one whose plans are public."""

from __future__ import annotations

import pytest
from client_helpers import csrf_token, logged_in
from factories import make_proposal_cast, reload
from sqlmodel import select

from deliberate.accounts.people import load_person
from deliberate.proposals import actions, rules
from deliberate.proposals.actions import Draft, ProposalError
from deliberate.proposals.models import Cosign, Proposal
from deliberate.proposals.rules import Stage


@pytest.fixture
def cast(session):  # type: ignore[no-untyped-def]
    town, building, people = make_proposal_cast(session)
    return town, building, people


def _at(session, place, author, title: str, stage: Stage) -> Proposal:  # type: ignore[no-untyped-def]
    proposal = actions.do_create(session, place=place, author=author, draft=Draft(title, "", "parking"),
                                 submit=stage is not Stage.DRAFT, person=load_person(session, author))
    proposal.stage = stage.value
    session.add(proposal)
    session.commit()
    return proposal


def _staff(session, people):  # type: ignore[no-untyped-def]
    return load_person(session, people["staff"]), people["staff"]


def test_targets_are_open_proposals_of_the_same_place_or_a_place_containing_it(session, cast):
    town, building, people = cast
    author = people["author"]
    source = _at(session, building, author, "楼下停车难", Stage.REVIEW)
    wanted = [
        _at(session, building, author, "同楼受理中", Stage.REVIEW),
        _at(session, town.compounds[0], author, "本小区已立案", Stage.ACCEPTED),
        _at(session, town.community, author, "本社区征集附议", Stage.COSIGNING),
        _at(session, building, author, "同楼待修改", Stage.CHANGES_REQUESTED),
    ]
    for place, title, stage in (
        (town.community, "社区方案公示中", Stage.DISCLOSURE),
        (town.community, "社区实施中", Stage.IMPLEMENTATION),
        (town.building(1), "隔壁楼受理中", Stage.REVIEW),
        (town.compounds[1], "另一小区受理中", Stage.REVIEW),
        (town.building(2), "另一小区的楼", Stage.REVIEW),
        (building, "同楼已办结", Stage.CLOSED),
        (building, "同楼草稿", Stage.DRAFT),
    ):
        _at(session, place, author, title, stage)
    targets = actions.merge_targets(session, source, building)
    assert sorted(t.title for t in targets) == sorted(p.title for p in wanted)


def test_the_open_stages_are_those_before_a_plan_is_disclosed() -> None:
    assert rules.OPEN_FOR_MERGE == {Stage.COSIGNING, Stage.REVIEW, Stage.CHANGES_REQUESTED, Stage.ACCEPTED}


@pytest.mark.parametrize(("where", "stage", "refusal"), [
    ("other_compound", Stage.REVIEW, "包含本地的地点"),
    ("smaller", Stage.REVIEW, "包含本地的地点"),
    ("same", Stage.DISCLOSURE, "尚未公示方案"),
    ("same", Stage.DECISION, "尚未公示方案"),
    ("same", Stage.CLOSED, "尚未公示方案"),
    ("same", Stage.DRAFT, "找不到要合并到的提案"),  # a draft is its author's alone: not even its title is told
])
def test_a_merge_into_a_place_or_stage_not_allowed_is_refused_and_moves_no_cosigner(session, cast, where, stage,
                                                                                     refusal):
    town, building, people = cast
    author = people["author"]
    compound = town.compounds[0]
    source = _at(session, compound, author, "小区停车难", Stage.REVIEW)
    session.add(Cosign(proposal_id=source.id, user_id=people["neighbour"].id))
    session.commit()
    place = {"other_compound": town.compounds[1], "smaller": building, "same": compound}[where]
    target = _at(session, place, author, "目标", stage)
    with pytest.raises(ProposalError, match=refusal) as refused:
        actions.do_merge(session, source, compound, *_staff(session, people), target, "同一件事")
    assert refused.value.status == 409
    session.rollback()
    assert session.exec(select(Cosign).where(Cosign.proposal_id == target.id)).all() == []
    assert session.get(Proposal, source.id).stage == Stage.REVIEW


def test_a_merge_into_itself_or_without_a_reason_is_refused(session, cast):
    _town, building, people = cast
    source = _at(session, building, people["author"], "楼下停车难", Stage.REVIEW)
    target = _at(session, building, people["author"], "车位不够", Stage.REVIEW)
    with pytest.raises(ProposalError, match="它自己"):
        actions.do_merge(session, source, building, *_staff(session, people), source, "同一件事")
    with pytest.raises(ProposalError, match="必须公开说明理由") as refused:
        actions.do_merge(session, source, building, *_staff(session, people), target, "   ")
    assert refused.value.status == 422


def test_a_buildings_proposal_merges_into_its_compounds_with_its_cosigners(session, cast):
    town, building, people = cast
    source = _at(session, building, people["author"], "楼下停车难", Stage.REVIEW)
    session.add(Cosign(proposal_id=source.id, user_id=people["neighbour"].id))
    target = _at(session, town.compounds[0], people["neighbour2"], "小区停车难", Stage.ACCEPTED)
    actions.do_merge(session, source, building, *_staff(session, people), target, "小区已在办理")
    session.commit()
    cosigners = set(session.exec(select(Cosign.user_id).where(Cosign.proposal_id == target.id)).all())
    assert cosigners == {people["neighbour"].id, people["author"].id}
    assert source.stage == Stage.MERGED and source.merged_into_id == target.id


def test_the_merge_form_without_a_reason_comes_back_filled_in(app, session, cast):
    town, building, people = cast
    source = _at(session, building, people["author"], "楼下停车难", Stage.REVIEW)
    target = _at(session, town.compounds[0], people["author"], "小区停车难", Stage.REVIEW)
    elsewhere = _at(session, town.compounds[1], people["author"], "另一小区", Stage.REVIEW)
    staff = logged_in(app, "staff")
    page = staff.get(f"/proposals/{source.id}")
    assert f'<option value="{target.id}"' in page.text and f'<option value="{elsewhere.id}"' not in page.text
    token = csrf_token(staff, "/notifications")
    sent = staff.post(f"/proposals/{source.id}/merge", data={"csrf_token": token, "target": str(target.id),
                                                              "reason": " ", "confirmed": "yes"})
    assert sent.status_code == 422 and "合并时必须公开说明理由" in sent.text
    assert f'<option value="{target.id}" selected' in sent.text
    assert 'aria-describedby="f-merge-reason-error"' in sent.text and "<details open>" in sent.text
    wrong = staff.post(f"/proposals/{source.id}/merge", data={"csrf_token": token, "target": str(elsewhere.id),
                                                               "reason": "重复"})
    assert wrong.status_code == 409 and "包含本地的地点" in wrong.text  # refused at once, never asked to confirm
    asked = staff.post(f"/proposals/{source.id}/merge", data={"csrf_token": token, "target": str(target.id),
                                                               "reason": "同一件事"})
    assert asked.status_code == 200 and "合并到“小区停车难”" in asked.text and "确认合并" in asked.text
    reload(session)
    assert session.get(Proposal, source.id).stage == Stage.REVIEW
    done = staff.post(f"/proposals/{source.id}/merge", data={"csrf_token": token, "target": str(target.id),
                                                              "reason": "同一件事", "confirmed": "yes"})
    assert done.status_code == 303
    reload(session)
    assert session.get(Proposal, source.id).merged_into_id == target.id

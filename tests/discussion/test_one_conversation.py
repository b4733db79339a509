"""One matter, one conversation: a proposal's plans and the vote on them are discussed in the proposal's thread,
each comment labelled with what it is about, and the comments of the old separate threads moved into it."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

from client_helpers import csrf_token, logged_in
from factories import reload
from sqlalchemy import text, update
from sqlmodel import col, select
from starlette.testclient import TestClient

from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.discussion.models import Comment
from deliberate.proposals import plans, works
from deliberate.proposals.models import Notification
from deliberate.voting import actions as voting

MIGRATION = next((Path(__file__).resolve().parents[2] / "migrations" / "versions").glob(
    "*_vote_and_meeting_notifications_one_thread.py"))


def _say(client, kind, ident, body, **extra):  # type: ignore[no-untyped-def]
    response = client.post(f"/threads/{kind}/{ident}/comments",
                           data={"body": body, "csrf_token": csrf_token(client, "/"), **extra})
    assert response.status_code == 303, response.text
    return response.headers["location"]


def _voted_on(session, cast, with_plan):  # type: ignore[no-untyped-def]
    """The cast's proposal accepted, one plan disclosed and put to an open vote of the building's households."""
    _town, building, people, _proposal = cast
    proposal, plan = with_plan
    staff = people["staff"]
    plans.do_publish(session, proposal, building, load_person(session, staff), staff)
    works.advance_if_due(session, proposal, building, now=utcnow() + timedelta(days=8))
    vote = plans.do_open_vote(session, proposal, building, people["council"], closes_at=utcnow() + timedelta(days=3),
                              rule="majority", electorate_kind="households", secret=False)
    voting.do_open(session, vote, building)
    session.commit()
    return proposal, plan, vote


def test_the_vote_on_the_plans_is_discussed_in_the_proposals_thread_and_each_page_shows_it(app, session, cast,
                                                                                          with_plan):
    proposal, plan, vote = _voted_on(session, cast, with_plan)
    where = _say(logged_in(app, "neighbour"), "vote", vote.id, "投票前想知道油漆的价格。")
    assert where.startswith(f"/votes/{vote.id}#c")
    _say(logged_in(app, "author"), "proposal", proposal.id, "提案页上的意见。")
    _say(logged_in(app, "neighbour2"), "plan", plan.id, "方案页上的意见。")

    reload(session)
    rows = session.exec(select(Comment).order_by(col(Comment.id))).all()
    assert [(c.subject_kind, c.subject_id, c.about_kind) for c in rows] == [
        ("proposal", proposal.id, "vote"), ("proposal", proposal.id, ""), ("proposal", proposal.id, "plan")]
    for page in (f"/proposals/{proposal.id}", f"/proposals/{proposal.id}/plans/{plan.id}", f"/votes/{vote.id}"):
        shown = TestClient(app).get(page).text
        assert "投票前想知道油漆的价格。" in shown and "提案页上的意见。" in shown and "方案页上的意见。" in shown, page
        assert "3 条评论" in shown
    proposal_page = TestClient(app).get(f"/proposals/{proposal.id}").text
    assert f'<a href="/votes/{vote.id}">关于表决：{vote.title}</a>' in proposal_page
    vote_page = TestClient(app).get(f"/votes/{vote.id}").text
    assert f'<span class="tag about">关于表决：{vote.title}</span>' in vote_page  # its own label is not a link
    assert f'href="/proposals/{proposal.id}#discussion"' in vote_page
    # The proposal's followers hear of it, with a link to where it was said.
    told = session.exec(select(Notification).where(Notification.comment_id == rows[0].id)).all()
    assert told and f"/votes/{vote.id}#c{rows[0].id}" in logged_in(app, "author").get("/notifications").text


def test_a_vote_on_no_proposal_keeps_a_thread_of_its_own(app, session, cast):
    _town, building, people, proposal = cast
    vote = voting.do_create_vote(
        session, place=building, title="加装电梯", question="是否同意？", form="yes_no", rule="majority",
        electorate_kind="adults", secret=False, closes_at=utcnow() + timedelta(days=7), options=[],
        by=people["council"])
    voting.do_open(session, vote, building)
    session.commit()
    _say(logged_in(app, "neighbour"), "vote", vote.id, "电梯费用怎么分摊？")
    reload(session)
    comment = session.exec(select(Comment)).one()
    assert (comment.subject_kind, comment.subject_id, comment.about_kind) == ("vote", vote.id, "")
    assert "电梯费用怎么分摊？" not in TestClient(app).get(f"/proposals/{proposal.id}").text


def _statements(name: str) -> tuple[str, ...]:
    spec = importlib.util.spec_from_file_location("one_thread_migration", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def test_the_migration_moves_old_plan_and_vote_threads_into_the_proposals_with_labels_and_back(
        app, session, database, cast, with_plan):
    _town, _building, _people, _p = cast
    proposal, plan, vote = _voted_on(session, cast, with_plan)
    on_plan = _say(logged_in(app, "neighbour"), "plan", plan.id, "方案的意见")
    on_plan_id = int(on_plan.rsplit("#c", 1)[1])
    _say(logged_in(app, "author"), "plan", plan.id, "回答方案的意见", parent=str(on_plan_id))
    _say(logged_in(app, "neighbour2"), "vote", vote.id, "表决的意见")
    _say(logged_in(app, "author"), "proposal", proposal.id, "提案的意见")
    reload(session)
    before = {c.id: (c.parent_id, c.depth, c.body) for c in session.exec(select(Comment)).all()}
    # As the comments were before: in the plan's and the vote's own threads, with no label.
    with database.writing() as writing:
        writing.exec(update(Comment).where(col(Comment.about_kind) == "plan")  # type: ignore[call-overload]
                     .values(subject_kind="plan", subject_id=plan.id, about_kind="", about_id=None))
        writing.exec(update(Comment).where(col(Comment.about_kind) == "vote")  # type: ignore[call-overload]
                     .values(subject_kind="vote", subject_id=vote.id, about_kind="", about_id=None))
    reload(session)
    assert "方案的意见" not in TestClient(app).get(f"/proposals/{proposal.id}").text

    with database.writing() as writing:
        for statement in _statements("INTO_PROPOSAL_THREADS"):
            writing.exec(text(statement))  # type: ignore[call-overload]
    reload(session)
    moved = session.exec(select(Comment).order_by(col(Comment.id))).all()
    assert {c.id: (c.parent_id, c.depth, c.body) for c in moved} == before  # nothing lost, the tree as it was
    assert [(c.body, c.subject_kind, c.subject_id, c.about_kind, c.about_id) for c in moved] == [
        ("方案的意见", "proposal", proposal.id, "plan", plan.id),
        ("回答方案的意见", "proposal", proposal.id, "plan", plan.id),
        ("表决的意见", "proposal", proposal.id, "vote", vote.id),
        ("提案的意见", "proposal", proposal.id, "", None),
    ]
    page = TestClient(app).get(f"/proposals/{proposal.id}").text
    assert "方案的意见" in page and "回答方案的意见" in page and "表决的意见" in page and "4 条评论" in page

    with database.writing() as writing:
        for statement in _statements("OUT_OF_PROPOSAL_THREADS"):
            writing.exec(text(statement))  # type: ignore[call-overload]
    reload(session)
    back = [(c.subject_kind, c.subject_id) for c in session.exec(select(Comment).order_by(col(Comment.id))).all()]
    assert back == [("plan", plan.id), ("plan", plan.id), ("vote", vote.id), ("proposal", proposal.id)]

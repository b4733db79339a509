"""A proposal's thread through its pages: comments, answers, stances, helpful marks, edits, deletions, floods."""

from __future__ import annotations

import re
from datetime import timedelta

from client_helpers import csrf_token, logged_in
from factories import reload
from sqlalchemy import update
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.discussion import rules
from deliberate.discussion.models import Comment
from deliberate.discussion.subjects import find
from deliberate.proposals import actions
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Notification, NotificationKind
from deliberate.voting import actions as voting


def _post(client: TestClient, url: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, "/notifications")})


def _say(client: TestClient, proposal_id: int, body: str, **extra: str) -> int:
    response = _post(client, f"/threads/proposal/{proposal_id}/comments", {"body": body, **extra})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(f"/proposals/{proposal_id}#c")
    return int(location.rsplit("#c", 1)[1])


def test_residents_comment_and_answer_and_the_page_shows_the_tree_and_the_balance(app, session, cast):
    _town, _building, _people, proposal = cast
    neighbour, neighbour2, author = logged_in(app, "neighbour"), logged_in(app, "neighbour2"), logged_in(app, "author")
    first = _say(neighbour, proposal.id, "我**支持**划车位。<script>alert(1)</script>", stance="for")
    answer = _say(author, proposal.id, "谢谢！", parent=str(first))
    deeper = _say(neighbour, proposal.id, "不客气", parent=str(answer))
    deepest = _say(author, proposal.id, "再说一句", parent=str(deeper))
    _say(neighbour2, proposal.id, "我反对，空地要留给老人活动。", stance="against")
    _say(neighbour, proposal.id, "想了想，我中立。", stance="neutral")

    reload(session)
    placed = {c.id: (c.parent_id, c.depth, c.reply_to_id) for c in session.exec(select(Comment)).all()}
    assert placed[answer] == (first, 1, first)
    assert placed[deeper] == (answer, 2, answer)
    assert placed[deepest] == (answer, 2, deeper)  # the third level is the deepest: beside what it answers

    page = TestClient(app).get(f"/proposals/{proposal.id}")
    assert page.status_code == 200
    assert "<strong>支持</strong>划车位" in page.text and "<script>alert(1)" not in page.text
    assert "支持 0 人，反对 1 人，中立 1 人" in page.text  # the neighbour's latest stance counts, once
    assert "6 条评论" in page.text
    assert page.text.index(f'id="c{first}"') < page.text.index(f'id="c{answer}"') < page.text.index(f'id="c{deeper}"')
    assert f'<a href="#c{deeper}">' in page.text  # the deepest answer says what it answers
    assert "登录后参与讨论" in page.text


def test_threads_sort_by_oldest_newest_and_most_helpful(app, session, cast):
    _town, _building, _people, proposal = cast
    neighbour, neighbour2 = logged_in(app, "neighbour"), logged_in(app, "neighbour2")
    old = _say(neighbour, proposal.id, "最早的意见")
    new = _say(neighbour, proposal.id, "最新的意见")
    assert _post(neighbour2, f"/comments/{old}/helpful").status_code == 303
    assert _post(neighbour2, f"/comments/{old}/helpful").status_code == 303  # a second mark changes nothing
    assert _post(neighbour, f"/comments/{old}/helpful").status_code == 409  # not one's own
    reload(session)
    assert session.get(Comment, old).helpful_count == 1

    def order(sort: str) -> list[str]:
        text = TestClient(app).get(f"/proposals/{proposal.id}?sort={sort}").text
        return re.findall(r'id="c(\d+)"', text)

    assert order("oldest") == [str(old), str(new)]
    assert order("newest") == [str(new), str(old)]
    assert _post(logged_in(app, "author"), f"/comments/{new}/helpful").status_code == 303
    assert _post(logged_in(app, "leader"), f"/comments/{new}/helpful").status_code == 403  # no resident here
    assert order("helpful") == [str(old), str(new)]  # equally helpful: the older first
    assert _post(neighbour2, f"/comments/{new}/helpful").status_code == 303
    assert order("helpful") == [str(new), str(old)]
    assert order("nonsense") == [str(old), str(new)]
    assert _post(neighbour2, f"/comments/{new}/helpful", {"helpful": "0"}).status_code == 303
    reload(session)
    assert session.get(Comment, new).helpful_count == 1


def test_only_residents_of_the_place_and_its_officials_may_comment(app, session, cast):
    _town, _building, _people, proposal = cast
    url = f"/threads/proposal/{proposal.id}/comments"
    assert _post(logged_in(app, "outsider"), url, {"body": "路过"}).status_code == 403
    assert _post(logged_in(app, "supervisor"), url, {"body": "路过"}).status_code == 403
    assert _post(logged_in(app, "staff"), url, {"body": "社区已收到，会尽快处理。"}).status_code == 303
    anonymous = TestClient(app, follow_redirects=False)
    token = csrf_token(anonymous, "/login")
    refused = anonymous.post(url, data={"body": "匿名", "csrf_token": token})
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    assert _post(logged_in(app, "neighbour"), "/threads/proposal/999999/comments", {"body": "x"}).status_code == 404
    assert _post(logged_in(app, "neighbour"), "/threads/nonsense/1/comments", {"body": "x"}).status_code == 404
    assert _post(logged_in(app, "neighbour"), url, {"body": "x", "parent": "999999"}).status_code == 404


def test_a_comment_with_a_problem_comes_back_with_the_text_kept(app, session, cast):
    _town, _building, _people, proposal = cast
    neighbour = logged_in(app, "neighbour")
    empty = _post(neighbour, f"/threads/proposal/{proposal.id}/comments", {"body": "   ", "stance": "for"})
    assert empty.status_code == 422 and "请写下您的意见" in empty.text
    assert 'value="for" checked' in empty.text


def test_a_flood_is_stopped_with_429_and_the_text_kept(app, session, cast):
    _town, _building, _people, proposal = cast
    neighbour = logged_in(app, "neighbour")
    for n in range(rules.FLOOD_COUNT):
        _say(neighbour, proposal.id, f"第 {n + 1} 条")
    flood = _post(neighbour, f"/threads/proposal/{proposal.id}/comments", {"body": "还有一条"})
    assert flood.status_code == 429 and "发言太频繁" in flood.text and ">还有一条</textarea>" in flood.text
    reload(session)
    assert len(session.exec(select(Comment)).all()) == rules.FLOOD_COUNT


def test_authors_edit_within_the_window_and_delete_leaving_a_placeholder(app, session, cast):
    _town, _building, _people, proposal = cast
    neighbour = logged_in(app, "neighbour")
    first = _say(neighbour, proposal.id, "写错了", stance="for")
    answer = _say(logged_in(app, "author"), proposal.id, "是吗？", parent=str(first))
    assert neighbour.get(f"/comments/{first}/edit").status_code == 200
    assert logged_in(app, "author").get(f"/comments/{first}/edit").status_code == 403
    edited = _post(neighbour, f"/comments/{first}/edit", {"body": "改好了", "stance": "against"})
    assert edited.status_code == 303
    page = TestClient(app).get(f"/proposals/{proposal.id}").text
    assert "改好了" in page and "已编辑" in page and "反对 1 人" in page

    reload(session)
    written = session.get(Comment, first).created_at
    session.exec(update(Comment).where(Comment.id == first)  # type: ignore[call-overload, arg-type]
                 .values(created_at=written - rules.EDIT_WINDOW - timedelta(seconds=1)))
    session.commit()
    late = _post(neighbour, f"/comments/{first}/edit", {"body": "再改"})
    assert late.status_code == 409 and "分钟后就不能再修改" in late.text

    assert _post(logged_in(app, "author"), f"/comments/{first}/delete").status_code == 403
    assert _post(neighbour, f"/comments/{first}/delete").status_code == 303
    page = TestClient(app).get(f"/proposals/{proposal.id}").text
    assert "这条评论已被作者删除" in page and "改好了" not in page and f'id="c{answer}"' in page
    assert "反对 1 人" not in page
    assert _post(neighbour, f"/comments/{first}/delete").status_code == 409
    assert _post(logged_in(app, "author"), f"/threads/proposal/{proposal.id}/comments",
                 {"body": "回复已删除的", "parent": str(first)}).status_code == 409


def test_answers_tell_the_conversation_and_comments_tell_the_followers(app, session, cast):
    _town, _building, people, proposal = cast
    first = _say(logged_in(app, "neighbour"), proposal.id, "车位怎么分？")
    reload(session)
    told = {(n.user_id, n.kind) for n in session.exec(select(Notification).where(Notification.comment_id == first))}
    assert told == {(people["author"].id, NotificationKind.COMMENT)}  # the author follows the proposal
    answer = _say(logged_in(app, "neighbour2"), proposal.id, "抽签吧。", parent=str(first))
    reload(session)
    told = {(n.user_id, n.kind) for n in session.exec(select(Notification).where(Notification.comment_id == answer))}
    assert told == {(people["neighbour"].id, NotificationKind.REPLY), (people["author"].id, NotificationKind.COMMENT)}
    inbox = logged_in(app, "neighbour").get("/notifications").text
    assert "回复了讨论" in inbox and "抽签吧。" in inbox and f"/proposals/{proposal.id}#c{answer}" in inbox


def test_plans_and_votes_have_threads_too_and_drafts_have_none(app, session, cast):
    _town, building, people, proposal = cast
    draft = actions.do_create(session, place=building, author=people["author"], draft=Draft("草稿", "", "parking"),
                              submit=False, person=load_person(session, people["author"]))
    session.commit()
    assert TestClient(app).get(f"/threads/proposal/{draft.id}").status_code == 404
    assert TestClient(app).get(f"/threads/plan/{999999}").status_code == 404
    page = TestClient(app).get(f"/threads/proposal/{proposal.id}")
    assert page.status_code == 200 and "讨论：楼下停车难" in page.text


def test_a_plan_is_discussed_in_its_proposals_one_thread_labelled_and_read_from_either_page(app, session,
                                                                                             with_plan):
    proposal, plan = with_plan
    subject = find(session, "plan", plan.id)
    assert subject is not None and subject.url == f"/proposals/{proposal.id}/plans/{plan.id}"

    response = _post(logged_in(app, "neighbour"), f"/threads/plan/{plan.id}/comments", {"body": "油漆要环保的。"})
    assert response.headers["location"].startswith(f"/proposals/{proposal.id}/plans/{plan.id}#c")
    assert "油漆要环保的。" in TestClient(app).get(f"/proposals/{proposal.id}/plans/{plan.id}").text
    proposal_page = TestClient(app).get(f"/proposals/{proposal.id}").text
    assert "讨论这个方案（1 条评论）" in proposal_page
    assert "油漆要环保的。" in proposal_page  # one matter, one conversation
    assert f'<a href="/proposals/{proposal.id}/plans/{plan.id}">关于方案：划线方案</a>' in proposal_page
    reload(session)
    comment = session.exec(select(Comment)).one()
    assert (comment.subject_kind, comment.subject_id, comment.about_kind, comment.about_id) == (
        "proposal", proposal.id, "plan", plan.id)
    # Said on the proposal's page, answered from the plan's: the answer is in the same thread, about the plan.
    said = _post(logged_in(app, "author"), f"/threads/proposal/{proposal.id}/comments", {"body": "大家怎么看？"})
    assert said.headers["location"].startswith(f"/proposals/{proposal.id}#c")
    first = int(said.headers["location"].rsplit("#c", 1)[1])
    answer = _post(logged_in(app, "neighbour"), f"/threads/plan/{plan.id}/comments",
                   {"body": "我看划线就好。", "parent": str(first)})
    assert answer.status_code == 303
    reload(session)
    replied = session.exec(select(Comment).where(Comment.parent_id == first)).one()
    assert (replied.subject_kind, replied.subject_id, replied.about_kind) == ("proposal", proposal.id, "")
    plan_page = TestClient(app).get(f"/proposals/{proposal.id}/plans/{plan.id}").text
    assert "大家怎么看？" in plan_page and "我看划线就好。" in plan_page and "共用一个讨论" in plan_page


def test_an_open_vote_has_a_thread_and_a_draft_vote_has_none(app, session, cast):
    _town, building, people, _proposal = cast
    vote = voting.do_create_vote(
        session, place=building, title="加装电梯", question="是否同意？", form="yes_no", rule="majority",
        electorate_kind="adults", secret=False, closes_at=utcnow() + timedelta(days=7), options=[],
        by=people["council"],
    )
    session.commit()
    assert TestClient(app).get(f"/threads/vote/{vote.id}").status_code == 404
    voting.do_open(session, vote, building)
    session.commit()
    response = _post(logged_in(app, "neighbour"), f"/threads/vote/{vote.id}/comments", {"body": "电梯费用怎么分摊？"})
    assert response.headers["location"].startswith(f"/votes/{vote.id}#c")
    page = TestClient(app).get(f"/votes/{vote.id}").text
    assert "电梯费用怎么分摊？" in page and 'id="discussion"' in page

"""The flood limit (5 comments in 10 minutes a person) holds however many posts arrive at the same moment."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from factories import make_proposal_cast, reload
from sqlmodel import Session, col, func, select

from deliberate.accounts.models import User
from deliberate.accounts.people import load_person
from deliberate.discussion import actions, rules
from deliberate.discussion.access import access_subject
from deliberate.discussion.models import Comment
from deliberate.policy import Act
from deliberate.proposals import actions as proposals
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Notification, Proposal

ATTEMPTS = 50
TOO_FAST = "您发言太频繁了，请过几分钟再发。"


@pytest.fixture
def thread(session: Session) -> tuple[int, dict[str, User]]:
    """A submitted proposal of building 1, whose thread its residents and officials may write in."""
    _town, building, people = make_proposal_cast(session)
    author = people["author"]
    proposal = proposals.do_create(session, place=building, author=author, draft=Draft("楼下停车难", "", "parking"),
                                   submit=True, person=load_person(session, author))
    session.commit()
    assert proposal.id is not None
    return proposal.id, people


def _post(proposal_id: int, user_id: int, body: str) -> Callable[[Session], int]:
    """What the comment form's handler does, in the attempt's own transaction."""

    def attempt(session: Session) -> int:
        user = session.get(User, user_id)
        assert user is not None
        subject = access_subject(session, load_person(session, user), "proposal", proposal_id, Act.COMMENT)
        return actions.do_comment(session, subject, user, body).id

    return attempt


def _comments_by(session: Session, user_id: int) -> int:
    reload(session)
    return session.exec(select(func.count()).select_from(Comment).where(Comment.author_id == user_id)).one()


def test_fifty_posts_at_once_by_one_resident_let_exactly_five_in(race, session, thread):
    proposal_id, people = thread
    neighbour = people["neighbour"].id
    outcomes = race([_post(proposal_id, neighbour, f"第{n}条意见") for n in range(ATTEMPTS)])
    outcomes.assert_clean(429)
    assert len(outcomes.values) == rules.FLOOD_COUNT
    assert outcomes.statuses[429] == ATTEMPTS - rules.FLOOD_COUNT
    assert outcomes.messages == {TOO_FAST}
    assert _comments_by(session, neighbour) == rules.FLOOD_COUNT


def test_residents_posting_at_once_on_a_followed_thread_each_get_their_own_five(race, session, thread):
    """Every post tells the proposal's followers, who are posting too: no two posts wait on each other."""
    proposal_id, people = thread
    writers = [people[name].id for name in ("author", "neighbour", "neighbour2", "council", "staff")]
    proposal = session.get(Proposal, proposal_id)
    for user_id in writers:
        proposals.do_follow(session, proposal, session.get(User, user_id))
    session.commit()
    attempts = [_post(proposal_id, user_id, f"{user_id}的第{n}条") for n in range(10) for user_id in writers]
    outcomes = race(attempts)
    outcomes.assert_clean(429)
    assert len(outcomes.values) == rules.FLOOD_COUNT * len(writers)
    assert all(_comments_by(session, user_id) == rules.FLOOD_COUNT for user_id in writers)
    told = session.exec(select(func.count()).select_from(Notification)
                        .where(col(Notification.comment_id).is_not(None))).one()
    assert told == len(outcomes.values) * (len(writers) - 1)  # each comment, to every follower but its author

"""Posts arriving at the same moment: the flood limit (5 comments in 10 minutes a person) holds, and a thread that
closes takes none after."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from factories import make_proposal_cast, make_staff, reload
from sqlmodel import Session, col, func, select

from deliberate.accounts.models import User
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.discussion import actions, rules
from deliberate.discussion.access import access_subject
from deliberate.discussion.models import Comment
from deliberate.places.models import Place
from deliberate.policy import Act
from deliberate.proposals import actions as proposals
from deliberate.proposals import plans
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Notification, Proposal
from deliberate.voting import actions as voting
from deliberate.voting.access import access_vote

ATTEMPTS = 50
TOO_FAST = "您发言太频繁了，请过几分钟再发。"
CLOSED = "这个讨论已经结束，不能再发表评论。"


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


def test_comments_racing_the_certification_of_a_vote_are_in_before_it_or_refused(race, session, thread):
    """A vote's thread closes when its result is certified: no comment comes in after that."""
    proposal_id, people = thread
    building = session.get(Place, session.get(Proposal, proposal_id).place_id)
    vote = voting.do_create_vote(session, place=building, title="加装电梯", question="", form="yes_no",
                                 rule="majority", electorate_kind="adults", secret=False,
                                 closes_at=utcnow() + timedelta(days=7), options=[], by=people["council"])
    voting.do_open(session, vote, building)
    voting.do_close(session, vote, now=vote.closes_at)
    session.commit()
    posters = [make_staff(session, building, f"poster{n}").id for n in range(10)]

    def certify(session: Session) -> tuple[str, int]:
        council = session.get(User, people["council"].id)
        assert council is not None
        held, _place = access_vote(session, load_person(session, council), vote.id, Act.CERTIFY_VOTES,
                                   for_update=True)
        plans.do_certify_vote(session, held, by=council)
        return "certified", _on_vote(session, vote.id)

    def post(user_id: int, n: int) -> Callable[[Session], tuple[str, int]]:
        def attempt(session: Session) -> tuple[str, int]:
            user = session.get(User, user_id)
            assert user is not None
            subject = access_subject(session, load_person(session, user), "vote", vote.id, Act.COMMENT)
            return "comment", actions.do_comment(session, subject, user, f"第{n}条").id

        return attempt

    attempts = [post(posters[n % len(posters)], n) for n in range(ATTEMPTS - 1)]
    outcomes = race([*attempts[::2], certify, *attempts[1::2]])
    outcomes.assert_clean(409)
    [seen] = [count for kind, count in outcomes.values if kind == "certified"]
    reload(session)
    assert _on_vote(session, vote.id) == seen == len(outcomes.values) - 1
    assert outcomes.messages <= {CLOSED}
    late = race([post(poster, ATTEMPTS) for poster in posters])
    assert late.values == [] and late.messages == {CLOSED}


def _on_vote(session: Session, vote_id: int) -> int:
    return session.exec(select(func.count()).select_from(Comment).where(Comment.subject_kind == "vote",
                                                                        Comment.subject_id == vote_id)).one()

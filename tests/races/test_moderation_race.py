"""Reports, helpful marks, edits and moderation of one comment, many at the same moment: each rule holds once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from factories import make_proposal_cast, make_staff, make_user, reload
from sqlmodel import Session, col, func, select

from deliberate.accounts.models import User
from deliberate.accounts.people import load_person
from deliberate.discussion import actions
from deliberate.discussion.access import Own, access_comment, access_report, access_subject
from deliberate.discussion.models import Comment, CommentReport, DiscussionRules, Helpful, ModerationEntry
from deliberate.places.models import Place
from deliberate.policy import Act
from deliberate.policy.access import access_place
from deliberate.proposals import actions as proposals
from deliberate.proposals.actions import Draft

ATTEMPTS = 50
Attempt = Callable[[Session], Any]


@pytest.fixture
def comment(session: Session) -> tuple[int, dict[str, User]]:
    """A comment by the neighbour on a submitted proposal of building 1, and the people of the proposal."""
    _town, building, people = make_proposal_cast(session)
    author = people["author"]
    proposal = proposals.do_create(session, place=building, author=author, draft=Draft("楼下停车难", "", "parking"),
                                   submit=True, person=load_person(session, author))
    neighbour = people["neighbour"]
    subject = access_subject(session, load_person(session, neighbour), "proposal", proposal.id, Act.COMMENT)
    said = actions.do_comment(session, subject, neighbour, "车位不够，能不能划线？")
    session.commit()
    return said.id, people


def _as(user_id: int, act: Callable[[Session, User], Any]) -> Attempt:
    def attempt(session: Session) -> Any:
        user = session.get(User, user_id)
        assert user is not None
        return act(session, user)

    return attempt


def _report(comment_id: int, user_id: int) -> Attempt:
    """What the report form's handler does."""

    def act(session: Session, user: User) -> bool:
        comment, _subject = access_comment(session, load_person(session, user), comment_id, None, for_update=True)
        return actions.do_report(session, comment, user, "广告")

    return _as(user_id, act)


def _hide(comment_id: int, user_id: int) -> Attempt:
    def act(session: Session, user: User) -> None:
        comment, _subject = access_comment(session, load_person(session, user), comment_id, Act.MODERATE,
                                           for_update=True)
        actions.do_hide(session, comment, user, "广告")

    return _as(user_id, act)


def _dismiss(report_id: int, user_id: int) -> Attempt:
    def act(session: Session, user: User) -> None:
        report, _place = access_report(session, load_person(session, user), report_id, None, for_update=True)
        actions.do_dismiss(session, report, user, "不是广告")

    return _as(user_id, act)


def _count(session: Session, model: type, *where: Any) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def test_fifty_reports_at_once_by_one_person_make_one_report_and_one_log_line(race, session, comment):
    comment_id, people = comment
    outcomes = race([_report(comment_id, people["outsider"].id) for _ in range(ATTEMPTS)])
    outcomes.assert_clean()
    assert sorted(outcomes.values) == [False] * (ATTEMPTS - 1) + [True]
    reload(session)
    assert _count(session, CommentReport) == 1
    assert _count(session, ModerationEntry, ModerationEntry.action == "report") == 1


def test_dismissing_every_report_and_hiding_at_once_settles_each_report_once(race, session, comment):
    """Each dismissal holds its report and then touches all of the comment's: they must not wait in a circle."""
    comment_id, people = comment
    reported = session.get(Comment, comment_id)
    for n in range(ATTEMPTS // 2):
        assert actions.do_report(session, reported, make_user(session, f"reporter{n}"), "广告")
    session.commit()
    reports = session.exec(select(CommentReport.id)).all()
    staff = people["staff"].id
    attempts = [_dismiss(report_id, staff) for report_id in reports] + [_hide(comment_id, staff)
                                                                         for _ in range(ATTEMPTS // 2)]
    outcomes = race(attempts)
    outcomes.assert_clean(409)
    reload(session)
    hidden = session.get(Comment, comment_id)
    assert hidden is not None and hidden.hidden_at is not None
    hides = _count(session, ModerationEntry, ModerationEntry.action == "hide")
    dismissals = _count(session, ModerationEntry, ModerationEntry.action == "dismiss")
    assert hides == 1 and dismissals <= 1  # one hiding; a dismissal only if it came first
    assert len(outcomes.values) == hides + dismissals
    assert _count(session, CommentReport, CommentReport.status == "open") == 0
    settled = session.exec(select(CommentReport.status).distinct()).all()
    assert settled == (["dismissed"] if dismissals else ["hidden"])


def test_helpful_marks_and_unmarks_at_once_keep_the_count_equal_to_the_marks(race, session, comment):
    comment_id, people = comment
    markers = [people[name].id for name in ("author", "neighbour2", "council", "staff", "outsider")]

    def mark(user_id: int, wanted: bool) -> Attempt:
        def act(session: Session, user: User) -> bool:
            comment, _subject = access_comment(session, load_person(session, user), comment_id, None,
                                               for_update=True)
            return actions.do_mark_helpful(session, comment, user, wanted)

        return _as(user_id, act)

    outcomes = race([mark(user_id, n % 2 == 0) for n in range(10) for user_id in markers])
    outcomes.assert_clean()
    reload(session)
    counted = session.get(Comment, comment_id)
    assert counted is not None
    assert counted.helpful_count == _count(session, Helpful, Helpful.comment_id == comment_id)
    assert _count(session, Helpful) <= len(markers)


def test_fifty_unmarks_at_once_without_the_comments_lock_take_the_mark_away_once(race, session, comment):
    """The action keeps its count right on its own, even when the comment was not locked first."""
    comment_id, people = comment
    staff = session.get(User, people["staff"].id)
    helped = session.get(Comment, comment_id)
    assert actions.do_mark_helpful(session, helped, staff, True)
    session.commit()

    def unmark(session: Session, user: User) -> bool:
        return actions.do_mark_helpful(session, session.get(Comment, comment_id), user, False)

    outcomes = race([_as(people["staff"].id, unmark) for _ in range(ATTEMPTS)])
    outcomes.assert_clean()
    assert sorted(outcomes.values) == [False] * (ATTEMPTS - 1) + [True]
    reload(session)
    assert session.get(Comment, comment_id).helpful_count == 0
    assert _count(session, Helpful) == 0


def test_fifty_saves_of_a_places_first_blocked_words_at_once_keep_one_list(race, session, comment):
    _comment_id, people = comment
    place_id = session.get(Comment, _comment_id).place_id

    def save(n: int) -> Attempt:
        def act(session: Session, user: User) -> list[str]:
            place = access_place(session, load_person(session, user), place_id, Act.MODERATE, for_update=True)
            return actions.do_set_blocked_words(session, place, f"广告\n词{n}", user)

        return _as(people["staff"].id, act)

    outcomes = race([save(n) for n in range(ATTEMPTS)])
    outcomes.assert_clean()
    assert len(outcomes.values) == ATTEMPTS
    reload(session)
    rules = session.exec(select(DiscussionRules)).all()
    assert len(rules) == 1 and rules[0].blocked_words in {"\n".join(words) for words in outcomes.values}


def test_edits_and_a_deletion_at_once_leave_the_comment_deleted_and_no_edit_after(race, session, comment):
    comment_id, people = comment
    neighbour = people["neighbour"].id

    def change(n: int) -> Attempt:
        def act(session: Session, user: User) -> str:
            own, _subject = access_comment(session, load_person(session, user), comment_id, Own.AUTHOR,
                                           for_update=True)
            if n == ATTEMPTS // 2:
                actions.do_delete(session, own, user)
                return "deleted"
            actions.do_edit(session, own, user, f"改第{n}次", "")
            return "edited"

        return _as(neighbour, act)

    outcomes = race([change(n) for n in range(ATTEMPTS)])
    outcomes.assert_clean(409)
    assert outcomes.values.count("deleted") == 1
    assert outcomes.values.count("edited") + outcomes.statuses[409] == ATTEMPTS - 1
    reload(session)
    gone = session.get(Comment, comment_id)
    assert gone is not None and gone.deleted_at is not None and gone.body == ""
    assert gone.edited_at is None or gone.edited_at <= gone.deleted_at


def test_reports_racing_a_hiding_are_taken_before_it_and_refused_after(race, session, comment):
    comment_id, people = comment
    outcomes = race([_hide(comment_id, people["staff"].id)] +
                    [_report(comment_id, make_user(session, f"late{n}").id) for n in range(ATTEMPTS - 1)])
    outcomes.assert_clean(409)
    reload(session)
    assert _count(session, ModerationEntry, col(ModerationEntry.action) == "hide") == 1
    reports = _count(session, CommentReport)
    assert reports == outcomes.values.count(True)
    assert outcomes.statuses[409] == ATTEMPTS - 1 - reports
    assert _count(session, CommentReport, CommentReport.status == "hidden") == reports


def test_answers_racing_a_hiding_are_in_before_it_or_refused(race, session, comment):
    """Every answer that got in was there when the comment was hidden: none comes in after, to a hidden comment."""
    comment_id, people = comment
    answered = session.get(Comment, comment_id)
    posters = [make_staff(session, session.get(Place, answered.place_id), f"poster{n}").id for n in range(10)]

    def hide(session: Session, user: User) -> tuple[str, int]:
        _hide(comment_id, user.id)(session)
        return "hidden", _count(session, Comment, Comment.parent_id == comment_id)

    def answer(user_id: int, n: int) -> Attempt:
        def act(session: Session, user: User) -> tuple[str, int]:
            subject = access_subject(session, load_person(session, user), "proposal", proposal_id, Act.COMMENT)
            parent = session.get(Comment, comment_id)
            return "answer", actions.do_comment(session, subject, user, f"同意{n}", parent=parent).id

        return _as(user_id, act)

    proposal_id = answered.subject_id
    attempts = [answer(posters[n % len(posters)], n) for n in range(ATTEMPTS - 1)]
    outcomes = race([*attempts[::2], _as(people["staff"].id, hide), *attempts[1::2]])
    outcomes.assert_clean(409)
    [seen] = [count for kind, count in outcomes.values if kind == "hidden"]
    reload(session)
    assert _count(session, Comment, Comment.parent_id == comment_id) == seen == len(outcomes.values) - 1
    assert outcomes.messages <= {"这条评论已被删除或隐藏，不能回复。"}
    late = race([answer(poster, ATTEMPTS) for poster in posters])
    assert late.values == [] and late.messages == {"这条评论已被删除或隐藏，不能回复。"}

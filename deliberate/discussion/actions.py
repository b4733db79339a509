"""The only writers of threads: comments, answers, edits, deletions, helpful marks, reports and moderation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.clock import utcnow
from deliberate.discussion import queries, rules
from deliberate.discussion.models import (
    Comment,
    CommentReport,
    DiscussionRules,
    Helpful,
    ModerationEntry,
    ReportStatus,
)
from deliberate.discussion.subjects import Subject, find
from deliberate.i18n import gettext as _
from deliberate.places.models import Place
from deliberate.proposals.actions import followers
from deliberate.proposals.models import Notification, NotificationKind, Proposal
from deliberate.refusal import Refused


class DiscussionError(Refused):
    """A refusal shown to the person: `status` is 409 (not now), 422 (fix the text) or 429 (slow down)."""


# Writing ---------------------------------------------------------------------------------------


def do_comment(session: Session, subject: Subject, author: User, body: str, stance: str = "",
               parent: Comment | None = None, now: datetime | None = None) -> Comment:
    """A new comment, or an answer to `parent`, in the subject's thread (a plan's or the vote's comment in its
    proposal's, labelled; an answer labelled as what it answers); its readers are told.

    What it rests on is held in one order, the thread's subject, the comment answered, then the author, so that
    while it is written the thread cannot close, the comment answered cannot be hidden, and the author's other
    posts cannot pass the flood limit with it."""
    held = find(session, subject.kind, subject.id, shared=True)
    if held is None or not held.open:
        raise DiscussionError(_("这个讨论已经结束，不能再发表评论。"))
    _check_text(session, subject.place, body)
    parent_id, depth = _placement(session, subject, parent)
    _hold(session, author)
    now = now or utcnow()
    if rules.flooding(_recent_times(session, author, now), now):
        raise DiscussionError(_("您发言太频繁了，请过几分钟再发。"), 429)
    thread_kind, thread_id = subject.where
    about_kind, about_id = (parent.about_kind, parent.about_id) if parent else subject.about
    comment = Comment(
        subject_kind=thread_kind, subject_id=thread_id, about_kind=about_kind, about_id=about_id,
        place_id=subject.place.id, parent_id=parent_id, reply_to_id=parent.id if parent else None, depth=depth,
        author_id=author.id, body=body.strip(), stance=stance if stance in rules.stance_labels() else "",
        created_at=now,
    )
    session.add(comment)
    session.flush()
    _tell_readers(session, subject, comment, parent)
    return comment


def _placement(session: Session, subject: Subject, parent: Comment | None) -> tuple[int | None, int]:
    """(parent id, depth) of the new comment; the comment answered is held FOR SHARE and read as it is now."""
    if parent is None:
        return None, 0
    parent = session.get(Comment, parent.id, populate_existing=True, with_for_update={"read": True})
    if parent is None or (parent.subject_kind, parent.subject_id) != subject.where:
        raise DiscussionError(_("要回复的评论不在这个讨论里。"), 404)
    if parent.deleted_at or parent.hidden_at:
        raise DiscussionError(_("这条评论已被删除或隐藏，不能回复。"))
    return rules.placement(parent.depth, parent.id, parent.parent_id)


def _check_text(session: Session, place: Place, body: str) -> None:
    problem = rules.check_body(body)
    if problem:
        raise DiscussionError(problem, 422)
    word = rules.blocked_word_in(body, queries.blocked_words(session, place))
    if word:
        raise DiscussionError(_("评论中有不允许使用的词“%(word)s”，请修改后再发。", word=word), 422)


def _hold(session: Session, author: User) -> None:
    """The author's row for this transaction, so that their posts are counted one after another (on SQLite,
    writers already take turns). FOR NO KEY UPDATE rather than FOR UPDATE: the key-share locks that others'
    posts take on this row (telling its owner, answering their comment) go past it, so no two posts wait on
    each other in a circle."""
    session.exec(select(User.id).where(col(User.id) == author.id).with_for_update(key_share=True)).one()


def _recent_times(session: Session, author: User, now: datetime) -> list[datetime]:
    return list(session.exec(
        select(Comment.created_at).where(Comment.author_id == author.id,
                                         col(Comment.created_at) > now - rules.FLOOD_WINDOW)
    ).all())


def _tell_readers(session: Session, subject: Subject, comment: Comment, parent: Comment | None) -> None:
    """Those in the conversation hear of an answer; followers of the proposal hear of every comment."""
    told: dict[int, str] = {}
    if parent is not None:
        for user_id in _conversation(session, parent):
            told[user_id] = NotificationKind.REPLY
    if subject.proposal_id is not None:
        proposal = session.get(Proposal, subject.proposal_id)
        assert proposal is not None
        for user_id in followers(session, proposal):
            told.setdefault(user_id, NotificationKind.COMMENT)
    told.pop(comment.author_id, None)
    for user_id, kind in sorted(told.items()):
        session.add(Notification(user_id=user_id, kind=kind, proposal_id=subject.proposal_id,
                                 comment_id=comment.id))
    session.flush()


def _conversation(session: Session, parent: Comment) -> set[int]:
    """Authors of the comment answered and of every comment up its branch."""
    authors = set()
    current: Comment | None = parent
    while current is not None:
        authors.add(current.author_id)
        current = session.get(Comment, current.parent_id) if current.parent_id else None
    return authors


def do_edit(session: Session, comment: Comment, user: User, body: str, stance: str,
            now: datetime | None = None) -> None:
    now = now or utcnow()
    _own_and_present(comment, user)
    if now > rules.editable_until(comment.created_at):
        raise DiscussionError(_("发表 %(n)s 分钟后就不能再修改了。", n=int(rules.EDIT_WINDOW.total_seconds() // 60)))
    place = session.get(Place, comment.place_id)
    assert place is not None
    _check_text(session, place, body)
    comment.body, comment.edited_at = body.strip(), now
    comment.stance = stance if stance in rules.stance_labels() else ""
    session.add(comment)
    session.flush()


def do_delete(session: Session, comment: Comment, user: User) -> None:
    """The author takes it back; a placeholder keeps the answers in their place."""
    _own_and_present(comment, user)
    comment.deleted_at, comment.body, comment.stance = utcnow(), "", ""
    session.add(comment)
    session.flush()


def _own_and_present(comment: Comment, user: User) -> None:
    if comment.author_id != user.id:
        raise DiscussionError(_("只能修改或删除自己的评论。"), 403)
    if comment.deleted_at:
        raise DiscussionError(_("这条评论已经删除了。"))
    if comment.hidden_at:
        raise DiscussionError(_("这条评论已被隐藏，不能修改。"))


def do_mark_helpful(session: Session, comment: Comment, user: User, helpful: bool) -> bool:
    """Mark or unmark as helpful (once per person); True if anything changed."""
    if comment.author_id == user.id:
        raise DiscussionError(_("不能给自己的评论点“有帮助”。"))
    if comment.deleted_at or comment.hidden_at:
        raise DiscussionError(_("这条评论已被删除或隐藏。"))
    mark = session.exec(select(Helpful).where(Helpful.comment_id == comment.id, Helpful.user_id == user.id)).first()
    if helpful and mark is None:
        try:
            with session.begin_nested():
                session.add(Helpful(comment_id=comment.id, user_id=user.id))
        except IntegrityError:  # marked at the same moment in another request
            return False
        _count_helpful(session, comment, +1)
        return True
    if not helpful and mark is not None:
        taken = session.exec(delete(Helpful).where(col(Helpful.id) == mark.id)).rowcount
        if taken:  # not already taken away at the same moment in another request
            _count_helpful(session, comment, -1)
        return bool(taken)
    return False


def _count_helpful(session: Session, comment: Comment, change: int) -> None:
    session.exec(update(Comment).where(col(Comment.id) == comment.id)
                 .values(helpful_count=Comment.helpful_count + change))
    session.flush()
    session.refresh(comment)


# Moderation ------------------------------------------------------------------------------------


def do_report(session: Session, comment: Comment, user: User, reason: str) -> bool:
    """Report once; True if this is a new report."""
    reason = reason.strip()
    if not reason:
        raise DiscussionError(_("请写明举报的理由。"), 422)
    if len(reason) > rules.REASON_MAX:
        raise DiscussionError(_("理由不能超过 %(n)s 个字。", n=rules.REASON_MAX), 422)
    if comment.deleted_at or comment.hidden_at:
        raise DiscussionError(_("这条评论已被删除或隐藏。"))
    if session.exec(select(CommentReport.id).where(CommentReport.comment_id == comment.id,
                                                   CommentReport.reporter_id == user.id)).first():
        return False
    try:
        with session.begin_nested():
            session.add(CommentReport(comment_id=comment.id, place_id=comment.place_id,
                                      reporter_id=user.id, reason=reason))
    except IntegrityError:
        return False
    _log(session, comment, user, "report", reason)
    return True


def do_hide(session: Session, comment: Comment, by: User, reason: str) -> None:
    reason = _moderation_reason(reason)
    if comment.hidden_at:
        raise DiscussionError(_("这条评论已经隐藏了。"))
    if comment.deleted_at:
        raise DiscussionError(_("这条评论已经删除了。"))
    now = utcnow()
    comment.hidden_at, comment.hidden_by_id, comment.hidden_reason = now, by.id, reason
    session.add(comment)
    _resolve_reports(session, comment, by, ReportStatus.HIDDEN, now)
    _log(session, comment, by, "hide", reason)
    proposal_id = _proposal_of(session, comment)
    session.add(Notification(user_id=comment.author_id, kind=NotificationKind.HIDDEN, proposal_id=proposal_id,
                             comment_id=comment.id))
    session.flush()


def do_restore(session: Session, comment: Comment, by: User, reason: str) -> None:
    if not comment.hidden_at:
        raise DiscussionError(_("这条评论没有被隐藏。"))
    comment.hidden_at, comment.hidden_by_id, comment.hidden_reason = None, None, ""
    session.add(comment)
    _log(session, comment, by, "restore", reason.strip()[: rules.REASON_MAX])
    session.flush()


def do_dismiss(session: Session, report: CommentReport, by: User, reason: str) -> None:
    """Keep the comment: this report and any other open one on it are closed."""
    if report.status != ReportStatus.OPEN:
        raise DiscussionError(_("这条举报已经处理过了。"))
    comment = session.get(Comment, report.comment_id)
    assert comment is not None
    _resolve_reports(session, comment, by, ReportStatus.DISMISSED, utcnow())
    _log(session, comment, by, "dismiss", reason.strip()[: rules.REASON_MAX])


def _moderation_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DiscussionError(_("请写明隐藏的理由，评论的作者会看到。"), 422)
    if len(reason) > rules.REASON_MAX:
        raise DiscussionError(_("理由不能超过 %(n)s 个字。", n=rules.REASON_MAX), 422)
    return reason


def _resolve_reports(session: Session, comment: Comment, by: User, status: str, now: datetime) -> None:
    session.exec(update(CommentReport)
                 .where(col(CommentReport.comment_id) == comment.id, col(CommentReport.status) == ReportStatus.OPEN)
                 .values(status=status, resolved_at=now, resolved_by_id=by.id))


def _log(session: Session, comment: Comment, by: User, action: str, reason: str) -> None:
    session.add(ModerationEntry(comment_id=comment.id, place_id=comment.place_id, actor_id=by.id,
                                action=action, reason=reason))
    session.flush()


def _proposal_of(session: Session, comment: Comment) -> int | None:
    subject = find(session, comment.subject_kind, comment.subject_id)
    return subject.proposal_id if subject else None


# Blocked words ---------------------------------------------------------------------------------


def do_set_blocked_words(session: Session, place: Place, raw: str, by: User) -> list[str]:
    words = rules.parse_blocked_words(raw)
    row = session.get(DiscussionRules, place.id) or _first_rules(session, place)
    row.blocked_words, row.updated_at, row.updated_by_id = "\n".join(words), utcnow(), by.id
    session.add(row)
    session.flush()
    return words


def _first_rules(session: Session, place: Place) -> DiscussionRules:
    """The place's row of rules, made now; or the one another request made at the same moment."""
    try:
        with session.begin_nested():
            row = DiscussionRules(place_id=place.id)
            session.add(row)
        return row
    except IntegrityError:
        made = session.get(DiscussionRules, place.id)
        assert made is not None
        return made

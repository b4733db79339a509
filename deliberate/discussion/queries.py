"""What the pages of discussion read: a thread as its subject's page shows it, counts, and moderation queues."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.accounts.people import Person
from deliberate.clock import utcnow
from deliberate.db import parse_id
from deliberate.discussion import rules
from deliberate.discussion.links import comment_url, thread_url
from deliberate.discussion.models import Comment, CommentReport, DiscussionRules, Helpful, ModerationEntry, ReportStatus
from deliberate.discussion.subjects import Subject, find
from deliberate.i18n import gettext as _
from deliberate.places import actions as places
from deliberate.places.models import Place
from deliberate.policy import Act, may
from deliberate.proposals.models import Plan, PlanVersion
from deliberate.voting.models import Vote


@dataclass(frozen=True)
class Thread:
    roots: list[rules.Node]
    count: int  # comments that can be read (not deleted or hidden)
    balance: rules.Balance
    authors: dict[int, User]
    helpful: set[int]  # ids of comments the reader marked helpful
    reported: set[int]  # ids of comments the reader reported
    pages: int
    page: int
    about: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict)  # label → (title, url)


def thread(session: Session, subject: Subject, sort: rules.Sort, reader: User | None, page: int = 1) -> Thread:
    comments = list(session.exec(
        select(Comment).where(Comment.subject_kind == subject.where[0], Comment.subject_id == subject.where[1])
        .order_by(col(Comment.id))
    ).all())
    shown = [c for c in comments if not c.deleted_at and not c.hidden_at]
    roots = rules.tree(comments, sort)
    pages = max(1, -(-len(roots) // rules.PAGE_SIZE))
    page = min(max(page, 1), pages)
    authors = {u.id: u for u in session.exec(
        select(User).where(col(User.id).in_({c.author_id for c in comments}))).all()} if comments else {}
    helpful: set[int] = set()
    reported: set[int] = set()
    if reader is not None and comments:
        ids = [c.id for c in comments]
        helpful = set(session.exec(select(Helpful.comment_id).where(
            Helpful.user_id == reader.id, col(Helpful.comment_id).in_(ids))).all())
        reported = set(session.exec(select(CommentReport.comment_id).where(
            CommentReport.reporter_id == reader.id, col(CommentReport.comment_id).in_(ids))).all())
    return Thread(
        roots=roots[(page - 1) * rules.PAGE_SIZE: page * rules.PAGE_SIZE], count=len(shown),
        balance=rules.balance((c.author_id, c.stance) for c in shown), authors=authors,
        helpful=helpful, reported=reported, pages=pages, page=page, about=_labels(session, comments),
    )


def _labels(session: Session, comments: list[Comment]) -> dict[tuple[str, int], tuple[str, str]]:
    """What the labelled comments of a proposal's thread are about: each plan's current title, the vote's."""
    plan_ids = {c.about_id for c in comments if c.about_kind == "plan" and c.about_id is not None}
    vote_ids = {c.about_id for c in comments if c.about_kind == "vote" and c.about_id is not None}
    found: dict[tuple[str, int], tuple[str, str]] = {}
    if plan_ids:
        for plan, version in session.exec(
            select(Plan, PlanVersion).join(PlanVersion, col(PlanVersion.plan_id) == Plan.id)
            .where(col(Plan.id).in_(plan_ids), col(PlanVersion.number) == Plan.version)
        ).all():
            found[("plan", plan.id)] = (_("方案：%(title)s", title=version.title),
                                        thread_url("plan", plan.id, plan.proposal_id))
    if vote_ids:
        for vote in session.exec(select(Vote).where(col(Vote.id).in_(vote_ids))).all():
            found[("vote", vote.id)] = (_("表决：%(title)s", title=vote.title), thread_url("vote", vote.id, None))
    return found


def comment_count(session: Session, kind: str, subject_ids: list[int]) -> dict[int, int]:
    """How many readable comments each proposal's or vote's thread has, or for a plan how many in its
    proposal's thread are about it (for links such as 讨论这个方案 (3))."""
    if not subject_ids:
        return {}
    labelled = kind == "plan"
    which, ident = (Comment.about_kind, Comment.about_id) if labelled else (Comment.subject_kind, Comment.subject_id)
    rows = session.exec(
        select(ident, func.count()).where(
            which == kind, col(ident).in_(subject_ids),
            col(Comment.deleted_at).is_(None), col(Comment.hidden_at).is_(None))
        .group_by(col(ident))
    ).all()
    return {int(key): n for key, n in rows if key is not None}


def open_reports(session: Session, place: Place) -> list[tuple[CommentReport, Comment, User, User]]:
    """Open reports of comments in this place and everything inside it, oldest first."""
    reporter = aliased(User)
    rows = session.exec(
        select(CommentReport, Comment, User, reporter)
        .join(Comment, col(Comment.id) == CommentReport.comment_id)
        .join(User, col(User.id) == Comment.author_id)
        .join(reporter, col(reporter.id) == CommentReport.reporter_id)
        .join(Place, col(Place.id) == CommentReport.place_id)
        .where(col(CommentReport.status) == ReportStatus.OPEN, col(Place.path).startswith(place.path))
        .order_by(col(CommentReport.id))
    ).all()
    return [(r, c, a, by) for r, c, a, by in rows]


def hidden_comments(session: Session, place: Place) -> list[tuple[Comment, User]]:
    rows = session.exec(
        select(Comment, User).join(User, col(User.id) == Comment.author_id)
        .join(Place, col(Place.id) == Comment.place_id)
        .where(col(Comment.hidden_at).is_not(None), col(Place.path).startswith(place.path))
        .order_by(col(Comment.hidden_at).desc())
    ).all()
    return [(c, u) for c, u in rows]


def moderation_log(session: Session, place: Place, limit: int = 100) -> list[tuple[ModerationEntry, User | None]]:
    rows = session.exec(
        select(ModerationEntry, User).join(User, col(User.id) == ModerationEntry.actor_id, isouter=True)
        .join(Place, col(Place.id) == ModerationEntry.place_id)
        .where(col(Place.path).startswith(place.path))
        .order_by(col(ModerationEntry.id).desc()).limit(limit)
    ).all()
    return [(e, u) for e, u in rows]


@dataclass(frozen=True)
class ThreadView:
    """A thread as a page shows it (templates/discussion/_thread.html): the comments, and what the reader may do."""

    subject: Subject
    thread: Thread
    sort: rules.Sort
    can_comment: bool
    can_moderate: bool
    now: datetime
    entered: dict[str, str] = field(default_factory=dict)  # a comment sent back to be fixed
    error: str = ""
    edit_window: timedelta = rules.EDIT_WINDOW

    @property
    def sort_labels(self) -> dict[rules.Sort, str]:
        return rules.sort_labels()

    @property
    def stance_labels(self) -> dict[str, str]:
        return rules.stance_labels()


def order(sort: str | None, page: str | None) -> tuple[rules.Sort, int]:
    """The thread's order and page from the query string (`?sort=…&cpage=…`); anything unknown is the default."""
    try:
        chosen = rules.Sort(sort or rules.Sort.OLDEST)
    except ValueError:
        chosen = rules.Sort.OLDEST
    return chosen, parse_id(page) or 1


def thread_view(session: Session, subject: Subject, person: Person | None, reader: User | None, *,
                sort: rules.Sort = rules.Sort.OLDEST, page: int = 1, entered: dict[str, str] | None = None,
                error: str = "") -> ThreadView:
    return ThreadView(
        subject=subject, thread=thread(session, subject, sort, reader, page), sort=sort,
        can_comment=subject.open and may(person, Act.COMMENT, subject.place),
        can_moderate=may(person, Act.MODERATE, subject.place), now=utcnow(), entered=entered or {}, error=error,
    )


def thread_of(session: Session, kind: str, subject_id: int, person: Person | None, reader: User | None, *,
              sort: rules.Sort = rules.Sort.OLDEST, page: int = 1) -> ThreadView | None:
    """The thread for the page of a proposal, plan or vote; None where it has none (a draft)."""
    subject = find(session, kind, subject_id)
    return thread_view(session, subject, person, reader, sort=sort, page=page) if subject else None


# Pages -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadPage:
    """A thread on a page of its own (the pages of proposals, plans and votes embed it instead)."""

    subject: Subject
    trail: list[Place]
    discussion: ThreadView


def thread_page(session: Session, view: ThreadView) -> ThreadPage:
    place = view.subject.place
    return ThreadPage(view.subject, [*places.ancestors(session, place), place], view)


@dataclass(frozen=True)
class EditPage:
    comment: Comment
    subject: Subject
    until: datetime
    values: dict[str, str] = field(default_factory=dict)
    error: str = ""
    stance_labels: dict[str, str] = field(default_factory=rules.stance_labels)


def edit_page(comment: Comment, subject: Subject, values: dict[str, str] | None = None, error: str = "") -> EditPage:
    return EditPage(comment, subject, rules.editable_until(comment.created_at), values or {}, error)


@dataclass(frozen=True)
class ReportPage:
    comment: Comment
    subject: Subject
    reason: str = ""
    error: str = ""


@dataclass(frozen=True)
class ModerationPage:
    """A place's moderation: open reports of it and everything inside, hidden comments, words, the log."""

    place: Place
    trail: list[Place]
    reports: list[tuple[CommentReport, Comment, User, User]]
    hidden: list[tuple[Comment, User]]
    log: list[tuple[ModerationEntry, User | None]]
    words: str  # this place's own list
    inherited: list[str]  # blocked by the places containing it
    urls: dict[int, str]  # where each comment listed is read


def moderation_page(session: Session, place: Place) -> ModerationPage:
    reports, hidden = open_reports(session, place), hidden_comments(session, place)
    own = own_blocked_words(session, place)
    return ModerationPage(
        place=place, trail=[*places.ancestors(session, place), place], reports=reports, hidden=hidden,
        log=moderation_log(session, place), words=own,
        inherited=[w for w in blocked_words(session, place) if w not in set(rules.parse_blocked_words(own))],
        urls=_comment_urls(session, [c for _r, c, _a, _b in reports] + [c for c, _a in hidden]),
    )


def _comment_urls(session: Session, comments: list[Comment]) -> dict[int, str]:
    urls = {}
    for comment in comments:
        subject = find(session, comment.subject_kind, comment.subject_id)
        if subject is not None and comment.id is not None:
            urls[comment.id] = comment_url(comment, subject.proposal_id)
    return urls


def blocked_words(session: Session, place: Place) -> list[str]:
    """The words blocked here: this place's list and those of every place containing it."""
    rows = session.exec(select(DiscussionRules.blocked_words)
                        .where(col(DiscussionRules.place_id).in_(place.ancestor_ids))).all()
    return rules.parse_blocked_words("\n".join(rows))


def own_blocked_words(session: Session, place: Place) -> str:
    row = session.get(DiscussionRules, place.id)
    return row.blocked_words if row else ""

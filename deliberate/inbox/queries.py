"""A person's notifications: each step of a proposal they follow or review, comments that concern them, a vote
they may cast that has opened, a meeting called where they live.

`items` turns notification rows into what the 通知 page and the e-mail both show: a title, a link, what
happened, who did it, when, and an excerpt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.discussion.links import comment_url
from deliberate.discussion.models import Comment
from deliberate.i18n import gettext as _
from deliberate.meetings import rules as meeting_rules
from deliberate.meetings.models import Meeting
from deliberate.proposals import rules
from deliberate.proposals.models import Notification, NotificationKind, Proposal, ProposalEvent
from deliberate.voting.models import Vote

CHINA = ZoneInfo("Asia/Shanghai")  # times in what the notification says, as the pages show them
RECENT = 100
EXCERPT = 80


@dataclass(frozen=True)
class Item:
    notification: Notification
    title: str
    url: str
    what: str
    actor: User | None
    at: datetime
    excerpt: str = ""


def recent(session: Session, user: User) -> list[Item]:
    rows = session.exec(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(col(Notification.id).desc()).limit(RECENT)
    ).all()
    return items(session, rows)


def items(session: Session, notifications: Sequence[Notification]) -> list[Item]:
    """What each notification says, loading what it points to in a few queries."""
    events = _by_id(session, ProposalEvent, {n.event_id for n in notifications})
    comments = _by_id(session, Comment, {n.comment_id for n in notifications})
    proposals = _by_id(session, Proposal, {n.proposal_id for n in notifications})
    votes = _by_id(session, Vote, {c.subject_id for c in comments.values() if c.subject_kind == "vote"}
                   | {n.vote_id for n in notifications})
    meetings = _by_id(session, Meeting, {n.meeting_id for n in notifications})
    people = _by_id(session, User, {e.actor_id for e in events.values()}
                    | {c.author_id for c in comments.values()} | {c.hidden_by_id for c in comments.values()}
                    | {v.withdrawn_by_id for v in votes.values()})
    people |= _by_id(session, User, {m.organiser_id for m in meetings.values()} - set(people))
    found = []
    for n in notifications:
        if n.kind == NotificationKind.VOTE and n.vote_id in votes:
            vote = votes[n.vote_id]
            found.append(Item(n, vote.title, f"/votes/{vote.id}", _("表决开始了，您可以投票"), None, n.created_at,
                              _("截止时间：%(time)s", time=_local(vote.closes_at))))
        elif n.meeting_id is not None and n.meeting_id in meetings:
            meeting = meetings[n.meeting_id]
            found.append(Item(n, meeting.title, f"/meetings/{meeting.id}", _("召开会议"),
                              people.get(meeting.organiser_id), n.created_at,
                              _("%(kind)s · %(time)s · %(room)s", kind=meeting_rules.kind_labels()[meeting.kind],
                                time=_local(meeting.starts_at), room=meeting.room or _("网上会议"))))
        elif n.event_id is not None and n.event_id in events:
            event = events[n.event_id]
            proposal = proposals[event.proposal_id]
            found.append(Item(n, proposal.title, f"/proposals/{proposal.id}#timeline", event_what(event),
                              people.get(event.actor_id), event.at, event.reason))
        elif n.kind == NotificationKind.VOTE_WITHDRAWN and n.vote_id in votes:
            vote = votes[n.vote_id]
            found.append(Item(n, vote.title, f"/votes/{vote.id}", _("表决已撤回，选票不计"),
                              people.get(vote.withdrawn_by_id), vote.withdrawn_at or n.created_at,
                              vote.withdrawal_reason))
        elif n.comment_id is not None and n.comment_id in comments:
            comment = comments[n.comment_id]
            if comment.subject_kind == "vote":
                title = votes[comment.subject_id].title if comment.subject_id in votes else ""
            else:
                title = proposals[n.proposal_id].title if n.proposal_id in proposals else ""
            hidden = n.kind == NotificationKind.HIDDEN
            found.append(Item(
                n, title, comment_url(comment, n.proposal_id), _comment_what(n.kind, comment),
                people.get(comment.hidden_by_id if hidden else comment.author_id),
                (comment.hidden_at or n.created_at) if hidden else comment.created_at,
                comment.hidden_reason if hidden else _excerpt_of(comment),
            ))
    return found


def _local(at: datetime) -> str:
    return at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def event_what(event: ProposalEvent) -> str:
    label = rules.event_labels().get(event.action, event.action)
    if event.from_stage == event.to_stage:
        return label
    return _("%(what)s（%(stage)s）", what=label, stage=rules.stage_labels()[rules.Stage(event.to_stage)])


def _comment_what(kind: str, comment: Comment) -> str:
    if kind == NotificationKind.HIDDEN:
        return _("您的评论被隐藏")
    if kind == NotificationKind.REPLY:
        return _("回复了讨论")
    return _("发表了新评论")


def _excerpt_of(comment: Comment) -> str:
    """What was said, unless it has since been taken back or hidden."""
    return "" if comment.deleted_at or comment.hidden_at else _excerpt(comment.body)


def _excerpt(body: str) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT] + "…"


def _by_id(session: Session, model: type[Any], ids: set[int | None]) -> dict[int, Any]:
    """Rows of one table by their id (notifications point at events, comments, proposals, votes and people)."""
    wanted = sorted(i for i in ids if i is not None)
    if not wanted:
        return {}
    rows: list[Any] = list(session.exec(select(model).where(col(model.id).in_(wanted))).all())
    return {row.id: row for row in rows}


def unread_count(session: Session, user: User) -> int:
    return session.exec(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, col(Notification.read_at).is_(None))
    ).one()

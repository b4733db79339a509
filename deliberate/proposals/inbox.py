"""A person's in-site notifications: each event of a proposal they follow or review."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.db import utcnow
from deliberate.proposals.models import Notification, Proposal, ProposalEvent

RECENT = 100


@dataclass(frozen=True)
class Item:
    notification: Notification
    event: ProposalEvent
    proposal: Proposal
    actor: User | None


def recent(session: Session, user: User) -> list[Item]:
    rows = session.exec(
        select(Notification, ProposalEvent, Proposal, User)
        .join(ProposalEvent, ProposalEvent.id == Notification.event_id)
        .join(Proposal, Proposal.id == Notification.proposal_id)
        .join(User, col(User.id) == ProposalEvent.actor_id, isouter=True)
        .where(Notification.user_id == user.id)
        .order_by(col(Notification.id).desc()).limit(RECENT)
    ).all()
    return [Item(n, e, p, a) for n, e, p, a in rows]


def unread_count(session: Session, user: User) -> int:
    return session.exec(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, col(Notification.read_at).is_(None))
    ).one()


def do_mark_read(session: Session, user: User) -> None:
    session.exec(  # type: ignore[call-overload]
        update(Notification).where(col(Notification.user_id) == user.id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )

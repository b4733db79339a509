"""The only writer of a person's notifications as they read them."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col

from deliberate.accounts.models import User
from deliberate.clock import utcnow
from deliberate.proposals.models import Notification


def do_mark_read(session: Session, user: User) -> None:
    session.exec(
        update(Notification).where(col(Notification.user_id) == user.id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )

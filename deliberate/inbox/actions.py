"""The writers of a person's notifications that no lower domain can write: reading them, and being told
that a vote one may cast has opened.

Voting sits below the notifications (they are the proposals' table), so opening a vote and telling its voters
is one action here that does both, for the council's button and the clock alike; the roll is told in one
INSERT … SELECT, however many thousand households it holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, insert, literal, select, update
from sqlmodel import Session, col

from deliberate.accounts.models import User
from deliberate.clock import utcnow
from deliberate.db import UTCDateTime
from deliberate.places.models import Place
from deliberate.proposals.models import Notification, NotificationKind
from deliberate.voting import actions as voting
from deliberate.voting import queries as vote_queries
from deliberate.voting.models import Vote


def do_mark_read(session: Session, user: User) -> None:
    session.exec(
        update(Notification).where(col(Notification.user_id) == user.id, col(Notification.read_at).is_(None))
        .values(read_at=utcnow())
    )


def do_open_vote(session: Session, vote: Vote, place: Place, *, now: datetime | None = None) -> int:
    """Opens the vote (`voting.do_open`: the roll drawn and frozen) and tells everyone on it; the roll's size."""
    now = now or utcnow()
    size = voting.do_open(session, vote, place, now=now)
    tell_roll(session, vote, now)
    return size


def open_vote_if_due(session: Session, vote_id: int, *, now: datetime | None = None) -> bool:
    """The clock's opening of a vote at its time (`voting.open_if_due`), and its voters told."""
    now = now or utcnow()
    if not voting.open_if_due(session, vote_id, now=now):
        return False
    vote = session.get(Vote, vote_id)
    assert vote is not None
    tell_roll(session, vote, now)
    return True


def tell_roll(session: Session, vote: Vote, now: datetime) -> int:
    """One notification for each account that may cast a line of the roll; how many were written."""
    voters = vote_queries.accounts_on_roll(vote).subquery()
    told = select(voters.c.user_id, literal(NotificationKind.VOTE, String), literal(vote.id, Integer),
                  literal(now, UTCDateTime))
    written = session.execute(
        insert(Notification).from_select(["user_id", "kind", "vote_id", "created_at"], told),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(written, "rowcount", 0) or 0)

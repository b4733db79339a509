"""The clock's work: what happens because time has passed, never because someone opened a page.

Votes open and close at their times, disclosure and rating periods end, old sessions and failed logins
are swept away. Each due item moves in a short transaction of its own, its row locked and its state
checked again inside it, so that every server process (and `deliberate tick` from cron) may run this at
the same moment and each item still moves once. One item that fails is logged and left for the next tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from deliberate.accounts import sessions, throttle
from deliberate.clock import utcnow
from deliberate.db import Database
from deliberate.inbox import actions as inbox
from deliberate.proposals import works
from deliberate.voting import actions as voting

log = logging.getLogger(__name__)
FORGET_FOR = timedelta(minutes=3)


@dataclass(frozen=True)
class Ticked:
    votes_opened: int = 0
    votes_closed: int = 0
    proposals_advanced: int = 0  # disclosure ended, or closed after the rating period

    @property
    def total(self) -> int:
        return self.votes_opened + self.votes_closed + self.proposals_advanced


def tick(database: Database, now: datetime | None = None) -> Ticked:
    """One round of the clock's work at `now` (the clock's time by default)."""
    now = now or utcnow()
    ticked = Ticked(
        votes_opened=_each(database, voting.due_to_open, lambda s, i: inbox.open_vote_if_due(s, i, now=now), now),
        votes_closed=_each(database, voting.due_to_close, lambda s, i: voting.close_if_due(s, i, now=now), now),
        proposals_advanced=_each(database, works.due_to_advance, lambda s, i: works.advance_due(s, i, now=now), now),
    )
    _sweep(database, now)
    _forget_earlier_batches(database, now)
    return ticked


def tick_round(database: Database) -> bool:
    """One round for the background worker: everything due is done, so nothing is left for an extra round."""
    tick(database)
    return False


def _each(database: Database, due: Callable[[Session, datetime], list[int]],
          move: Callable[[Session, int], bool], now: datetime) -> int:
    with database.session() as session:
        ids = due(session, now)
    moved = 0
    for ident in ids:
        try:
            with database.writing() as session:
                moved += bool(move(session, ident))
        except Exception:  # one bad item must not hold up the others
            log.exception("the clock could not move %s %s", move, ident)
    return moved


def _forget_earlier_batches(database: Database, now: datetime) -> None:
    """After a secret vote closes, its ballots are published again in one shuffled batch (`voting.urn`); the
    database's own history of the earlier batches goes too: SQLite's WAL is checkpointed and truncated,
    PostgreSQL's dead row versions vacuumed. Done for a few minutes after each close, as cheap as it is rare."""
    with database.session() as session:
        if not voting.secret_closed_since(session, now - FORGET_FOR):
            return
    try:
        if database.settings.is_sqlite:
            database.truncate_wal()
        else:
            with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM secret_ballot, sealed_ballot")
    except Exception:  # a busy database is tried again at the next tick
        log.warning("the clock could not yet forget a closed vote's earlier ballot batches", exc_info=True)


def _sweep(database: Database, now: datetime) -> None:
    settings = database.settings
    with database.writing() as session:
        throttle.purge_older_than(session, timedelta(minutes=settings.login_throttle_minutes), now=now)
        sessions.purge_expired(session, idle=timedelta(minutes=settings.session_idle_minutes),
                               absolute=timedelta(hours=settings.session_absolute_hours), now=now)

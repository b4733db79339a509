"""Loading a vote, or a ballot's place on its roll, and proving in the same call that this person may act on it.

One condition per line, so that the tests prove each branch. A vote in preparation is seen only by those who
prepare votes of its place; every other need is a policy act on the vote's place (`deliberate.policy`).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from deliberate.accounts.models import User
from deliberate.accounts.people import Person
from deliberate.db import get_or_refuse, parse_id
from deliberate.places.models import Place
from deliberate.policy import Act, may
from deliberate.refusal import Forbidden, NotFound
from deliberate.voting.actions import VoteError
from deliberate.voting.models import RollEntry, Vote, VoteStatus
from deliberate.voting.queries import entries_for

BALLOTS = (None, Act.ENTER_PAPER_BALLOTS)  # the needs that cast a ballot


def access_vote(session: Session, person: Person | None, ident: Any, need: Act | None = None, *,
                for_update: bool = False) -> tuple[Vote, Place]:
    """The vote and its place, if this person may `need` there (None: look at it); else 404 or 403."""
    # Ballots share the vote's row; opening, closing and certifying take it alone, so that no ballot is
    # acknowledged while the vote closes without being counted.
    vote = _load(session, ident, lock=None if not for_update else "share" if need in BALLOTS else "update")
    place = session.get(Place, vote.place_id)
    assert place is not None
    if vote.status == VoteStatus.DRAFT and not may(person, Act.MANAGE_VOTES, place):
        raise Forbidden()
    if need is not None and not may(person, need, place):
        raise Forbidden()
    return vote, place


def _load(session: Session, ident: Any, lock: str | None) -> Vote:
    key = parse_id(ident)
    if key is None:
        raise NotFound()
    statement = select(Vote).where(Vote.id == key)
    if lock is not None:
        statement = statement.with_for_update(read=lock == "share").execution_options(populate_existing=True)
    vote = session.exec(statement).first()
    if vote is None:
        raise NotFound()
    return vote


def access_own_entry(session: Session, vote: Vote, user: User, ident: Any) -> RollEntry:
    """A line of the roll this account may cast online (its own, its household's, its units'); else 404 or 403."""
    entry = access_entry(session, vote, ident)
    if entry.id not in {e.id for e in entries_for(session, vote, user)}:
        raise VoteError("not_on_roll")
    return entry


def access_entry(session: Session, vote: Vote, ident: Any) -> RollEntry:
    """Any line of this vote's roll (for staff entering a paper ballot); 404 for another vote's."""
    entry = get_or_refuse(session, RollEntry, ident)
    if entry.vote_id != vote.id:
        raise NotFound()
    return entry

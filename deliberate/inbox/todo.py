"""What needs me (我的待办) on the home page: what waits on this person, each list capped, read in a fixed number
of queries whatever the data (one per list, each counting its whole list with a window, and two for the overdue
items of the tracking pages).

Whose turn it is follows the policy's rules, read from the person's grants and homes without asking the
database: the places of a verified resident are every place on the path of their homes; staff serve the place of
their grant and every place inside it; a council serves its own place; supervisors and building leaders accept
works (验收) where `Act.ACCEPT_WORKS` lets them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, false, func, or_
from sqlmodel import Session, col, select

from deliberate.accounts.models import Role
from deliberate.accounts.people import Person
from deliberate.meetings.models import Meeting, MeetingStatus, Registration, RegistrationStatus
from deliberate.places.models import Place
from deliberate.proposals import tracking
from deliberate.proposals.models import Cosign, Proposal, ProposalRating
from deliberate.proposals.rules import Stage

CAP = 5  # entries of each list; the others are counted and a link away where a full list exists


@dataclass(frozen=True)
class Entry:
    id: int  # the proposal's or the meeting's
    title: str
    place_name: str
    when: datetime | None  # the deadline, the meeting's start, or when the waiting began


@dataclass(frozen=True)
class Entries:
    entries: tuple[Entry, ...] = ()
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.entries)


@dataclass(frozen=True)
class Overdue:
    """The overdue items of one place's tracking page (督办), as that page counts them."""

    place_id: int
    place_name: str
    count: int


@dataclass(frozen=True)
class Todo:
    meetings: Entries  # coming meetings I registered for (or wait for a seat at)
    cosign: Entries  # proposals of my places collecting co-signs that I have not co-signed
    rating: Entries  # finished works of my places I may still rate and have not
    reviews: Entries  # proposals in review where I review
    decisions: Entries  # plans waiting for a decision where I review
    acceptances: Entries  # works completed, waiting for the on-site acceptance
    overdue: tuple[Overdue, ...]  # of each place I track, those with something overdue
    tracking_place_id: int | None  # whose tracking page lists the reviews, decisions and acceptances

    @property
    def for_me(self) -> bool:
        return any(e.total for e in (self.meetings, self.cosign, self.rating))

    @property
    def for_my_work(self) -> bool:
        return bool(self.overdue) or any(e.total for e in (self.reviews, self.decisions, self.acceptances))


def _on_path(path: str) -> list[str]:
    """The paths of a place and every place that contains it: "/1/5/9/" gives "/1/", "/1/5/", "/1/5/9/"."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]


def _paths(person: Person, *roles: str) -> list[str]:
    return sorted({g.place_path for g in person.grants if g.role in roles})


def _any(conditions: Iterable[Any]) -> Any:
    found = list(conditions)
    return or_(*found) if found else false()


def _within(paths: Iterable[str]) -> Any:
    """Proposals (joined to their place) in these places or inside them."""
    return _any(col(Place.path).startswith(path) for path in paths)


def _listed(session: Session, query: Any) -> Entries:
    """The first CAP rows of (id, title, place name, when, count over the whole list)."""
    rows = session.exec(query.limit(CAP)).all()
    return Entries(tuple(Entry(int(i), title, name, when) for i, title, name, when, _n in rows),
                   int(rows[0][4]) if rows else 0)


def _proposals(session: Session, when: Any, *conditions: Any) -> Entries:
    query = (select(Proposal.id, Proposal.title, Place.name, when).add_columns(func.count().over())
             .join(Place, col(Place.id) == Proposal.place_id).where(*conditions)
             .order_by(col(when).is_(None), when, col(Proposal.id)))
    return _listed(session, query)


def _meetings(session: Session, person: Person, now: datetime) -> Entries:
    query = (select(Meeting.id, Meeting.title, Place.name, Meeting.starts_at).add_columns(func.count().over())
             .join(Registration, col(Registration.meeting_id) == Meeting.id)
             .join(Place, col(Place.id) == Meeting.place_id)
             .where(col(Registration.user_id) == person.user_id,
                    col(Registration.status).in_([RegistrationStatus.REGISTERED, RegistrationStatus.WAITING]),
                    col(Meeting.status) == MeetingStatus.SCHEDULED, col(Meeting.ends_at) > now)
             .order_by(col(Meeting.starts_at), col(Meeting.id)))
    return _listed(session, query)


def what_needs(session: Session, person: Person, now: datetime, *, zone: ZoneInfo = tracking.SHANGHAI) -> Todo:
    """What waits on this person now. The open votes they may cast are `voting.queries.open_ballots`."""
    homes = sorted({path for home in person.home_paths for path in _on_path(home)})  # where I am a resident
    mine = col(Place.path).in_(homes)
    staff, councils = _paths(person, Role.STAFF, Role.ADMIN), _paths(person, Role.COUNCIL)
    reviewing = or_(_within(staff), col(Place.path).in_(councils))
    leaders = {path for lead in _paths(person, Role.BUILDING_LEADER) for path in _on_path(lead)}
    accepting = or_(reviewing, _within(_paths(person, Role.SUPERVISOR)), col(Place.path).in_(sorted(leaders)))
    stage = col(Proposal.stage)
    cosigned = exists().where(col(Cosign.proposal_id) == Proposal.id, col(Cosign.user_id) == person.user_id)
    rated = exists().where(col(ProposalRating.proposal_id) == Proposal.id,
                           col(ProposalRating.user_id) == person.user_id)
    ends = col(Proposal.rating_ends_at)
    empty = Entries()
    places = _tracked(session, staff)
    return Todo(
        meetings=_meetings(session, person, now),
        cosign=empty if not homes else _proposals(
            session, col(Proposal.submitted_at), stage == Stage.COSIGNING, mine,
            col(Proposal.author_id) != person.user_id, ~cosigned),
        rating=_proposals(session, ends, stage == Stage.RATING, ~rated,
                          or_(mine, col(Proposal.author_id) == person.user_id), or_(ends.is_(None), ends > now)),
        reviews=empty if not (staff or councils) else _proposals(
            session, col(Proposal.review_due_at), stage == Stage.REVIEW, reviewing),
        decisions=empty if not (staff or councils) else _proposals(
            session, col(Proposal.stage_changed_at), stage == Stage.DECISION, reviewing),
        acceptances=_proposals(session, col(Proposal.stage_changed_at), stage == Stage.ACCEPTANCE, accepting)
        if person.grants else empty,
        overdue=tuple(Overdue(place.id, place.name, n) for place, n in zip(
            places, tracking.overdue_counts(session, places, now, zone=zone), strict=True) if n),
        tracking_place_id=places[0].id if places else None,
    )


def _tracked(session: Session, paths: list[str]) -> list[Place]:
    """The places whose tracking page this person may read: those of their staff grants, outermost first."""
    if not paths:
        return []
    found = session.exec(select(Place).where(col(Place.path).in_(paths))).all()
    return sorted((p for p in found if not any(p.path != q and p.path.startswith(q) for q in paths)),
                  key=lambda p: p.path)


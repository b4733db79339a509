"""A place's home page: what is open now, what was decided lately, and who is responsible, for the place and
the places inside it, each item marked with where it is when that is not the place itself.

Public (anonymous visitors get it from the page cache): only what the site already shows to everyone, never
the register. Read in a fixed number of statements whatever the data, every list capped at `LIMIT`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func
from sqlmodel import Session, col, or_, select

from deliberate.accounts.actions import role_label
from deliberate.accounts.models import Role, RoleGrant, User
from deliberate.meetings.models import Meeting, MeetingStatus
from deliberate.places.models import Place
from deliberate.proposals.models import ProgressUpdate, Proposal
from deliberate.proposals.rules import Stage, stage_labels
from deliberate.voting.labels import turnout_json, turnout_text
from deliberate.voting.models import Vote, VoteStatus

UrlFor = Callable[..., str]
LIMIT = 5  # items in each list; the full list is one link away
PEOPLE_LIMIT = 12  # councils and staff shown
PUBLIC_ROLES = (Role.STAFF, Role.COUNCIL, Role.BUILDING_LEADER, Role.SUPERVISOR)


@dataclass(frozen=True)
class StageCount:
    stage: str
    label: str
    count: int


@dataclass(frozen=True)
class Work:
    proposal: Proposal
    percent: int


@dataclass(frozen=True)
class Result:
    vote: Vote
    passed: bool | None  # None when the stored result does not say
    voted: int
    roll: int

    @property
    def turnout(self) -> str:
        return turnout_text(self.voted, self.roll)


@dataclass(frozen=True)
class Responsible:
    name: str
    role: str
    role_label: str
    place_id: int


@dataclass(frozen=True)
class PlaceHome:
    place: Place
    where: dict[int, str]  # place id -> its mark ("1区 › 1号楼"); "" for the place itself
    open_votes: list[Vote]
    stages: list[StageCount]
    meetings: list[Meeting]
    works: list[Work]
    results: list[Result]
    closings: list[Proposal]
    people: list[Responsible]

    def mark(self, place_id: int) -> str:
        return self.where.get(place_id, "")

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        def at(place_id: int) -> dict[str, Any]:
            return {"id": place_id, "name": self.where.get(place_id, ""), "inside": place_id != self.place.id}

        return {
            "open_votes": [{"id": v.id, "title": v.title, "closes_at": v.closes_at, "place": at(v.place_id),
                            "url": url("votes:detail", id=v.id)} for v in self.open_votes],
            "proposals_by_stage": [{"stage": s.stage, "label": s.label, "count": s.count} for s in self.stages],
            "meetings": [{"id": m.id, "title": m.title, "starts_at": m.starts_at, "room": m.room,
                          "place": at(m.place_id), "url": url("meetings:detail", id=m.id)} for m in self.meetings],
            "works": [{"id": w.proposal.id, "title": w.proposal.title, "percent": w.percent,
                       "place": at(w.proposal.place_id), "url": url("proposals:detail", id=w.proposal.id)}
                      for w in self.works],
            "results": [{"id": r.vote.id, "title": r.vote.title, "passed": r.passed,
                         "turnout": turnout_json(r.voted, r.roll), "certified_at": r.vote.certified_at,
                         "place": at(r.vote.place_id), "url": url("votes:detail", id=r.vote.id)}
                        for r in self.results],
            "closings": [{"id": p.id, "title": p.title, "closed_at": p.closed_at,
                          "satisfaction": p.satisfaction or None, "place": at(p.place_id),
                          "url": url("proposals:detail", id=p.id)} for p in self.closings],
            "people": [{"name": r.name, "role": r.role, "role_label": r.role_label, "place": at(r.place_id)}
                       for r in self.people],
        }


def _marks(place: Place, rows: list[tuple[int, str, str]]) -> dict[int, str]:
    """Each place's name from below this place down to it; the names of the places above for those."""
    names = {ident: name for ident, _path, name in rows}
    mine = set(place.ancestor_ids)
    marks = {}
    for ident, path, name in rows:
        ids = [int(part) for part in path.strip("/").split("/") if part]
        if ident == place.id:
            marks[ident] = ""
        elif path.startswith(place.path):
            marks[ident] = " › ".join(names.get(i, "") for i in ids if i not in mine)
        else:
            marks[ident] = name
    return marks


def _works(session: Session, inside: list[int]) -> list[Work]:
    """The latest proposals in implementation, each with its latest progress report's percent (0 before one):
    one statement, the latest report picked by a window over the listed proposals' reports."""
    building = (col(Proposal.place_id).in_(inside), col(Proposal.stage) == Stage.IMPLEMENTATION.value)
    ranked = select(
        col(ProgressUpdate.proposal_id).label("proposal_id"), col(ProgressUpdate.percent).label("percent"),
        func.row_number().over(partition_by=col(ProgressUpdate.proposal_id),
                               order_by=(col(ProgressUpdate.created_at).desc(), col(ProgressUpdate.id).desc()))
        .label("n"),
    ).join(Proposal, col(Proposal.id) == ProgressUpdate.proposal_id).where(*building).subquery()
    rows = session.exec(
        select(Proposal, ranked.c.percent)
        .outerjoin(ranked, and_(ranked.c.proposal_id == Proposal.id, ranked.c.n == 1)).where(*building)
        .order_by(col(Proposal.stage_changed_at).desc(), col(Proposal.id).desc()).limit(LIMIT)).all()
    return [Work(proposal, int(percent or 0)) for proposal, percent in rows]


def _result(vote: Vote) -> Result:
    stored = json.loads(vote.result_json) if vote.result_json else {}
    passed = stored.get("passed")
    roll = vote.roll_heads if vote.roll_heads is not None else int(stored.get("electorate", {}).get("heads", 0))
    voted = vote.voted_heads if vote.voted_heads is not None else int(
        stored.get("participation", {}).get("heads", 0))
    return Result(vote, passed if isinstance(passed, bool) else None, voted, roll)


def place_home(session: Session, place: Place, now: datetime) -> PlaceHome:
    places = list(session.exec(
        select(Place.id, Place.path, Place.name)
        .where(or_(col(Place.path).startswith(place.path), col(Place.id).in_(place.ancestor_ids)))
    ).all())
    inside = [ident for ident, path, _name in places if path.startswith(place.path)]
    around = [ident for ident, _path, _name in places]
    in_place = col(Proposal.place_id).in_(inside)
    open_votes = session.exec(
        select(Vote).where(col(Vote.place_id).in_(inside), col(Vote.status) == VoteStatus.OPEN)
        .order_by(col(Vote.closes_at), col(Vote.id)).limit(LIMIT)).all()
    counted = dict(session.exec(
        select(Proposal.stage, func.count()).where(in_place, col(Proposal.stage) != Stage.DRAFT.value)
        .group_by(col(Proposal.stage))).all())
    labels = stage_labels()
    stages = [StageCount(s.value, labels[s], int(counted[s.value])) for s in Stage if counted.get(s.value)]
    meetings = session.exec(
        select(Meeting).where(col(Meeting.place_id).in_(inside), col(Meeting.ends_at) >= now,
                              col(Meeting.status) == MeetingStatus.SCHEDULED)
        .order_by(col(Meeting.starts_at), col(Meeting.id)).limit(LIMIT)).all()
    certified = session.exec(
        select(Vote).where(col(Vote.place_id).in_(inside), col(Vote.status) == VoteStatus.CERTIFIED)
        .order_by(col(Vote.certified_at).desc(), col(Vote.id).desc()).limit(LIMIT)).all()
    closings = session.exec(
        select(Proposal).where(in_place, col(Proposal.stage) == Stage.CLOSED.value)
        .order_by(col(Proposal.closed_at).desc(), col(Proposal.id).desc()).limit(LIMIT)).all()
    grants = session.exec(
        select(User.display_name, RoleGrant.role, RoleGrant.place_id, Place.path)
        .join(User, col(User.id) == RoleGrant.user_id).join(Place, col(Place.id) == RoleGrant.place_id)
        .where(col(RoleGrant.place_id).in_(around), col(RoleGrant.role).in_(PUBLIC_ROLES))
        .order_by(func.length(Place.path), col(Place.path), col(RoleGrant.role), col(User.display_name),
                  col(RoleGrant.id))
        .limit(PEOPLE_LIMIT)).all()
    return PlaceHome(
        place=place, where=_marks(place, places), open_votes=list(open_votes), stages=stages,
        meetings=list(meetings), works=_works(session, inside),
        results=[_result(v) for v in certified], closings=list(closings),
        people=[Responsible(name, role, role_label(role), place_id) for name, role, place_id, _path in grants],
    )

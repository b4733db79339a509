"""What a thread is about: a proposal, one of its plans, or a vote, found by (kind, id)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from deliberate.places.models import Place
from deliberate.proposals.models import Plan, PlanVersion, Proposal
from deliberate.proposals.rules import Stage
from deliberate.voting.models import Vote, VoteStatus

KINDS = ("proposal", "plan", "vote")


@dataclass(frozen=True)
class Subject:
    kind: str
    id: int
    place: Place
    title: str
    url: str  # the page that shows the thread
    proposal_id: int | None  # whose followers hear of new comments
    open: bool  # False: the thread can be read but takes no new comments


def find(session: Session, kind: str, subject_id: int) -> Subject | None:
    """The subject, if it exists and its thread is public (not a draft proposal or vote)."""
    if kind == "proposal":
        return _proposal(session, session.get(Proposal, subject_id))
    if kind == "plan":
        return _plan(session, session.get(Plan, subject_id))
    if kind == "vote":
        return _vote(session, session.get(Vote, subject_id))
    return None


_CLOSED_STAGES = {Stage.CLOSED, Stage.REJECTED, Stage.WITHDRAWN, Stage.MERGED}


def _proposal(session: Session, proposal: Proposal | None) -> Subject | None:
    if proposal is None or proposal.stage == Stage.DRAFT:
        return None
    place = session.get(Place, proposal.place_id)
    assert place is not None and proposal.id is not None
    return Subject("proposal", proposal.id, place, proposal.title, f"/proposals/{proposal.id}", proposal.id,
                   open=proposal.stage not in _CLOSED_STAGES)


def _plan(session: Session, plan: Plan | None) -> Subject | None:
    if plan is None:
        return None
    proposal = _proposal(session, session.get(Proposal, plan.proposal_id))
    version = session.exec(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.number == plan.version)
    ).first() if proposal else None
    if proposal is None or version is None:
        return None
    assert plan.id is not None
    return Subject("plan", plan.id, proposal.place, version.title, f"/proposals/{proposal.id}/plans/{plan.id}",
                   proposal.id, open=proposal.open)


def _vote(session: Session, vote: Vote | None) -> Subject | None:
    if vote is None or vote.status == VoteStatus.DRAFT:
        return None
    place = session.get(Place, vote.place_id)
    assert place is not None and vote.id is not None
    proposal_id = vote.subject_id if vote.subject_kind == "proposal" else None
    return Subject("vote", vote.id, place, vote.title, f"/votes/{vote.id}", proposal_id,
                   open=vote.status != VoteStatus.CERTIFIED)

"""What a thread is about: a proposal, one of its plans, or a vote, found by (kind, id).

One matter has one conversation: a plan's page and the page of the vote on a proposal's plans show the
proposal's thread, and what is written there is labelled with the plan or the vote (`Subject.about`). A vote
on no proposal has a thread of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session, select

from deliberate.places.models import Place
from deliberate.proposals.models import Plan, PlanVersion, Proposal
from deliberate.proposals.rules import Stage
from deliberate.voting.models import Vote, VoteStatus

T = TypeVar("T")
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
    thread: tuple[str, int] = ("", 0)  # where its comments are: (kind, id) of the proposal's thread, or its own

    @property
    def where(self) -> tuple[str, int]:
        return self.thread if self.thread[0] else (self.kind, self.id)

    @property
    def about(self) -> tuple[str, int | None]:
        """The label of a comment written from this page: the plan or vote, in its proposal's thread."""
        return ("", None) if self.where == (self.kind, self.id) else (self.kind, self.id)


def find(session: Session, kind: str, subject_id: int, *, shared: bool = False) -> Subject | None:
    """The subject, if it exists and its thread is public (not a draft proposal or vote). `shared`: its thread's
    row (the proposal's, for a plan or the vote on its plans) held FOR SHARE for the transaction, so that it
    cannot close while a comment is being written, and is read as it is now."""
    if kind == "proposal":
        return _proposal(session, _row(session, Proposal, subject_id, shared))
    if kind == "plan":
        return _plan(session, session.get(Plan, subject_id), shared)
    if kind == "vote":
        return _vote(session, session.get(Vote, subject_id), shared)
    return None


def _row(session: Session, model: type[T], ident: int, shared: bool) -> T | None:
    if shared:
        return session.get(model, ident, populate_existing=True, with_for_update={"read": True})
    return session.get(model, ident)


_CLOSED_STAGES = {Stage.CLOSED, Stage.REJECTED, Stage.WITHDRAWN, Stage.MERGED}


def _proposal(session: Session, proposal: Proposal | None) -> Subject | None:
    if proposal is None or proposal.stage == Stage.DRAFT:
        return None
    place = session.get(Place, proposal.place_id)
    assert place is not None and proposal.id is not None
    return Subject("proposal", proposal.id, place, proposal.title, f"/proposals/{proposal.id}", proposal.id,
                   open=proposal.stage not in _CLOSED_STAGES)


def _plan(session: Session, plan: Plan | None, shared: bool = False) -> Subject | None:
    if plan is None:
        return None
    proposal = _proposal(session, _row(session, Proposal, plan.proposal_id, shared))
    version = session.exec(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.number == plan.version)
    ).first() if proposal else None
    if proposal is None or version is None:
        return None
    assert plan.id is not None
    return Subject("plan", plan.id, proposal.place, version.title, f"/proposals/{proposal.id}/plans/{plan.id}",
                   proposal.id, open=proposal.open, thread=("proposal", proposal.id))


def _vote(session: Session, vote: Vote | None, shared: bool = False) -> Subject | None:
    if vote is None or vote.status == VoteStatus.DRAFT:
        return None
    place = session.get(Place, vote.place_id)
    assert place is not None and vote.id is not None
    if vote.subject_kind == "proposal" and vote.subject_id is not None:
        proposal = _proposal(session, _row(session, Proposal, vote.subject_id, shared))
        if proposal is not None:  # the proposal's conversation, open as long as the proposal is
            return Subject("vote", vote.id, place, vote.title, f"/votes/{vote.id}", proposal.id,
                           open=proposal.open, thread=("proposal", proposal.id))
    if shared:
        vote = _row(session, Vote, vote.id, shared)
        assert vote is not None
    return Subject("vote", vote.id, place, vote.title, f"/votes/{vote.id}", None,
                   open=vote.status != VoteStatus.CERTIFIED)

"""Loading a proposal (or its plan, milestone or photo) and proving in the same call that this person may act on
it; and who a person is to a proposal (author, resident, staff, …): the state machine's actors.

One condition per line, so that the tests prove each branch. A draft is known only to its author (the form
promises "只有您自己能看到"); to anyone else it does not exist. A `need` is a policy act on the proposal's place
(`deliberate.policy`), or a move of the state machine that this person must be entitled to make now.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from deliberate.accounts.people import Person
from deliberate.db import get_or_refuse, parse_id
from deliberate.places.models import Place
from deliberate.policy import Act, may
from deliberate.proposals.models import Milestone, Photo, Plan, Proposal
from deliberate.proposals.rules import WHO, Actor, IllegalTransition, Stage, allowed_actions, next_stage
from deliberate.proposals.rules import Action as Move
from deliberate.refusal import Forbidden, NotFound

Need = Act | Move | None


def access_proposal(session: Session, person: Person | None, ident: Any, need: Need = None, *,
                    for_update: bool = False) -> tuple[Proposal, Place]:
    """The proposal and its place, if this person may `need` (None: look at it); else 404, 403 or 409."""
    proposal = load(session, ident, for_update=for_update)
    place = session.get(Place, proposal.place_id)
    assert place is not None
    if not visible(person, proposal):
        raise NotFound()
    if isinstance(need, Act) and not may(person, need, place):
        raise Forbidden()
    if isinstance(need, Move):
        _entitled(person, proposal, place, need)
    return proposal, place


def load(session: Session, ident: Any, *, for_update: bool = False) -> Proposal:
    """The proposal with this id; with `for_update` its row is locked for the rest of the transaction and read
    afresh (SELECT … FOR UPDATE), so that two requests cannot both act on the stage they read."""
    key = parse_id(ident)
    if key is None:
        raise NotFound()
    statement = select(Proposal).where(col(Proposal.id) == key)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    proposal = session.exec(statement).first()
    if proposal is None:
        raise NotFound()
    return proposal


def visible(person: Person | None, proposal: Proposal) -> bool:
    if proposal.stage != Stage.DRAFT:
        return True
    return person is not None and person.user_id == proposal.author_id


def _entitled(person: Person | None, proposal: Proposal, place: Place, move: Move) -> None:
    if person is None:
        raise Forbidden()  # a stranger is asked to log in first
    resolve(actors_for(person, proposal, place), Stage(proposal.stage), move)


def check_move(person: Person | None, proposal: Proposal, place: Place, move: Move, *, reason: str = "",
               findings: str = "") -> None:
    """Refuse (403 or 409, with the reason) unless this person may make the move now, with this text."""
    if person is None:
        raise Forbidden()
    resolve(actors_for(person, proposal, place), Stage(proposal.stage), move, reason=reason, findings=findings)


def access_photo(session: Session, person: Person | None, ident: Any, need: None = None, *,
                 for_update: bool = False) -> Photo:
    """A photo, wherever its proposal may be seen."""
    photo = get_or_refuse(session, Photo, ident)
    proposal = session.get(Proposal, photo.proposal_id)
    assert proposal is not None
    if not visible(person, proposal):
        raise NotFound()
    return photo


def access_plan(session: Session, proposal: Proposal, ident: Any) -> Plan:
    """A plan of this proposal (the proposal already accessed); 404 for another proposal's."""
    plan = get_or_refuse(session, Plan, ident)
    if plan.proposal_id != proposal.id:
        raise NotFound()
    return plan


def access_milestone(session: Session, proposal: Proposal, ident: Any) -> Milestone:
    milestone = get_or_refuse(session, Milestone, ident)
    if milestone.proposal_id != proposal.id:
        raise NotFound()
    return milestone


def access_chosen_plan(session: Session, ident: str | None, message: str) -> Plan | None:
    """The plan a decision names (None: none of them); which of them may be approved is the action's to say."""
    return None if ident is None else get_or_refuse(session, Plan, ident, message)


def access_target(session: Session, ident: Any, message: str) -> Proposal:
    """The proposal another is merged into; whether it may be is the action's to say."""
    return get_or_refuse(session, Proposal, ident, message)


# Actors ----------------------------------------------------------------------------------------


def actors_for(person: Person | None, proposal: Proposal, place: Place) -> list[Actor]:
    """Every capacity this person holds for this proposal, most specific first."""
    if person is None:
        return [Actor.OTHER]
    actors: list[Actor] = []
    if person.user_id == proposal.author_id:
        actors.append(Actor.AUTHOR)
    elif may(person, Act.ACT_AS_RESIDENT, place):
        actors.append(Actor.RESIDENT)
    if may(person, Act.ACT_AS_STAFF, place):
        actors.append(Actor.STAFF)
    if may(person, Act.ACT_AS_COUNCIL, place):
        actors.append(Actor.COUNCIL)
    if may(person, Act.SUPERVISE, place):
        actors.append(Actor.SUPERVISOR)
    if may(person, Act.REPRESENT_RESIDENTS, place):
        actors.append(Actor.REPRESENTATIVE)
    return actors or [Actor.OTHER]


def resolve(
    actors: list[Actor], stage: Stage, move: Move, *, findings: str = "", reason: str = ""
) -> tuple[Actor, Stage]:
    """The capacity in which the move is allowed and the stage it leads to, or the most telling refusal."""
    refusals: list[IllegalTransition] = []
    for actor in actors:
        try:
            return actor, next_stage(stage, move, actor, findings=findings, reason=reason)
        except IllegalTransition as refused:
            refusals.append(refused)
    entitled = [r for r in refusals if r.actor in WHO[move]]
    raise (entitled or refusals)[0]


def allowed_moves(actors: list[Actor], stage: Stage) -> list[Move]:
    found: set[Move] = set()
    for actor in actors:
        found.update(allowed_actions(stage, actor))
    return [move for move in Move if move in found]

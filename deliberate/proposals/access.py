"""Who a person is to a proposal (author, resident, staff, …): the state machine's actors."""

from __future__ import annotations

from deliberate.accounts.models import Role
from deliberate.accounts.people import Person
from deliberate.places.models import Place
from deliberate.policy import Act, may
from deliberate.proposals.models import Proposal
from deliberate.proposals.rules import WHO, Actor, IllegalTransition, Stage, allowed_actions, next_stage
from deliberate.proposals.rules import Action as Move


def actors_for(person: Person | None, proposal: Proposal, place: Place) -> list[Actor]:
    """Every capacity this person holds for this proposal, most specific first."""
    if person is None:
        return [Actor.OTHER]
    actors: list[Actor] = []
    if person.user_id == proposal.author_id:
        actors.append(Actor.AUTHOR)
    elif may(person, Act.ACT_AS_RESIDENT, place):
        actors.append(Actor.RESIDENT)
    if person.holds(Role.STAFF, place) or person.holds(Role.ADMIN, place):
        actors.append(Actor.STAFF)
    if may(person, Act.ACT_AS_COUNCIL, place):
        actors.append(Actor.COUNCIL)
    if may(person, Act.SUPERVISE, place):
        actors.append(Actor.SUPERVISOR)
    if any(g.role == Role.BUILDING_LEADER and g.place_path.startswith(place.path) for g in person.grants):
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

"""Owners told apart by more than their name: who shares a name with whom, and who is known to be one person.

An owner's `identity` (places.rules.owner_identity) is compared, never shown: pages say only whether an owner has
one and which owners share it (marked A, B, … within a name), so no digit and no hash leaves the server."""

from __future__ import annotations

from dataclasses import dataclass
from string import ascii_uppercase

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from deliberate.places.models import Household, Owner, Place


@dataclass(frozen=True)
class NamedOwner:
    owner: Owner
    household: Household
    building: Place
    mark: str  # "" without an identity; otherwise the same letter for the same identity within the name
    shared: bool  # the unit has other owners too: it counts once as a unit, whoever they are

    @property
    def label(self) -> str:
        return f"{self.building.name}{self.household.number}"


@dataclass(frozen=True)
class NameCollision:
    """Owners of one name in a place whose identities do not show them to be one person."""

    name: str
    owners: tuple[NamedOwner, ...]
    missing: int  # how many have no identity (then an owners' roll takes them for one person by their name)
    heads: int  # how many heads they count as on an owners' roll drawn now


def _in(statement, place: Place):  # type: ignore[no-untyped-def]
    """`statement` over the owners of the place (not the developer), joined to their households and buildings."""
    return (
        statement.join(Household, col(Household.id) == Owner.household_id)
        .join(Place, col(Place.id) == Household.building_id)
        .where(col(Place.path).startswith(place.path), col(Owner.is_developer).is_(False))
    )


def _owners_in(place: Place):  # type: ignore[no-untyped-def]
    return _in(select(Owner, Household, Place), place)


def person_of(owner: Owner, shared: bool) -> str:
    """The person an owners' roll counts this owner as (electorate.owner_voters counts the same way)."""
    if shared:
        return f"unit:{owner.household_id}"
    return f"id:{owner.identity}" if owner.identity else f"name:{owner.name}"


def collisions(session: Session, place: Place) -> list[NameCollision]:
    """Every name that two or more owners in the place share, unless all of them have one and the same identity;
    by name, each owner with their unit. Two queries for the names and their owners, one for co-owned units."""
    repeated = _in(select(Owner.name), place).group_by(col(Owner.name)).having(func.count() > 1)
    rows = session.exec(
        _owners_in(place).where(col(Owner.name).in_(repeated))
        .order_by(col(Owner.name), col(Place.path), col(Household.number), col(Owner.id))
    ).all()
    household_ids = list({household.id for _owner, household, _building in rows})
    owners_per_unit = dict(session.exec(
        select(Owner.household_id, func.count()).where(col(Owner.household_id).in_(household_ids))
        .group_by(col(Owner.household_id))
    ).all()) if household_ids else {}
    by_name: dict[str, list[tuple[Owner, Household, Place]]] = {}
    for owner, household, building in rows:
        by_name.setdefault(owner.name, []).append((owner, household, building))
    found = []
    for name, group in by_name.items():
        identities = {owner.identity for owner, _h, _b in group}
        if len(identities) == 1 and "" not in identities:
            continue  # all one person, as staff confirmed
        marks = {identity: ascii_uppercase[n % 26] for n, identity in enumerate(sorted(
            identities - {""}, key=lambda i: next(o.id for o, _h, _b in group if o.identity == i)))}
        named = tuple(NamedOwner(owner, household, building, marks.get(owner.identity, ""),
                                 owners_per_unit.get(household.id, 1) > 1) for owner, household, building in group)
        found.append(NameCollision(
            name=name, owners=named, missing=sum(1 for n in named if not n.owner.identity),
            heads=len({person_of(n.owner, n.shared) for n in named}),
        ))
    return found


def same_person_elsewhere(session: Session, owner: Owner, scope: Place) -> list[NamedOwner]:
    """The other owners in `scope` who share this owner's name or identity: the ones staff may confirm to be (or
    not to be) this person."""
    match = col(Owner.name) == owner.name
    if owner.identity:
        match = or_(match, col(Owner.identity) == owner.identity)
    rows = session.exec(
        _owners_in(scope).where(match, col(Owner.id) != owner.id)
        .order_by(col(Place.path), col(Household.number), col(Owner.id))
    ).all()
    return [NamedOwner(o, h, b, "A" if owner.identity and o.identity == owner.identity else "", False)
            for o, h, b in rows]

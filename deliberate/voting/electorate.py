"""Who may vote: the roll drawn from a place when a vote opens.

Owners are counted as the Supreme People's Court's interpretation on building-unit ownership
(建筑物区分所有权司法解释 第八、九条) says: each unit counts one person, but one buyer with several
units counts one, and all units the developer has not sold together count one. Co-owners of a unit
choose one of themselves to vote: the unit is one voter whichever of them casts its ballot.

"One buyer" is one owner identity (places.owners): owners who share an identity are one person whatever their
names, and owners of one name are told apart by their identities. An owner without one is known by name alone
(as every owner was before identities): staff see each such name shared by several owners before a roll is drawn
(`name_collisions`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sqlmodel import Session, col, select

from deliberate.accounts.models import Role, RoleGrant, User
from deliberate.places.models import Household, Member, Owner, Place
from deliberate.places.owners import NameCollision, collisions
from deliberate.places.rules import is_adult
from deliberate.voting.models import ElectorateKind


@dataclass(frozen=True)
class Unit:
    household_id: int
    label: str
    area_centi: int
    owners: tuple[str, ...]  # owner names
    developer: bool  # every owner of the unit is the developer
    identities: tuple[str, ...] = ()  # each owner's identity, in the order of `owners` ("" or absent: none)

    def people(self) -> list[tuple[str, str]]:
        """(the person an owner is, their name) for each owner: an identity if they have one, else the name."""
        return [(f"id:{identity}" if identity else f"name:{name}", name)
                for name, identity in itertools.zip_longest(self.owners, self.identities[:len(self.owners)],
                                                            fillvalue="")]


@dataclass(frozen=True)
class Voter:
    """One line of the roll before it is stored."""

    key: str
    label: str
    heads: int = 1
    area_centi: int = 0
    user_id: int | None = None
    household_ids: tuple[int, ...] = ()
    owner_name: str = ""


def owner_voters(units: list[Unit]) -> list[Voter]:
    """The court's counting: a sole owner of several units counts once (with all their area), the developer's
    unsold units count once together, co-owned units once each. A sole owner is one identity, or one name for
    owners without one."""
    sole: dict[str, list[Unit]] = {}
    developer: list[Unit] = []
    shared: list[Unit] = []
    for unit in units:
        if not unit.owners:
            continue
        people = dict(unit.people())
        if unit.developer:
            developer.append(unit)
        elif len(people) == 1:
            sole.setdefault(next(iter(people)), []).append(unit)
        else:
            shared.append(unit)
    voters = sorted((_sole_voter(person, held) for person, held in sole.items()),
                    key=lambda v: (v.owner_name, v.key))
    voters += [
        Voter(
            key=f"unit:{unit.household_id}",
            label=f"{'、'.join(sorted(set(unit.owners)))}（{unit.label}，共有）",
            area_centi=unit.area_centi,
            household_ids=(unit.household_id,),
        )
        for unit in shared
    ]
    if developer:
        voters.append(Voter(
            key="developer",
            label=f"{developer[0].owners[0]}（未售出 {len(developer)} 套）",
            area_centi=sum(u.area_centi for u in developer),
            household_ids=tuple(u.household_id for u in developer),
        ))
    return voters


def _sole_voter(person: str, held: list[Unit]) -> Voter:
    """Known by name: keyed by it, as before identities. Known by identity: keyed by the first of their units, so
    that the identity itself is never written on the roll."""
    name = held[0].owners[0]
    key = f"owner:{name}" if person.startswith("name:") else f"holder:{min(u.household_id for u in held)}"
    return Voter(key=key, label=f"{name}（{'、'.join(u.label for u in held)}）",
                 area_centi=sum(u.area_centi for u in held), household_ids=tuple(u.household_id for u in held),
                 owner_name=name)


def owner_keys(session: Session, owners: list[Owner]) -> set[str]:
    """The keys on an owners' roll under which these owners (of an account's verified homes) may vote: their units,
    their name where they have no identity, and the first unit of each identity they hold anywhere."""
    keys = {f"unit:{o.household_id}" for o in owners}
    keys |= {f"owner:{o.name}" for o in owners if not o.identity}
    identities = {o.identity for o in owners if o.identity}
    if identities:
        keys |= {f"holder:{household_id}" for household_id in session.exec(
            select(Owner.household_id).where(col(Owner.identity).in_(identities))
        ).all()}
    return keys


def name_collisions(session: Session, place: Place) -> list[NameCollision]:
    """The owners in the place whose names collide while their identities are missing or differ: what staff check
    before an owners' roll is drawn."""
    return collisions(session, place)


def _households(session: Session, place: Place) -> list[tuple[Household, Place]]:
    rows = session.exec(
        select(Household, Place).join(Place, col(Place.id) == Household.building_id)
        .where(Place.path.startswith(place.path))
        .order_by(col(Place.path), col(Household.number))
    ).all()
    return [(h, b) for h, b in rows]


def _label(building: Place, household: Household) -> str:
    return f"{building.name}{household.number}"


def draw(session: Session, place: Place, kind: str, *, year: int) -> list[Voter]:
    if kind == ElectorateKind.ADULTS:
        return _adults(session, place, year)
    if kind == ElectorateKind.HOUSEHOLDS:
        return [
            Voter(key=f"household:{h.id}", label=_label(b, h), household_ids=(h.id,))
            for h, b in _households(session, place)
        ]
    if kind == ElectorateKind.OWNERS:
        return owner_voters(_units(session, place))
    if kind == ElectorateKind.COUNCIL:
        return _role_holders(session, place, Role.COUNCIL, exact=True)
    if kind == ElectorateKind.REPRESENTATIVES:
        return _role_holders(session, place, Role.BUILDING_LEADER, exact=False)
    raise ValueError(f"unknown electorate {kind!r}")


def _adults(session: Session, place: Place, year: int) -> list[Voter]:
    voters = []
    households = _households(session, place)
    by_id = {h.id: (h, b) for h, b in households}
    members = session.exec(
        select(Member).where(Member.household_id.in_(list(by_id))).order_by(col(Member.id))  # type: ignore[attr-defined]
    ).all() if by_id else []
    for member in members:
        if not is_adult(member.birth_year, year):
            continue
        household, building = by_id[member.household_id]
        voters.append(Voter(
            key=f"member:{member.id}", label=f"{member.name}（{_label(building, household)}）",
            user_id=member.user_id, household_ids=(household.id,),
        ))
    return voters


def _units(session: Session, place: Place) -> list[Unit]:
    households = _households(session, place)
    by_id = {h.id: (h, b) for h, b in households}
    owners: dict[int, list[Owner]] = {}
    if by_id:
        for owner in session.exec(
            select(Owner).where(Owner.household_id.in_(list(by_id))).order_by(col(Owner.id))  # type: ignore[attr-defined]
        ).all():
            owners.setdefault(owner.household_id, []).append(owner)
    return [
        Unit(
            household_id=h.id,
            label=_label(b, h),
            area_centi=h.area_centi,
            owners=tuple(o.name for o in owners.get(h.id, [])),
            identities=tuple(o.identity for o in owners.get(h.id, [])),
            developer=bool(owners.get(h.id)) and all(o.is_developer for o in owners[h.id]),
        )
        for h, b in households
    ]


def _role_holders(session: Session, place: Place, role: str, *, exact: bool) -> list[Voter]:
    where = Place.id == place.id if exact else Place.path.startswith(place.path)
    rows = session.exec(
        select(User, Place).join(RoleGrant, col(RoleGrant.user_id) == User.id)
        .join(Place, col(Place.id) == RoleGrant.place_id)
        .where(col(RoleGrant.role) == role, where).order_by(col(Place.path), col(User.display_name))
    ).all()
    seen: set[int] = set()
    voters = []
    for user, at in rows:
        if user.id in seen:
            continue
        seen.add(user.id)
        voters.append(Voter(key=f"user:{user.id}", label=f"{user.display_name}（{at.name}）", user_id=user.id))
    return voters

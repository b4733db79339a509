"""The only writers of places and households, and the queries their pages need."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from deliberate.i18n import gettext as _
from deliberate.places.models import Household, Member, Owner, Place, PlaceKind
from deliberate.places.rules import new_owner_link
from deliberate.refusal import Refused


class PlaceError(ValueError):
    """A change to places that would break their shape (kept as a message for the user)."""


def do_create_place(
    session: Session, *, kind: str, name: str, parent: Place | None = None, address: str = "",
    description: str = "",
) -> Place:
    if kind not in PlaceKind.ALL:
        raise PlaceError(f"unknown kind {kind!r}")
    if (parent is None) != (kind == PlaceKind.COMMUNITY):
        raise PlaceError("a community has no parent; compounds and buildings have one")
    if parent is not None and PlaceKind.CHILD.get(parent.kind) != kind:
        raise PlaceError(f"a {parent.kind} cannot hold a {kind}")
    place = Place(kind=kind, name=name, parent_id=parent.id if parent else None, address=address,
                  description=description, path="/")
    session.add(place)
    session.flush()
    place.path = (parent.path if parent else "/") + f"{place.id}/"
    session.add(place)
    session.flush()
    return place


def do_update_place(session: Session, place: Place, *, name: str, address: str, description: str) -> Place:
    place.name = name
    place.address = address
    place.description = description
    session.add(place)
    session.flush()
    return place


def children(session: Session, place: Place) -> list[Place]:
    statement = select(Place).where(col(Place.parent_id) == place.id).order_by(col(Place.name), col(Place.id))
    return list(session.exec(statement).all())


def ancestors(session: Session, place: Place) -> list[Place]:
    ids = place.ancestor_ids[:-1]
    if not ids:
        return []
    found = {p.id: p for p in session.exec(select(Place).where(col(Place.id).in_(ids))).all()}
    return [found[i] for i in ids if i in found]


def buildings_within(session: Session, place: Place) -> list[Place]:
    if place.kind == PlaceKind.BUILDING:
        return [place]
    statement = select(Place).where(col(Place.kind) == PlaceKind.BUILDING, Place.path.startswith(place.path))
    return list(session.exec(statement.order_by(col(Place.path))).all())


@dataclass(frozen=True)
class PlaceCounts:
    compounds: int
    buildings: int
    households: int
    residents: int


def counts(session: Session, place: Place) -> PlaceCounts:
    """How many places, homes and people are within. The register is counted by the buildings' ids (its
    indexes), never by joining every household to its place to test the path: that read the whole district."""
    kinds = session.exec(select(Place.id, Place.kind).where(Place.path.startswith(place.path))).all()
    by_kind = Counter(kind for ident, kind in kinds if ident != place.id)
    buildings = [ident for ident, kind in kinds if kind == PlaceKind.BUILDING]
    households = residents = 0
    if buildings:
        households = session.exec(
            select(func.count()).select_from(Household).where(col(Household.building_id).in_(buildings))
        ).one()
        residents = session.exec(
            select(func.count()).select_from(Member).join(Household, col(Household.id) == Member.household_id)
            .where(col(Household.building_id).in_(buildings))
        ).one()
    return PlaceCounts(
        compounds=by_kind.get(PlaceKind.COMPOUND, 0),
        buildings=by_kind.get(PlaceKind.BUILDING, 0),
        households=households,
        residents=residents,
    )


def households_statement(place: Place):  # type: ignore[no-untyped-def]
    return (
        select(Household, Place)
        .join(Place, col(Place.id) == Household.building_id)
        .where(Place.path.startswith(place.path))
        .order_by(col(Place.name), col(Place.id), col(Household.number), col(Household.id))
    )


def find_household(session: Session, building: Place, number: str) -> Household | None:
    return session.exec(
        select(Household).where(col(Household.building_id) == building.id, Household.number == number)
    ).first()


def do_create_household(session: Session, *, building: Place, number: str, area_centi: int) -> Household:
    if building.kind != PlaceKind.BUILDING:
        raise PlaceError("households belong to buildings")
    household = Household(building_id=building.id, number=number, area_centi=area_centi)
    session.add(household)
    session.flush()
    return household


def do_update_household(session: Session, household: Household, *, number: str, area_centi: int) -> Household:
    household.number = number
    household.area_centi = area_centi
    session.add(household)
    session.flush()
    return household


def members_of(session: Session, household: Household) -> list[Member]:
    statement = select(Member).where(col(Member.household_id) == household.id).order_by(col(Member.id))
    return list(session.exec(statement).all())


def owners_of(session: Session, household: Household) -> list[Owner]:
    statement = select(Owner).where(col(Owner.household_id) == household.id).order_by(col(Owner.id))
    return list(session.exec(statement).all())


def do_add_member(session: Session, household: Household, *, name: str, birth_year: int) -> Member:
    member = Member(household_id=household.id, name=name, birth_year=birth_year)
    session.add(member)
    session.flush()
    return member


def do_add_owner(session: Session, household: Household, *, name: str, is_developer: bool = False,
                 identity: str = "") -> Owner:
    owner = Owner(household_id=household.id, name=name, is_developer=is_developer, identity=identity)
    session.add(owner)
    session.flush()
    return owner


def households_by_number(session: Session, building_ids: set[int]) -> dict[tuple[int, str], Household]:
    if not building_ids:
        return {}
    rows = session.exec(select(Household).where(Household.building_id.in_(building_ids))).all()  # type: ignore[attr-defined]
    return {(h.building_id, h.number): h for h in rows}


def people_by_household(
    session: Session, household_ids: list[int]
) -> tuple[dict[int, set[tuple[str, int]]], dict[int, dict[str, Owner]]]:
    """Members (name, birth year) and owners (by name) of many households, in two queries."""
    members: dict[int, set[tuple[str, int]]] = {}
    owners: dict[int, dict[str, Owner]] = {}
    for start in range(0, len(household_ids), 5000):
        chunk = household_ids[start:start + 5000]
        for household_id, name, year in session.exec(
            select(Member.household_id, Member.name, Member.birth_year).where(Member.household_id.in_(chunk))  # type: ignore[attr-defined]
        ).all():
            members.setdefault(household_id, set()).add((name, year))
        for owner in session.exec(select(Owner).where(Owner.household_id.in_(chunk))).all():  # type: ignore[attr-defined]
            owners.setdefault(owner.household_id, {}).setdefault(owner.name, owner)
    return members, owners


def do_set_owner_identity(session: Session, owner: Owner, identity: str) -> Owner:
    """Who this owner is beyond the name (rules.owner_identity): the same identity on several units is one buyer."""
    owner.identity = identity
    session.add(owner)
    session.flush()
    return owner


def do_link_owners(session: Session, owner: Owner, other: Owner, *, same: bool) -> None:
    """Staff confirm that two owners are one person (`same`: they then share an identity, the one either has or a
    new one) or two (each keeps or gets an identity of their own). Two identities already entered from different
    ID digits are not merged: the digits say they are two people; enter them again if one was mistyped."""
    if owner.id == other.id:
        raise Refused(_("请选择另一位业主。"), 422)
    if same:
        if owner.identity and other.identity and owner.identity != other.identity:
            raise Refused(_("两位业主已登记的身份不同（出生年份或身份证后四位不同），不能确认为同一人；"
                            "如有登记错误，请先重新登记其中一位的身份。"), 409)
        identity = owner.identity or other.identity or new_owner_link()
        owner.identity = other.identity = identity
    else:
        if owner.identity and owner.identity == other.identity:
            owner.identity = new_owner_link()  # staff now say they are two: this one takes a new identity
        owner.identity = owner.identity or new_owner_link()
        other.identity = other.identity or new_owner_link()
    session.add_all([owner, other])
    session.flush()


def do_remove_owner(session: Session, owner: Owner) -> None:
    session.delete(owner)
    session.flush()


def do_add_households(session: Session, households: list[Household]) -> None:
    """Many new households at once (a register import): one flush gives them all their ids."""
    for household in households:
        building = session.get(Place, household.building_id)
        if building is None or building.kind != PlaceKind.BUILDING:
            raise PlaceError("households belong to buildings")
    session.add_all(households)
    session.flush()


def do_add_people(session: Session, members: list[Member], owners: list[Owner]) -> None:
    session.add_all(members)
    session.add_all(owners)
    session.flush()

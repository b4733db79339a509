"""What the pages of places read, one page object per screen (fields are the template's names; `as_json` is
the page's `.json` twin). What a person may do here is the caller's to say (`can`): places know no roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from deliberate.db import Page, paginate
from deliberate.places import actions
from deliberate.places.models import Household, Member, Owner, Place, PlaceKind
from deliberate.places.owners import NameCollision, NamedOwner, collisions, same_person_elsewhere
from deliberate.places.rules import child_kind, kind_label

UrlFor = Callable[..., str]


def summary(place: Place, url: UrlFor) -> dict[str, Any]:
    return {"id": place.id, "kind": place.kind, "kind_label": kind_label(place.kind), "name": place.name,
            "url": url("places:detail", id=place.id)}


@dataclass(frozen=True)
class Home:
    communities: list[Place]
    my_places: list[Place]  # where the reader lives or holds a role

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        return {"communities": [summary(c, url) for c in self.communities]}


def home(session: Session, paths: set[str]) -> Home:
    communities = session.exec(select(Place).where(Place.kind == PlaceKind.COMMUNITY).order_by(col(Place.name)))
    mine = list(session.exec(select(Place).where(col(Place.path).in_(paths)).order_by(col(Place.path))).all()
                ) if paths else []
    return Home(list(communities), mine)


@dataclass(frozen=True)
class PlacePage:
    place: Place
    trail: list[Place]
    children: list[Place]
    counts: actions.PlaceCounts
    can: dict[str, bool]  # by policy act: what the reader may do here
    child_kind: str | None
    kind_label: Callable[[str], str] = kind_label

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        c = self.counts
        return {
            **summary(self.place, url), "address": self.place.address, "description": self.place.description,
            "ancestors": [summary(p, url) for p in self.trail], "children": [summary(p, url) for p in self.children],
            "counts": {"compounds": c.compounds, "buildings": c.buildings, "households": c.households,
                       "residents": c.residents},
        }


def place_page(session: Session, place: Place, can: dict[str, bool]) -> PlacePage:
    return PlacePage(place=place, trail=actions.ancestors(session, place), children=actions.children(session, place),
                     counts=actions.counts(session, place), can=can, child_kind=child_kind(place.kind))


@dataclass(frozen=True)
class PlaceForm:
    place: Place
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    creating: str | None = None  # the kind of place being added, or None when editing this one


@dataclass(frozen=True)
class Households:
    """The register of a place: private, for staff and the building's leader."""

    place: Place
    trail: list[Place]
    page: Page[Any]
    people: dict[int, int]  # members by household
    can_manage: bool


def households(session: Session, place: Place, *, number: int, size: int, can_manage: bool) -> Households:
    page = paginate(session, actions.households_statement(place), number=number, size=size)
    ids = [h.id for h, _building in page.items]
    counted = session.exec(
        select(Member.household_id, func.count()).where(col(Member.household_id).in_(ids))
        .group_by(col(Member.household_id))
    ).all() if ids else []
    return Households(place, actions.ancestors(session, place), page, dict(counted), can_manage)


@dataclass(frozen=True)
class HouseholdPage:
    household: Household
    place: Place  # its building
    trail: list[Place]
    members: list[Member]
    owners: list[Owner]
    can_manage: bool
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    # By owner id: the owners in the compound who share the name or the identity (staff confirm one person or two).
    elsewhere: dict[int, list[NamedOwner]] = field(default_factory=dict)


def household_page(session: Session, household: Household, building: Place, *, can_manage: bool,
                   values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> HouseholdPage:
    owners = actions.owners_of(session, household)
    scope = session.get(Place, building.parent_id) if building.parent_id is not None else None
    elsewhere = {o.id: same_person_elsewhere(session, o, scope or building) for o in owners
                 if not o.is_developer} if can_manage else {}
    return HouseholdPage(
        household=household, place=building, trail=actions.ancestors(session, building),
        members=actions.members_of(session, household), owners=owners,
        can_manage=can_manage, values={"number": household.number, "area": f"{household.area:.2f}", **(values or {})},
        errors=errors or {}, elsewhere=elsewhere,
    )


@dataclass(frozen=True)
class OwnerNames:
    """The owners of a place whose names collide while their identities are missing or differ: for staff, before
    an owners' roll is drawn."""

    place: Place
    trail: list[Place]
    collisions: list[NameCollision]


def owner_names(session: Session, place: Place) -> OwnerNames:
    return OwnerNames(place, actions.ancestors(session, place), collisions(session, place))

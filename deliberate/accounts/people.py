"""Who is asking: an account with the roles it holds on places and the buildings it is verified to live in."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from deliberate.accounts.models import ClaimStatus, ResidencyClaim, RoleGrant, User
from deliberate.places.models import Household, Place


@dataclass(frozen=True)
class Grant:
    role: str
    place_path: str


@dataclass(frozen=True)
class Person:
    user_id: int
    grants: tuple[Grant, ...] = ()
    home_paths: tuple[str, ...] = field(default=())  # paths of verified residents' buildings

    def holds(self, role: str, place: Place) -> bool:
        """The role granted on this place or on one that contains it."""
        return any(g.role == role and place.path.startswith(g.place_path) for g in self.grants)

    def holds_exactly(self, role: str, place: Place) -> bool:
        return any(g.role == role and g.place_path == place.path for g in self.grants)

    def holds_within(self, role: str, place: Place) -> bool:
        """The role granted on this place or on one inside it."""
        return any(g.role == role and g.place_path.startswith(place.path) for g in self.grants)

    def lives_in(self, place: Place) -> bool:
        return any(home.startswith(place.path) for home in self.home_paths)


def load_person(session: Session, user: User) -> Person:
    grants = session.exec(
        select(RoleGrant.role, Place.path).join(Place, col(Place.id) == RoleGrant.place_id)
        .where(RoleGrant.user_id == user.id)
    ).all()
    homes = session.exec(
        select(Place.path)
        .join(Household, col(Household.building_id) == Place.id)
        .join(ResidencyClaim, col(ResidencyClaim.household_id) == Household.id)
        .where(ResidencyClaim.user_id == user.id, ResidencyClaim.status == ClaimStatus.APPROVED)
    ).all()
    assert user.id is not None
    return Person(
        user_id=user.id,
        grants=tuple(Grant(role, path) for role, path in grants),
        home_paths=tuple(sorted(set(homes))),
    )

"""What the pages of accounts read: a person's own page, claiming a home, the claims queue, roles on a place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from deliberate.accounts.actions import role_label
from deliberate.accounts.models import ClaimStatus, ResidencyClaim, Role, RoleGrant, User
from deliberate.accounts.people import Person
from deliberate.accounts.rules import RegisterMatch, register_match, register_match_label
from deliberate.db import Page, paginate
from deliberate.places import actions as places
from deliberate.places.models import Household, Member, Place, PlaceKind

ClaimRow = tuple[ResidencyClaim, Household, Place]


def claims_of(session: Session, user: User) -> list[ClaimRow]:
    rows = session.exec(
        select(ResidencyClaim, Household, Place)
        .join(Household, col(Household.id) == ResidencyClaim.household_id)
        .join(Place, col(Place.id) == Household.building_id)
        .where(ResidencyClaim.user_id == user.id)
        .order_by(col(ResidencyClaim.created_at).desc(), col(ResidencyClaim.id).desc())
    ).all()
    return [(claim, household, building) for claim, household, building in rows]


def grants_on(session: Session, place: Place) -> list[tuple[RoleGrant, User]]:
    rows = session.exec(
        select(RoleGrant, User).join(User, col(User.id) == RoleGrant.user_id)
        .where(RoleGrant.place_id == place.id).order_by(col(RoleGrant.role), col(User.display_name))
    ).all()
    return [(grant, user) for grant, user in rows]


@dataclass(frozen=True)
class AccountPage:
    user: User
    claims: list[ClaimRow]
    roles: list[tuple[str, Place | None]]  # (the role's name, where)
    homes: list[ClaimRow]
    email_form: dict[str, Any]
    sends_mail: bool
    errors: dict[str, str] = field(default_factory=dict)


def account_page(session: Session, user: User, person: Person, *, sends_mail: bool,
                 email_form: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> AccountPage:
    claims = claims_of(session, user)
    paths = [g.place_path for g in person.grants]
    where = {p.path: p for p in session.exec(select(Place).where(col(Place.path).in_(paths))).all()} if paths else {}
    return AccountPage(
        user=user, claims=claims, roles=[(role_label(g.role), where.get(g.place_path)) for g in person.grants],
        homes=[row for row in claims if row[0].status == ClaimStatus.APPROVED], sends_mail=sends_mail,
        email_form=email_form or {"email": user.email or "", "notifications": user.email_notifications},
        errors=errors or {},
    )


@dataclass(frozen=True)
class ClaimPage:
    """Claiming a home: community → compound → building, then the household and who you are."""

    place: Place | None
    options: list[Place]
    households: list[Household]
    trail: list[Place]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def claim_page(session: Session, place: Place | None, *, values: dict[str, Any] | None = None,
               errors: dict[str, str] | None = None) -> ClaimPage:
    if place is None:
        options = list(session.exec(select(Place).where(Place.kind == PlaceKind.COMMUNITY)
                                    .order_by(col(Place.name))).all())
    else:
        options = places.children(session, place)
    households: list[Household] = []
    if place is not None and place.kind == PlaceKind.BUILDING:
        households = list(session.exec(select(Household).where(Household.building_id == place.id)
                                       .order_by(col(Household.number))).all())
    trail = [*places.ancestors(session, place), place] if place else []
    return ClaimPage(place, options, households, trail, values or {}, errors or {})


CLAIM_STATUSES = (ClaimStatus.PENDING, ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.REVOKED)


@dataclass(frozen=True)
class ClaimsQueue:
    """Claims on households of a place, for its staff, each beside the people the register names there and what
    the register says of it (`matches`: rules.RegisterMatch by claim id)."""

    place: Place
    trail: list[Place]
    status: str
    page: Page[Any]
    members: dict[int, list[tuple[str, int]]]
    matches: dict[int, str] = field(default_factory=dict)
    deciders: dict[int, str] = field(default_factory=dict)  # who decided each claim decided, by claim id
    errors: dict[int, str] = field(default_factory=dict)  # a refused decision's problem, by claim id
    kept: dict[int, str] = field(default_factory=dict)  # the reason typed with it
    match_label: Any = register_match_label
    mismatches: tuple[str, ...] = RegisterMatch.MISMATCHES


def claims_queue(session: Session, place: Place, status: str, *, number: int, size: int, only: int | None = None,
                 errors: dict[int, str] | None = None, kept: dict[int, str] | None = None) -> ClaimsQueue:
    """`only`: one claim alone (its decision refused, shown again with the problem and what was typed)."""
    statement = (
        select(ResidencyClaim, Household, Place, User)
        .join(Household, col(Household.id) == ResidencyClaim.household_id)
        .join(Place, col(Place.id) == Household.building_id)
        .join(User, col(User.id) == ResidencyClaim.user_id)
        .where(col(Place.path).startswith(place.path), ResidencyClaim.status == status)
        .order_by(col(ResidencyClaim.created_at), col(ResidencyClaim.id))
    )
    if only is not None:
        statement = statement.where(col(ResidencyClaim.id) == only)
    page = paginate(session, statement, number=number, size=size)
    people: dict[int, list[tuple[str, int, int | None]]] = {}
    ids = [household.id for _claim, household, _building, _user in page.items]
    for household_id, name, year, user_id in session.exec(
        select(Member.household_id, Member.name, Member.birth_year, Member.user_id)
        .where(col(Member.household_id).in_(ids)).order_by(col(Member.id))
    ).all() if ids else []:
        people.setdefault(household_id, []).append((name, year, user_id))
    claims = [claim for claim, _household, _building, _user in page.items]
    matches = {c.id: c.register_match if c.status != ClaimStatus.PENDING and c.register_match
               else register_match(c.name, c.birth_year, people.get(c.household_id, [])) for c in claims}
    decider_ids = {c.decided_by_id for c in claims if c.decided_by_id is not None}
    deciders = dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(decider_ids))).all()
                    ) if decider_ids else {}
    return ClaimsQueue(
        place, places.ancestors(session, place), status, page,
        {h: [(name, year) for name, year, _user in rows] for h, rows in people.items()}, matches,
        {c.id: deciders[c.decided_by_id] for c in claims if c.decided_by_id in deciders}, errors or {}, kept or {},
    )


@dataclass(frozen=True)
class RolesPage:
    place: Place
    trail: list[Place]
    grants: list[tuple[RoleGrant, User]]
    role_choices: list[tuple[str, str]]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    role_label: Any = role_label


def roles_page(session: Session, place: Place, *, values: dict[str, str] | None = None,
               errors: dict[str, str] | None = None) -> RolesPage:
    choices = [(r, role_label(r)) for r in Role.ALL if r != Role.BUILDING_LEADER or place.kind == PlaceKind.BUILDING]
    return RolesPage(place, places.ancestors(session, place), grants_on(session, place), choices, values or {},
                     errors or {})

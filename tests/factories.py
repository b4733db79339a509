"""Test data made through the real actions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from deliberate.accounts import actions as accounts
from deliberate.accounts.models import User
from deliberate.db import Database
from deliberate.models import metadata
from deliberate.places import actions as places
from deliberate.places.models import Household, Place

PASSWORD = "password123"


@dataclass
class Town:
    """One community with two compounds of two buildings, each with two households."""

    community: Place
    compounds: list[Place]
    buildings: list[Place]
    households: list[Household]

    def building(self, index: int) -> Place:
        return self.buildings[index]


def make_town(session: Session, name: str = "幸福里社区") -> Town:
    community = places.do_create_place(session, kind="community", name=name)
    compounds, buildings, households = [], [], []
    for c in range(2):
        compound = places.do_create_place(session, kind="compound", name=f"{name}{c + 1}区", parent=community)
        compounds.append(compound)
        for b in range(2):
            building = places.do_create_place(session, kind="building", name=f"{b + 1}号楼", parent=compound)
            buildings.append(building)
            for h in range(2):
                household = places.do_create_household(
                    session, building=building, number=f"1单元{h + 1}01", area_centi=8950 + h * 1000
                )
                places.do_add_member(session, household, name=f"住户{len(households)}", birth_year=1960)
                households.append(household)
    session.commit()
    return Town(community, compounds, buildings, households)


def make_user(session: Session, username: str, *, name: str | None = None, password: str = PASSWORD) -> User:
    user = accounts.do_register(session, username=username, display_name=name or username, password=password)
    session.commit()
    return user


def make_resident(session: Session, username: str, household: Household, *, by: User | None = None) -> User:
    user = make_user(session, username)
    approver = by or make_user(session, username + "_staff")
    claim = accounts.do_claim(session, user=user, household=household, name=username, birth_year=1970, note="")
    accounts.do_approve_claim(session, claim, by=approver)
    session.commit()
    return user


def grant(session: Session, user: User, role: str, place: Place) -> None:
    accounts.do_grant_role(session, user=user, role=role, place=place, by=None)
    session.commit()


def empty_tables(database: Database) -> None:
    """Delete every row of every table, children first (TRUNCATE on PostgreSQL, which is faster)."""
    names = [table.name for table in reversed(metadata.sorted_tables)]
    with database.engine.begin() as connection:
        if database.settings.is_sqlite:
            for name in names:
                connection.execute(text(f'DELETE FROM "{name}"'))
        else:
            connection.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))


def reload(session: Session) -> None:
    """Ends the test's read transaction so that it sees what the app has written since."""
    session.rollback()
    session.expire_all()


def make_staff(session: Session, place: Place, username: str = "staff") -> User:
    """A community worker with the staff role on this place."""
    user = make_user(session, username)
    accounts.do_grant_role(session, user=user, role="staff", place=place, by=None)
    session.commit()
    return user

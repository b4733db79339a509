"""Test data made through the real actions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from deliberate.accounts import actions as accounts
from deliberate.accounts.models import Role, User
from deliberate.db import Database
from deliberate.models import metadata
from deliberate.places import actions as places
from deliberate.places.models import Household, Place
from deliberate.proposals import actions as proposals
from deliberate.proposals import rules

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
    accounts.do_approve_claim(session, claim, by=approver, mismatch_confirmed=True)
    session.commit()
    return user


def grant(session: Session, user: User, role: str, place: Place) -> None:
    accounts.do_grant_role(session, user=user, role=role, place=place, by=None)
    session.commit()


def empty_tables(database: Database) -> None:
    """Delete every row of every table, children first; on PostgreSQL restart the ids too, as TRUNCATE … RESTART
    IDENTITY would (TRUNCATE of the ~40 tables takes ~0.3 s after every test, these DELETEs a few ms)."""
    statements = [f'DELETE FROM "{table.name}"' for table in reversed(metadata.sorted_tables)]
    with database.engine.begin() as connection:
        if database.settings.is_sqlite:  # ids restart by themselves: no table is AUTOINCREMENT
            for statement in statements:
                connection.exec_driver_sql(statement)
        else:
            sequences = connection.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")).scalars()
            statements += [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
            connection.exec_driver_sql("; ".join(statements))  # one round trip


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


def make_proposal_cast(session: Session, *, extra_households: int = 1) -> tuple[Town, Place, dict[str, User]]:
    """Building 1 of a town with `extra_households` more homes, and everyone a proposal meets there: its author,
    two neighbours (the second in an extra home), a resident elsewhere, community staff, the building's council,
    its leader and a community supervisor. The building needs two co-signers."""
    town = make_town(session)
    building = town.building(0)
    extra = [places.do_create_household(session, building=building, number=f"2单元{n}01", area_centi=9000)
             for n in range(1, extra_households + 1)]
    for household in extra:
        places.do_add_member(session, household, name="邻居", birth_year=1980)
    session.commit()
    people = {
        "author": make_resident(session, "author", town.households[0]),
        "neighbour": make_resident(session, "neighbour", town.households[1]),
        "neighbour2": make_resident(session, "neighbour2", extra[0]),
        "outsider": make_resident(session, "outsider", town.households[6]),
        "staff": make_staff(session, town.community),
        "council": make_user(session, "council"),
        "leader": make_user(session, "leader"),
        "supervisor": make_user(session, "supervisor"),
    }
    grant(session, people["council"], Role.COUNCIL, building)
    grant(session, people["leader"], Role.BUILDING_LEADER, building)
    grant(session, people["supervisor"], Role.SUPERVISOR, town.community)
    proposals.do_set_rules(session, building, rules.PlaceRules(threshold=rules.Threshold("count", count=2)))
    session.commit()
    return town, building, people

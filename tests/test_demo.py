from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, create_engine, select

import deliberate.models  # noqa: F401  (registers every table)
from deliberate import demo
from deliberate.accounts import passwords
from deliberate.accounts.actions import authenticate, find_user
from deliberate.accounts.models import ClaimStatus, ResidencyClaim, Role, RoleGrant, User
from deliberate.clock import utcnow
from deliberate.db import SEALING_KEY
from deliberate.demo import DEMO_PASSWORD, DemoError, DemoSummary, load_demo
from deliberate.places.models import Household, Member, Owner, Place, PlaceKind
from deliberate.settings import Settings
from deliberate.voting import queries as vote_queries


@pytest.fixture(scope="module")
def real_hash() -> str:
    return passwords.hash_password(DEMO_PASSWORD)


@pytest.fixture(scope="module")
def hashed() -> list[str]:
    """Every password the demo hashed while it loaded, through `password_for` or argon2."""
    return []


@pytest.fixture(scope="module")
def loaded(real_hash: str, hashed: list[str]) -> Iterator[tuple[Session, DemoSummary]]:
    """The demo, loaded once; what it hashes is recorded in `hashed`."""

    def password_for(password: str) -> str:
        hashed.append(password)
        return real_hash

    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    sealing = {SEALING_KEY: Settings.from_env({}).sealing_key}
    with Session(engine, info=sealing) as session, pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "hash_password", lambda password: hashed.append(password) or "fake")
        summary = load_demo(session, password_for=password_for)
        session.commit()
        patch.undo()
        yield session, summary
    engine.dispose()


def places_of(session: Session, kind: str) -> list[Place]:
    return list(session.exec(select(Place).where(Place.kind == kind).order_by(Place.id)).all())


def grants(session: Session, role: str) -> list[tuple[RoleGrant, Place, User]]:
    rows = session.exec(
        select(RoleGrant, Place, User)
        .join(Place, Place.id == RoleGrant.place_id)
        .join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == role)
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_demo_builds_three_compounds_of_four_buildings_with_about_300_households(loaded) -> None:
    session, summary = loaded
    (community,) = places_of(session, PlaceKind.COMMUNITY)
    assert community.name == "幸福里社区" and "朝阳区" in community.address
    assert summary.community_id == community.id
    compounds = places_of(session, PlaceKind.COMPOUND)
    buildings = places_of(session, PlaceKind.BUILDING)
    assert [c.name for c in compounds] == ["和平里小区", "阳光花园", "铁路宿舍"]
    assert len(buildings) == 12
    assert all(b.parent_id in {c.id for c in compounds} for b in buildings)
    per_building = Counter(session.exec(select(Household.building_id)).all())
    assert set(per_building) == {b.id for b in buildings}
    households = sum(per_building.values())
    assert 280 <= households <= 320
    assert (summary.compounds, summary.buildings, summary.households) == (3, 12, households)
    assert summary.members == session.exec(select(func.count()).select_from(Member)).one()
    assert summary.owners == session.exec(select(func.count()).select_from(Owner)).one()


def test_demo_households_have_realistic_numbers_areas_and_members(loaded) -> None:
    session, _ = loaded
    households = session.exec(select(Household)).all()
    assert all("单元" in h.number for h in households)
    assert all(4500 <= h.area_centi <= 14000 for h in households)
    members = Counter(session.exec(select(Member.household_id)).all())
    developer_units = set(session.exec(select(Owner.household_id).where(Owner.is_developer)).all())
    for household in households:
        if household.id in developer_units:
            assert members[household.id] == 0
        else:
            assert 1 <= members[household.id] <= 5
    years = session.exec(select(Member.birth_year)).all()
    assert min(years) >= 1938 and max(years) <= 2020
    this_year = utcnow().year
    assert sum(1 for y in years if this_year - y < 18) >= 10
    assert sum(1 for y in years if this_year - y >= 70) >= 50


def test_demo_has_developer_units_and_a_buyer_of_two_units(loaded) -> None:
    session, _ = loaded
    developer = session.exec(
        select(Owner, Place).join(Household, Household.id == Owner.household_id)
        .join(Place, Place.id == Household.building_id).where(Owner.is_developer)
    ).all()
    assert developer
    assert {owner.name for owner, _ in developer} == {"阳光置业有限公司"}
    assert {session.get(Place, building.parent_id).name for _, building in developer} == {"阳光花园"}
    units = Counter(session.exec(select(Owner.name).where(Owner.is_developer.is_(False))).all())  # type: ignore[attr-defined]
    assert [name for name, n in units.items() if n > 1]
    rented = session.exec(
        select(Owner.household_id).where(
            Owner.is_developer.is_(False),  # type: ignore[attr-defined]
            ~select(Member.id).where(Member.household_id == Owner.household_id, Member.name == Owner.name).exists(),
        )
    ).all()
    assert len(set(rented)) >= 10


def test_demo_grants_every_role_on_its_place(loaded) -> None:
    session, _ = loaded
    (community,) = places_of(session, PlaceKind.COMMUNITY)
    assert {(p.id, u.username) for _, p, u in grants(session, Role.ADMIN)} == {(community.id, "admin")}
    assert {(p.id, u.username) for _, p, u in grants(session, Role.STAFF)} == {
        (community.id, "staff"), (community.id, "staff2")
    }
    staff = find_user(session, "staff")
    assert staff is not None and staff.display_name == "王芳"
    leaders = Counter(p.id for _, p, _ in grants(session, Role.BUILDING_LEADER))
    assert set(leaders) == {b.id for b in places_of(session, PlaceKind.BUILDING)}
    councils = Counter(p.id for _, p, _ in grants(session, Role.COUNCIL))
    assert councils[community.id] == 5
    assert all(councils[c.id] == 3 for c in places_of(session, PlaceKind.COMPOUND))
    assert any(councils[b.id] == 3 for b in places_of(session, PlaceKind.BUILDING))
    ((_, place, _),) = grants(session, Role.SUPERVISOR)
    assert place.name == "和平里小区"


def test_demo_role_holders_are_verified_residents_of_their_place(loaded) -> None:
    session, _ = loaded
    for role in (Role.COUNCIL, Role.BUILDING_LEADER, Role.SUPERVISOR):
        for _, place, user in grants(session, role):
            homes = session.exec(
                select(Place).join(Household, Household.building_id == Place.id)
                .join(Member, Member.household_id == Household.id).where(Member.user_id == user.id)
            ).all()
            assert len(homes) == 1 and place.contains(homes[0]), (role, user.username)


def test_demo_resident_is_verified_and_newcomer_waits_for_staff(loaded) -> None:
    session, _ = loaded
    resident = find_user(session, "resident")
    assert resident is not None and resident.display_name == "张秀英"
    (claim,) = session.exec(select(ResidencyClaim).where(ResidencyClaim.user_id == resident.id)).all()
    assert claim.status == ClaimStatus.APPROVED
    member = session.get(Member, claim.member_id)
    assert member is not None and member.user_id == resident.id and member.name == "张秀英"
    building = session.get(Place, session.get(Household, member.household_id).building_id)
    assert building.name == "1号楼" and session.get(Place, building.parent_id).name == "和平里小区"
    newcomer = find_user(session, "newcomer")
    assert newcomer is not None
    (pending,) = session.exec(select(ResidencyClaim).where(ResidencyClaim.user_id == newcomer.id)).all()
    assert pending.status == ClaimStatus.PENDING
    # Every other resident account was approved against a person already on the register.
    approved = session.exec(select(ResidencyClaim).where(ResidencyClaim.status == ClaimStatus.APPROVED)).all()
    linked = session.exec(select(func.count()).select_from(Member).where(Member.user_id.is_not(None))).one()
    assert len(approved) == linked >= 30


def test_demo_logins_list_every_account_and_work_with_the_demo_password(loaded) -> None:
    session, summary = loaded
    usernames = [u for u, _, _ in summary.logins]
    assert summary.users == len(usernames) <= 40
    assert sorted(usernames) == sorted(session.exec(select(User.username)).all())
    assert usernames[:3] == ["admin", "staff", "staff2"]
    assert all(name and what for _, name, what in summary.logins)
    assert authenticate(session, username="resident", password=DEMO_PASSWORD).user is not None


def test_demo_hashes_the_password_its_accounts_share_once(loaded, hashed: list[str], real_hash: str) -> None:
    session, summary = loaded
    assert summary.users > 30
    assert hashed == [DEMO_PASSWORD]
    assert set(session.exec(select(User.password_hash)).all()) == {real_hash}


def test_demo_loads_only_into_an_empty_database(loaded) -> None:
    session, _ = loaded
    with pytest.raises(DemoError):
        load_demo(session, password_for=lambda password: "fake")


def test_demo_plan_is_the_same_every_time() -> None:
    def plan() -> list[tuple[str, str, list[str], list[str]]]:
        rng = random.Random(demo.SEED)
        homes = demo._Planner(rng).homes()
        accounts = demo._plan_accounts(rng, homes)
        return [(h.number, str(h.area_centi), [p.name for p in h.members], h.owners) for h in homes] + [
            (a.username, a.person.name, [], []) for a in accounts
        ]

    assert plan() == plan()


def test_demo_has_votes_open_and_certified_that_pass_by_their_rules(loaded) -> None:
    from deliberate.voting.models import SecretBallot, Vote

    session, _summary = loaded
    votes = {v.title: v for v in session.exec(select(Vote)).all()}
    lift = votes["1号楼加装电梯方案"]
    assert lift.status == "open" and lift.electorate == "households"
    resident = session.exec(select(User).where(User.username == "resident")).one()
    entries = vote_queries.entries_for(session, lift, resident)
    assert len(entries) == 1 and not entries[0].has_voted  # left for whoever tries the demo
    parking = votes["小区东侧绿地改建为 30 个地面停车位"]
    assert parking.status == "certified" and parking.rule == "owners_major"
    result = vote_queries.result_of(session, parking)
    assert result.passed and result.quorum_met
    bricks = votes["宿舍区主巷道铺装方式"]
    assert bricks.status == "certified" and bricks.secret
    assert vote_queries.result_of(session, bricks).winner == "人字铺"
    assert session.exec(select(SecretBallot).where(SecretBallot.vote_id == bricks.id)).first() is not None

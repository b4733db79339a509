"""The whole matrix: every role granted on every level × every place × every act."""

from __future__ import annotations

import pytest

from deliberate.accounts.models import Role
from deliberate.accounts.people import Grant, Person
from deliberate.places.models import Place
from deliberate.policy import Act, may

PLACES = {
    "C": Place(id=1, kind="community", name="C", path="/1/"),
    "K1": Place(id=2, kind="compound", name="K1", path="/1/2/", parent_id=1),
    "B1": Place(id=3, kind="building", name="B1", path="/1/2/3/", parent_id=2),
    "K2": Place(id=4, kind="compound", name="K2", path="/1/4/", parent_id=1),
    "B2": Place(id=5, kind="building", name="B2", path="/1/4/5/", parent_id=4),
    # Another community entirely, whose ids differ by one digit: "/6/" must not match "/61/".
    "D": Place(id=6, kind="community", name="D", path="/6/"),
    "KD": Place(id=61, kind="compound", name="KD", path="/6/61/", parent_id=6),
    "BD": Place(id=62, kind="building", name="BD", path="/6/61/62/", parent_id=61),
}
ALL = set(PLACES)
C_TREE = {"C", "K1", "B1", "K2", "B2"}
STAFF_ACTS = (Act.ACT_AS_STAFF, Act.SEE_VOTERS, Act.VIEW_REGISTER, Act.EDIT_PLACE, Act.MANAGE_HOUSEHOLDS,
              Act.REVIEW_CLAIMS, Act.MANAGE_VOTES, Act.ENTER_PAPER_BALLOTS, Act.REVIEW_PROPOSALS, Act.MANAGE_WORKS,
              Act.TRACK_PROPOSALS, Act.MANAGE_MEETINGS, Act.SIGN_IN_ATTENDEES, Act.COMMENT, Act.MODERATE,
              Act.READ_AUDIT)


def staff_on(tree: set[str], *, admin: bool = False, community: bool = False) -> dict[Act, set[str]]:
    """Staff (or an admin) of the tree's top place; the rules (SET_RULES) are for the community's and admins."""
    allowed = {act: set(tree) for act in STAFF_ACTS}
    allowed[Act.ADD_CHILD_PLACE] = {p for p in tree if PLACES[p].kind != "building"}
    if admin:
        allowed[Act.MANAGE_ROLES] = set(tree)
    if admin or community:
        allowed[Act.SET_RULES] = set(tree)
    return allowed


def council_on(place: str) -> dict[Act, set[str]]:
    """A council acts, opens and certifies votes at its own level only."""
    return {Act.ACT_AS_COUNCIL: {place}, Act.MANAGE_VOTES: {place}, Act.CERTIFY_VOTES: {place},
            Act.REVIEW_PROPOSALS: {place}, Act.MANAGE_WORKS: {place}, Act.MANAGE_MEETINGS: {place},
            Act.SIGN_IN_ATTENDEES: {place}, Act.COMMENT: {place}}


# Who, and where each act is allowed; every act not listed is refused everywhere but VIEW_PLACE.
SCENARIOS: dict[str, tuple[Person | None, dict[Act, set[str]]]] = {
    "anonymous": (None, {}),
    "account without role or home": (Person(user_id=1), {}),
    "staff of community C": (Person(1, (Grant(Role.STAFF, "/1/"),)), staff_on(C_TREE, community=True)),
    "staff of compound K1": (Person(1, (Grant(Role.STAFF, "/1/2/"),)), staff_on({"K1", "B1"})),
    "staff of building B2": (Person(1, (Grant(Role.STAFF, "/1/4/5/"),)), staff_on({"B2"})),
    "admin of community C": (Person(1, (Grant(Role.ADMIN, "/1/"),)), staff_on(C_TREE, admin=True)),
    "admin of community D": (Person(1, (Grant(Role.ADMIN, "/6/"),)), staff_on({"D", "KD", "BD"}, admin=True)),
    "council of community C": (Person(1, (Grant(Role.COUNCIL, "/1/"),)), council_on("C")),
    "council of compound K1": (Person(1, (Grant(Role.COUNCIL, "/1/2/"),)), council_on("K1")),
    "council of building B1": (Person(1, (Grant(Role.COUNCIL, "/1/2/3/"),)), council_on("B1")),
    "building leader of B1": (
        Person(1, (Grant(Role.BUILDING_LEADER, "/1/2/3/"),)),
        # A building leader is a resident representative: accepts works of the building and above it.
        {Act.VIEW_REGISTER: {"B1"}, Act.LEAD_BUILDING: {"B1"}, Act.ACCEPT_WORKS: {"C", "K1", "B1"},
         Act.SIGN_IN_ATTENDEES: {"C", "K1", "B1"}, Act.REPRESENT_RESIDENTS: {"C", "K1", "B1"}},
    ),
    "supervisor of compound K1": (
        Person(1, (Grant(Role.SUPERVISOR, "/1/2/"),)),
        {Act.SUPERVISE: {"K1", "B1"}, Act.ACCEPT_WORKS: {"K1", "B1"}, Act.READ_AUDIT: {"K1", "B1"}},
    ),
    "resident of building B1": (
        Person(1, home_paths=("/1/2/3/",)),
        {Act.ACT_AS_RESIDENT: {"C", "K1", "B1"}, Act.COMMENT: {"C", "K1", "B1"}, Act.SEE_VOTERS: {"C", "K1", "B1"}},
    ),
    "resident of B1 and of BD": (
        Person(1, home_paths=("/1/2/3/", "/6/61/62/")),
        {Act.ACT_AS_RESIDENT: {"C", "K1", "B1", "D", "KD", "BD"}, Act.COMMENT: {"C", "K1", "B1", "D", "KD", "BD"},
         Act.SEE_VOTERS: {"C", "K1", "B1", "D", "KD", "BD"}},
    ),
    "council of K1 living in B2": (
        Person(1, (Grant(Role.COUNCIL, "/1/2/"),), home_paths=("/1/4/5/",)),
        {**council_on("K1"), Act.ACT_AS_RESIDENT: {"C", "K2", "B2"}, Act.COMMENT: {"K1", "C", "K2", "B2"},
         Act.SEE_VOTERS: {"C", "K2", "B2"}},
    ),
}

CASES = [
    (who, act, place)
    for who in SCENARIOS
    for act in Act
    for place in PLACES
]


def expected(who: str, act: Act, place: str) -> bool:
    person, allowed = SCENARIOS[who]
    if act is Act.VIEW_PLACE:
        return True
    if act is Act.CLAIM_HOUSEHOLD:
        return person is not None
    return place in allowed.get(act, set())


@pytest.mark.parametrize(("who", "act", "place"), CASES)
def test_policy_matrix(who: str, act: Act, place: str) -> None:
    person, _allowed = SCENARIOS[who]
    assert may(person, act, PLACES[place]) is expected(who, act, place)


def test_every_act_is_allowed_somewhere_and_refused_somewhere() -> None:
    for act in Act:
        outcomes = {expected(who, act, place) for who, a, place in CASES if a is act}
        if act is not Act.VIEW_PLACE:
            assert outcomes == {True, False}, act

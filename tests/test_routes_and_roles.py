"""Every route of the routing table, every method, as people of another community and as strangers.

LEVELS says, for each route and method, who may use it: anyone (`public`), anyone logged in (`account`),
or only people of the place it names (`local`, with the demo login that may, to prove the page works for
them). The test is built from the app's routes, so a route added without a line here fails at once. On the
demo community (幸福里社区), with ids of its proposals, votes, meetings, comments and households, the staff,
admin, council, resident, building leader and supervisor of a second community — and a plain account, and
an anonymous visitor — are refused every local route with 403 or 404 (a stranger is sent to log in), while
nobody is refused a public one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from client_helpers import CSRF, login
from factories import grant, make_resident, make_town, make_user
from sqlmodel import Session, col, select
from starlette.routing import Route
from starlette.testclient import TestClient

from deliberate.accounts.models import ClaimStatus, ResidencyClaim, Role, RoleGrant, User
from deliberate.demo import DEMO_PASSWORD, load_demo
from deliberate.discussion.models import Comment, CommentReport
from deliberate.meetings.models import Meeting, Minutes, MinutesStatus
from deliberate.models import metadata
from deliberate.places.models import Household, Member, Owner, Place
from deliberate.proposals import photos
from deliberate.proposals.models import Milestone, Plan, PlanStatus, Proposal
from deliberate.proposals.rules import Stage
from deliberate.voting.models import Vote, VoteStatus

PUBLIC, ACCOUNT = "public", "account"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def local(login_name: str) -> str:
    """Only people of the place; `login_name` (a demo login, or "author" of the object) may, and gets a page."""
    return f"local:{login_name}"


G, P = "GET", "POST"
LEVELS: dict[tuple[str, str], str] = {
    ("home", G): PUBLIC, ("home.json", G): PUBLIC,
    ("favicon", G): PUBLIC,
    ("accounts:register", G): PUBLIC, ("accounts:register", P): PUBLIC,
    ("accounts:login", G): PUBLIC, ("accounts:login", P): PUBLIC,
    ("accounts:logout", P): PUBLIC,
    ("accounts:home", G): ACCOUNT, ("accounts:email", P): ACCOUNT,
    ("accounts:password", G): ACCOUNT, ("accounts:password", P): ACCOUNT,
    ("accounts:language", G): PUBLIC, ("accounts:language", P): PUBLIC,
    ("accounts:claim", G): ACCOUNT, ("accounts:claim", P): ACCOUNT,
    ("staff:claims", G): local("staff"), ("staff:decide_claim", P): local("staff"),
    ("staff:roles", G): local("admin"), ("staff:roles", P): local("admin"), ("staff:revoke_role", P): local("admin"),
    ("places:detail", G): PUBLIC, ("places:detail.json", G): PUBLIC,
    ("places:edit", G): local("staff"), ("places:edit", P): local("staff"),
    ("places:add_child", G): local("staff"), ("places:add_child", P): local("staff"),
    ("places:households", G): local("staff"),
    ("places:household_new", G): local("staff"), ("places:household_new", P): local("staff"),
    ("places:import", G): local("staff"), ("places:import", P): local("staff"),
    ("places:household", G): local("leader_hp1"), ("places:household", P): local("staff"),
    ("places:add_member", P): local("staff"), ("places:remove_member", P): local("staff"),
    ("places:add_owner", P): local("staff"), ("places:remove_owner", P): local("staff"),
    ("places:owner_identity", P): local("staff"), ("places:link_owner", P): local("staff"),
    ("places:owner_names", G): local("staff"),
    ("places:settings", G): PUBLIC, ("places:settings.json", G): PUBLIC, ("places:save_setting", P): local("staff"),
    ("votes:place_votes", G): PUBLIC, ("votes:place_votes.json", G): PUBLIC,
    ("votes:new", G): local("hp1_council1"), ("votes:new", P): local("hp1_council1"),
    ("votes:detail", G): PUBLIC, ("votes:detail.json", G): PUBLIC,
    ("votes:open", P): local("hp1_council1"), ("votes:cast", P): local("resident"),
    ("votes:paper", G): local("staff"), ("votes:paper", P): local("staff"),
    ("votes:close", P): local("hp1_council1"), ("votes:certify", P): local("hp1_council1"),
    ("votes:notice", G): PUBLIC, ("votes:ballots", G): PUBLIC,
    ("votes:withdraw", G): local("staff"), ("votes:withdraw", P): local("staff"),
    ("votes:paper_list", G): local("staff"), ("votes:paper_correct", P): local("staff"),
    ("proposals:place_proposals", G): PUBLIC, ("proposals:place_proposals.json", G): PUBLIC,
    ("proposals:new", G): local("resident"), ("proposals:new", P): local("resident"),
    ("proposals:detail", G): PUBLIC, ("proposals:detail.json", G): PUBLIC,
    ("proposals:edit", G): local("author"), ("proposals:edit", P): local("author"),
    ("proposals:submit", P): local("author"), ("proposals:withdraw", P): local("author"),
    ("proposals:resubmit", P): local("author"),
    ("proposals:cosign", P): local("resident"), ("proposals:follow", P): ACCOUNT,
    ("proposals:review", P): local("staff"), ("proposals:merge", P): local("staff"),
    ("proposals:new_plan", G): local("staff"), ("proposals:new_plan", P): local("staff"),
    ("proposals:edit_plan", G): local("staff"), ("proposals:edit_plan", P): local("staff"),
    ("proposals:plan", G): PUBLIC, ("proposals:plan.json", G): PUBLIC,
    ("proposals:publish", P): local("staff"), ("proposals:end_disclosure", P): local("staff"),
    ("proposals:decide", P): local("staff"),
    ("proposals:vote", G): local("staff"), ("proposals:vote", P): local("staff"),
    ("proposals:add_milestone", P): local("staff"), ("proposals:complete_milestone", P): local("staff"),
    ("proposals:progress", P): local("staff"), ("proposals:cost", P): local("staff"),
    ("proposals:start", P): local("staff"), ("proposals:complete", P): local("staff"),
    ("proposals:inspect", P): local("supervisor"), ("proposals:acceptance", P): local("leader_yg1"),
    ("proposals:rate", P): local("resident"), ("proposals:close", P): local("staff"),
    ("proposals:photo", G): PUBLIC, ("proposals:notice", G): PUBLIC,
    ("tracking:page", G): local("staff"), ("tracking:csv", G): local("staff"),
    ("discussion:thread", G): PUBLIC, ("discussion:post", P): local("resident"),
    ("discussion:edit", G): local("author"), ("discussion:edit", P): local("author"),
    ("discussion:delete", P): local("author"), ("discussion:helpful", P): local("resident"),
    ("discussion:report", G): ACCOUNT, ("discussion:report", P): ACCOUNT,
    ("discussion:hide", P): local("staff"), ("discussion:restore", P): local("staff"),
    ("discussion:moderation", G): local("staff"), ("discussion:blocked_words", P): local("staff"),
    ("discussion:dismiss", P): local("staff"),
    ("meetings:place_meetings", G): PUBLIC, ("meetings:place_meetings.json", G): PUBLIC,
    ("meetings:place_feed", G): PUBLIC,
    ("meetings:new", G): local("staff"), ("meetings:new", P): local("staff"),
    ("meetings:mine", G): ACCOUNT,
    ("meetings:detail", G): PUBLIC, ("meetings:detail.json", G): PUBLIC, ("meetings:ical", G): PUBLIC,
    ("meetings:notice", G): PUBLIC,
    ("meetings:edit", G): local("staff"), ("meetings:edit", P): local("staff"), ("meetings:cancel", P): local("staff"),
    ("meetings:register", P): local("resident"), ("meetings:unregister", P): ACCOUNT,
    ("meetings:invitees", G): local("staff"), ("meetings:invitees", P): local("staff"),
    ("meetings:sign_in", G): local("staff"), ("meetings:sign_in", P): local("staff"),
    ("meetings:minutes", G): PUBLIC,
    ("meetings:edit_minutes", G): local("staff"), ("meetings:edit_minutes", P): local("staff"),
    ("meetings:approve_minutes", P): local("tl_council1"), ("meetings:return_minutes", P): local("tl_council1"),
    ("inbox:notifications", G): ACCOUNT, ("inbox:notifications", P): ACCOUNT,
    ("audit:log", G): local("staff"), ("audit:log.json", G): local("staff"),
    ("opendata:index", G): PUBLIC, ("opendata:index.json", G): PUBLIC,
    ("opendata:csv", G): PUBLIC, ("opendata:json", G): PUBLIC,
    ("statistics:deployment", G): PUBLIC, ("statistics:deployment.json", G): PUBLIC,
    ("statistics:place", G): PUBLIC, ("statistics:place.json", G): PUBLIC,
}

# The people of a second community, who may do nothing local to the demo's.
OUTSIDERS = ("d_staff", "d_admin", "d_council", "d_resident", "d_leader", "d_supervisor")
REFUSED = (403, 404)


def _routes(app: Any) -> list[tuple[str, str, set[str]]]:
    """(name, method, its path parameters) of every route the app serves."""
    return [(r.name, method, set(r.param_convertors)) for r in app.routes if isinstance(r, Route)
            for method in sorted(r.methods or ()) if method != "HEAD"]


def _url(app: Any, world: World, name: str, params: set[str]) -> str:
    return app.url_path_for(name, **{k: v for k, v in world.params.get(name, {}).items() if k in params})


def test_every_route_and_method_has_its_level(app: Any) -> None:
    served = {(name, method) for name, method, _path in _routes(app)}
    assert served - set(LEVELS) == set(), "a route without a line in LEVELS"
    assert set(LEVELS) - served == set(), "a line in LEVELS for a route the app no longer serves"


@dataclass
class World:
    """Ids of the demo community's objects for every kind of path parameter, and who wrote what."""

    params: dict[str, dict[str, Any]]  # by route name: its path parameters
    authors: dict[str, str]  # by route name: the login that is the "author" there


def _first(session: Session, statement: Any) -> Any:
    found = session.exec(statement).first()
    assert found is not None, statement
    return found


def _world(session: Session) -> World:
    place = _first(session, select(Place).where(Place.name == "和平里小区"))
    building = _first(session, select(Place).where(Place.parent_id == place.id, Place.name == "1号楼"))
    resident = _first(session, select(User).where(User.username == "resident"))
    household = _first(session, select(Household).join(Member, col(Member.household_id) == Household.id)
                       .where(Member.user_id == resident.id))
    member = _first(session, select(Member).where(Member.household_id == household.id))
    owner = session.exec(select(Owner)).first()
    claim = _first(session, select(ResidencyClaim).where(ResidencyClaim.status == ClaimStatus.PENDING))
    role = _first(session, select(RoleGrant).where(RoleGrant.role == Role.COUNCIL))
    draft = _first(session, select(Proposal).where(Proposal.stage == Stage.DRAFT.value))
    milestone = _first(session, select(Milestone).join(Proposal, col(Proposal.id) == Milestone.proposal_id)
                       .where(Proposal.stage == Stage.IMPLEMENTATION.value))
    public = session.get(Proposal, milestone.proposal_id)
    plan = _first(session, select(Plan).where(Plan.status == PlanStatus.DRAFT))
    closed = _first(session, select(Proposal).where(Proposal.stage == Stage.CLOSED.value))
    assert public is not None
    (photo,) = photos.do_attach(session, public, resident, "progress", None, [("site.png", PNG)])
    session.commit()
    vote = _first(session, select(Vote).where(Vote.status == VoteStatus.OPEN))
    certified = _first(session, select(Vote).where(Vote.status == VoteStatus.CERTIFIED))
    upcoming = _first(session, select(Meeting).order_by(col(Meeting.starts_at).desc()))
    minuted = _first(session, select(Meeting).join(Minutes, col(Minutes.meeting_id) == Meeting.id)
                     .where(Minutes.status == MinutesStatus.PUBLISHED))
    report = _first(session, select(CommentReport))
    readable = (col(Comment.deleted_at).is_(None), col(Comment.hidden_at).is_(None))
    comment = _first(session, select(Comment).where(Comment.subject_kind == "proposal", *readable))
    comment_author = session.get(User, comment.author_id)
    draft_author = session.get(User, draft.author_id)
    assert comment_author and draft_author and owner
    params: dict[str, dict[str, Any]] = {}
    for name in {name for name, _method in LEVELS}:
        params[name] = _params_for(name, locals())
    authors = {name: draft_author.username for name in params if name.startswith("proposals:")}
    authors |= {name: comment_author.username for name in params if name.startswith("discussion:")}
    return World(params, authors)


def _params_for(name: str, o: dict[str, Any]) -> dict[str, Any]:
    """Path parameters that name, for this route, an object of the demo community in a fitting state."""
    special: dict[str, dict[str, Any]] = {
        "places:household_new": {"id": o["building"].id},
        "places:remove_member": {"id": o["household"].id, "item": o["member"].id},
        "places:remove_owner": {"id": o["owner"].household_id, "item": o["owner"].id},
        "places:owner_identity": {"id": o["owner"].household_id, "item": o["owner"].id},
        "places:link_owner": {"id": o["owner"].household_id, "item": o["owner"].id},
        "staff:decide_claim": {"id": o["claim"].id}, "staff:revoke_role": {"id": o["role"].id},
        "votes:new": {"id": o["building"].id},
        "votes:notice": {"id": o["certified"].id}, "votes:ballots": {"id": o["certified"].id},
        "proposals:edit": {"id": o["draft"].id}, "proposals:submit": {"id": o["draft"].id},
        "proposals:withdraw": {"id": o["draft"].id}, "proposals:resubmit": {"id": o["draft"].id},
        "proposals:new_plan": {"id": o["plan"].proposal_id}, "proposals:publish": {"id": o["plan"].proposal_id},
        "proposals:edit_plan": {"id": o["plan"].proposal_id, "plan_id": o["plan"].id},
        "proposals:plan": {"id": o["plan"].proposal_id, "plan_id": o["plan"].id},
        "proposals:plan.json": {"id": o["plan"].proposal_id, "plan_id": o["plan"].id},
        "proposals:complete_milestone": {"id": o["public"].id, "milestone_id": o["milestone"].id},
        "proposals:photo": {"id": o["photo"].id},
        "proposals:notice": {"id": o["closed"].id, "kind": "closing"},
        "discussion:thread": {"kind": "proposal", "id": o["comment"].subject_id},
        "discussion:post": {"kind": "proposal", "id": o["comment"].subject_id},
        "discussion:dismiss": {"id": o["report"].id},
        "opendata:index": {"id": o["place"].id}, "opendata:index.json": {"id": o["place"].id},
        "opendata:csv": {"id": o["place"].id, "dataset": "votes"},
        "opendata:json": {"id": o["place"].id, "dataset": "votes"},
        "meetings:minutes": {"id": o["minuted"].id}, "meetings:edit_minutes": {"id": o["minuted"].id},
        "meetings:approve_minutes": {"id": o["minuted"].id}, "meetings:return_minutes": {"id": o["minuted"].id},
    }
    if name in special:
        return special[name]
    prefix = name.split(":")[0]
    if name in ("places:household", "places:add_member", "places:add_owner"):
        return {"id": o["household"].id}
    if name.startswith("statistics:deployment"):
        return {}
    if prefix == "statistics":
        return {"id": o["place"].id}
    if prefix in ("places", "staff", "tracking", "audit") or name.endswith(("place_votes", "place_votes.json", ":new",
                                                                       "place_proposals", "place_proposals.json",
                                                                       "place_meetings", "place_meetings.json",
                                                                       "place_feed", "moderation", "blocked_words")):
        return {"id": o["place"].id}
    by_prefix = {"votes": o["vote"].id, "proposals": o["public"].id, "meetings": o["upcoming"].id,
                 "discussion": o["comment"].id}
    return {"id": by_prefix[prefix]} if prefix in by_prefix else {}


def _outsiders(session: Session) -> None:
    town = make_town(session, name="远方社区")
    for username, role, place in (("d_staff", Role.STAFF, town.community), ("d_admin", Role.ADMIN, town.community),
                                  ("d_council", Role.COUNCIL, town.community),
                                  ("d_leader", Role.BUILDING_LEADER, town.building(0)),
                                  ("d_supervisor", Role.SUPERVISOR, town.community)):
        grant(session, make_user(session, username), role, place)
    make_resident(session, "d_resident", town.households[0])
    make_user(session, "plain")
    session.commit()


@pytest.fixture
def world(session: Session) -> Iterator[World]:
    load_demo(session)
    session.commit()
    _outsiders(session)
    yield _world(session)


def _client(app: Any, username: str | None) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    if username is not None:
        password = DEMO_PASSWORD if not username.startswith(("d_", "plain")) else "password123"
        login(client, username, password)
    return client


def _ask(client: TestClient, method: str, url: str) -> Any:
    if method == "GET":
        return client.get(url)
    token = CSRF.search(client.get("/register").text)
    return client.post(url, data={"csrf_token": token.group(1) if token else ""})


def _refused(response: Any, *, by_who: bool = False) -> bool:
    """Refused (403, 404 or sent to log in); `by_who`: for who asks, not for what the form named (a 404)."""
    if response.status_code in (403,) if by_who else REFUSED:
        return True
    return response.status_code == 303 and response.headers["location"].startswith("/login")


def test_outsiders_are_refused_every_local_route_and_nobody_a_public_one(app: Any, world: World) -> None:
    wrong = []
    people = {name: _client(app, name) for name in (*OUTSIDERS, "plain")}
    people[None] = _client(app, None)  # type: ignore[index]
    for name, method, params in _routes(app):
        if name == "accounts:logout":
            continue  # would end the sessions this test goes on with; it refuses nobody
        level = LEVELS[(name, method)]
        url = _url(app, world, name, params)
        for who, client in people.items():
            expect_refused = level.startswith("local:") or (level == ACCOUNT and who is None)
            answer = _ask(client, method, url)
            if expect_refused is not _refused(answer, by_who=not expect_refused):
                wrong.append(f"{method} {url} ({name}) as {who}: {answer.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_people_of_the_place_get_the_local_pages(app: Any, world: World) -> None:
    wrong = []
    for name, method, params in _routes(app):
        level = LEVELS[(name, method)]
        if method != G or not level.startswith("local:"):
            continue
        who = level.removeprefix("local:")
        who = world.authors.get(name, who) if who == "author" else who
        answer = _client(app, who).get(_url(app, world, name, params))
        if answer.status_code not in (200, 409):  # 409: the object's state, not who asks
            wrong.append(f"GET {name} as {who}: {answer.status_code}")
    assert not wrong, "\n".join(wrong)


CRAWLERS = (None, "plain", "d_staff", "newcomer", "resident", "resident2", "staff", "admin", "council1",
            "hp_council1", "hp1_council1", "leader_hp1", "supervisor", "tl_council1")


def _snapshot(database: Any) -> dict[str, str]:
    """Every row of every table, as text; a session's last-seen time left out (a page view may touch it)."""
    seen = {}
    with database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) != ("web_session", "last_seen_at")]
            rows = connection.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            seen[table.name] = repr(rows)
    return seen


def test_page_views_change_nothing_whoever_looks(app: Any, world: World, database: Any) -> None:
    people = {who: _client(app, who) for who in CRAWLERS}  # logging in writes; looking must not
    before = _snapshot(database)
    statuses = set()
    for name, method, params in _routes(app):
        if method != G:
            continue
        url = _url(app, world, name, params)
        for client in people.values():
            statuses.add(client.get(url).status_code)
            statuses.add(client.get(url + "?sort=newest&page=2&cpage=2&q=_&within=1").status_code)
    after = _snapshot(database)
    assert {table for table in before if before[table] != after[table]} == set()
    assert 500 not in statuses and 200 in statuses

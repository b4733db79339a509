"""A town whose register carries marker strings and numbers, and in it the whole loop through the real actions:
a closed proposal (plans put to an open vote, works, acceptance, ratings), a rejected one in the other compound
with awkward text, a draft, an owners' vote counted and certified, a secret vote still open, a draft vote, and a
meeting held with residents, a person of the register and a guest signed in."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from factories import Town, make_proposal_cast
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from deliberate.accounts.models import ResidencyClaim, User
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.meetings import actions as meetings
from deliberate.meetings.actions import MeetingDraft
from deliberate.meetings.models import Access, Meeting
from deliberate.meetings.rules import Kind
from deliberate.places import actions as places
from deliberate.places.models import Household, Member, Place
from deliberate.proposals import actions, plans, works
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Proposal
from deliberate.proposals.rules import Action, Rating
from deliberate.voting import actions as voting
from deliberate.voting import queries as vote_queries
from deliberate.voting.models import Channel, RollEntry, Vote

AWKWARD_TITLE = '=HYPERLINK("http://x"), 停车 "难"'
AWKWARD_BODY = "第一行, 有逗号\n第二行 \"引号\"\n@第三行"
AWKWARD_REASON = "+不属于本小区事务, 请向\n社区反映"


@dataclass
class World:
    town: Town
    building: Place
    people: dict[str, User]
    closed: Proposal
    rejected: Proposal
    draft: Proposal
    plan_vote: Vote
    owners_vote: Vote
    secret_vote: Vote
    draft_vote: Vote
    meeting: Meeting
    markers: list[str] = field(default_factory=list)  # strings that must never be exported
    birth_years: list[int] = field(default_factory=list)  # numbers that must never be a value


def _plan_text(title: str) -> plans.PlanText:
    return plans.PlanText(
        title=title, description="铺设透水砖，划定车位。", responsible="物业公司", schedule="2027年3月至4月",
        cost_lines=(plans.CostLine("材料, 含运输", 3_000_000), plans.CostLine("人工", 1_500_000)),
        residents_centi=1_500_000, units_centi=1_500_000, government_centi=1_500_000,
    )


def _mark_register(session: Session, town: Town, world_markers: list[str], years: list[int]) -> None:
    """Every household, member and owner of the town carries a marker; the building's households get owners."""
    households = session.exec(select(Household).order_by(col(Household.id))).all()
    for n, household in enumerate(households):
        household.number = f"HNUMX{n}Q"
        household.area_centi = 731_007 + 1_111 * n  # "7310.07", "7321.18", …: no sum of two is one of them
        world_markers += [household.number, f"{household.area_centi / 100:.2f}"]
        session.add(household)
        if household.building_id == town.building(0).id:
            owner = places.do_add_owner(session, household, name=f"OWNERX{n}Q")
            world_markers.append(owner.name)
    for n, member in enumerate(session.exec(select(Member).order_by(col(Member.id))).all()):
        member.name, member.birth_year = f"MEMBERX{n}Q", 1913 + n
        world_markers.append(member.name)
        years.append(member.birth_year)
        session.add(member)
    session.commit()


def _mark_accounts(session: Session, markers: list[str]) -> None:
    """Usernames, e-mail addresses and claims' names are private; display names are what the site shows."""
    for n, user in enumerate(session.exec(select(User).order_by(col(User.id))).all()):
        user.username, user.email, user.display_name = f"acctx{n}q", f"mailx{n}@marker.example", f"公开名{n}"
        markers += [user.username, user.email, user.password_hash]
        session.add(user)
    for n, claim in enumerate(session.exec(select(ResidencyClaim)).all()):
        claim.name = f"CLAIMX{n}Q"
        markers.append(claim.name)
        session.add(claim)
    session.commit()


def _closed_proposal(session: Session, building: Place, people: dict[str, User]) -> tuple[Proposal, Vote]:
    """Through the loop: co-signed, accepted, two plans disclosed and put to a vote, works, acceptance, ratings."""
    def person(name: str):  # type: ignore[no-untyped-def]
        return load_person(session, people[name])

    proposal = actions.do_create(session, place=building, author=people["author"], submit=True,
                                 draft=Draft("楼下停车难", "晚上没有车位。", "parking"), person=person("author"))
    for name in ("neighbour", "neighbour2"):
        actions.do_cosign(session, proposal, building, person(name), people[name])
    actions.do_review(session, proposal, building, person("council"), people["council"], Action.ACCEPT)
    for title in ("横铺", "竖铺"):
        plans.do_add_plan(session, proposal, people["staff"], _plan_text(title))
    plans.do_publish(session, proposal, building, person("staff"), people["staff"])
    works.advance_if_due(session, proposal, building, now=utcnow() + timedelta(days=8))
    vote = plans.do_open_vote(session, proposal, building, people["council"], closes_at=utcnow() + timedelta(days=3),
                              rule="majority", electorate_kind="households", secret=False)
    voting.do_open(session, vote, building)
    for name, choice in (("author", "方案2：竖铺"), ("neighbour", "方案2：竖铺"), ("neighbour2", "方案1：横铺")):
        entry = vote_queries.entries_for(session, vote, people[name])[0]
        voting.do_cast(session, vote, entry, choice)
    voting.do_close(session, vote, now=utcnow() + timedelta(days=4))
    plans.do_certify_vote(session, vote, by=people["council"])
    staff, leader = people["staff"], people["leader"]
    milestone = works.do_add_milestone(session, proposal, staff, title="铺砖", due_on=date(2027, 4, 1), responsible="")
    works.do_report_progress(session, proposal, staff, text="已铺一半, 进展顺利", percent=50, milestone=milestone)
    works.do_disclose_cost(session, proposal, staff, description="透水砖", amount_centi=1_234_560, payee="建材厂",
                           document_id=None)
    works.do_complete_works(session, proposal, building, person("staff"), staff)
    works.do_acceptance(session, proposal, building, person("leader"), leader, passed=True, findings="")
    ratings = (("author", Rating.SATISFIED), ("neighbour", Rating.FAIRLY), ("neighbour2", Rating.DISSATISFIED))
    for name, rating in ratings:
        works.do_rate(session, proposal, building, person(name), people[name], rating=rating, comment="")
    assert proposal.rating_ends_at is not None
    works.advance_if_due(session, proposal, building, now=proposal.rating_ends_at + timedelta(seconds=1))
    session.commit()
    return proposal, vote


def _paper(session: Session, vote: Vote, staff: User, choice: Any, count: int | None = None) -> None:
    entries = session.exec(select(RollEntry).where(col(RollEntry.vote_id) == vote.id).order_by(col(RollEntry.id))).all()
    for n, entry in enumerate(entries[:count]):
        voting.do_cast(session, vote, entry, choice, channel=Channel.PAPER, entered_by=staff, paper_serial=f"S{n}")


def _votes(session: Session, building: Place, people: dict[str, User]) -> tuple[Vote, Vote, Vote]:
    council, staff = people["council"], people["staff"]
    owners = voting.do_create_vote(
        session, place=building, title="加装电梯", question="是否同意加装电梯？", form="yes_no", rule="owners_ordinary",
        electorate_kind="owners", secret=False, closes_at=utcnow() + timedelta(days=3), options=[], by=council)
    voting.do_open(session, owners, building)
    _paper(session, owners, staff, "yes")  # every owner: no option's area is one unit's
    voting.do_close(session, owners, now=utcnow() + timedelta(days=4))
    voting.do_certify(session, owners, by=council)
    secret = voting.do_create_vote(
        session, place=building, title="楼道粉刷颜色", question="选哪种颜色？", form="choose_one", rule="plurality",
        electorate_kind="adults", secret=True, closes_at=utcnow() + timedelta(days=3), options=["白色", "米黄"],
        by=council, results_while_open=True)
    voting.do_open(session, secret, building)
    _paper(session, secret, staff, "米黄", count=2)
    draft = voting.do_create_vote(
        session, place=building, title="DRAFTVOTEX", question="", form="yes_no", rule="majority",
        electorate_kind="households", secret=False, closes_at=utcnow() + timedelta(days=3), options=[], by=council)
    session.commit()
    return owners, secret, draft


def _meeting(session: Session, building: Place, people: dict[str, User], proposal: Proposal) -> Meeting:
    """Held an hour ago: two residents registered and came, with a person of the register and a guest."""
    starts = (utcnow() + timedelta(minutes=30)).replace(microsecond=0)
    meeting = meetings.do_schedule(session, place=building, by=people["staff"], draft=MeetingDraft(
        kind=Kind.LISTENING, title="停车恳谈会", description="", starts_at=starts, ends_at=starts + timedelta(hours=2),
        room="活动室, 一楼", online_url="", capacity=10, access=Access.OPEN, chair_id=people["council"].id,
        proposal_ids=(proposal.id,), urgent_reason="车位纠纷急需沟通"))
    for name in ("author", "neighbour"):
        meetings.do_register(session, meeting, building, load_person(session, people[name]), people[name])
    at = starts + timedelta(minutes=5)
    for name in ("author", "neighbour"):
        meetings.do_sign_in(session, meeting, building, people["staff"], user=people[name], now=at)
    member = session.exec(select(Member).where(col(Member.user_id).is_(None))
                          .join(Household, col(Household.id) == Member.household_id)
                          .where(col(Household.building_id) == building.id)).first()
    assert member is not None
    meetings.do_sign_in(session, meeting, building, people["staff"], member=member, household_id=member.household_id,
                        walk_in=True, now=at)
    meetings.do_sign_in(session, meeting, building, people["staff"], guest_name="GUESTX1Q", walk_in=True, now=at)
    meeting.starts_at, meeting.ends_at = utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1)
    session.add(meeting)
    session.commit()
    return meeting


def build_world(session: Session) -> World:
    town, building, people = make_proposal_cast(session, extra_households=2)
    markers: list[str] = ["GUESTX1Q", "DRAFTX", "DRAFTVOTEX", "$argon2"]
    years: list[int] = []
    _mark_register(session, town, markers, years)
    closed, plan_vote = _closed_proposal(session, building, people)
    outsider, compound_building = people["outsider"], town.building(3)
    rejected = actions.do_create(session, place=compound_building, author=outsider, submit=True,
                                 draft=Draft(AWKWARD_TITLE, AWKWARD_BODY, "safety"),
                                 person=load_person(session, outsider))
    staff = people["staff"]
    rejected.stage = "review"  # as the co-signs would leave it: this building asks for none by default
    actions.do_review(session, rejected, compound_building, load_person(session, staff), staff, Action.REJECT,
                      AWKWARD_REASON)
    draft = actions.do_create(session, place=building, author=people["neighbour"], submit=False,
                              draft=Draft("DRAFTX 草稿", "只有作者能看到", "parking"),
                              person=load_person(session, people["neighbour"]))
    session.commit()
    owners, secret, draft_vote = _votes(session, building, people)
    meeting = _meeting(session, building, people, closed)
    _mark_accounts(session, markers)
    return World(town, building, people, closed, rejected, draft, plan_vote, owners, secret, draft_vote, meeting,
                 markers, years)


DATASETS = ("proposals", "proposal_events", "plans", "plan_cost_lines", "milestones", "progress_updates", "costs",
            "meetings", "votes", "vote_results")
EVERYTHING = "?from=1900-01-01&to=9998-12-31"


def read_csv(client: TestClient, place: Place, dataset: str, query: str = EVERYTHING) -> list[dict[str, str]]:
    """The CSV's rows by field name, its BOM checked and stripped."""
    response = client.get(f"/places/{place.id}/data/{dataset}.csv{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"), newline="")))


def read_json(client: TestClient, place: Place, dataset: str, query: str = EVERYTHING) -> dict[str, Any]:
    response = client.get(f"/places/{place.id}/data/{dataset}.json{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    found: dict[str, Any] = json.loads(response.content)
    return found


def by(rows: list[dict[str, Any]], key: str, value: Any) -> dict[str, Any]:
    (row,) = [r for r in rows if r[key] == value]
    return row

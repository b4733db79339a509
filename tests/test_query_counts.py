"""The main pages read in a fixed number of SQL statements whatever the data: a community with 5 proposals,
comments, ballots and registrations reads as much as one with 60, and each page stays below its stated number."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import timedelta

from client_helpers import login
from factories import make_proposal_cast, make_resident
from query_helpers import statements
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from deliberate.accounts.models import User
from deliberate.accounts.people import load_person
from deliberate.app import create_app
from deliberate.clock import utcnow
from deliberate.discussion import actions as discussion
from deliberate.discussion.access import access_subject
from deliberate.meetings import actions as meetings
from deliberate.meetings.access import access_meeting
from deliberate.meetings.actions import MeetingDraft
from deliberate.meetings.models import Access, Meeting
from deliberate.meetings.rules import Kind
from deliberate.places import actions as places
from deliberate.places.models import Household, Place
from deliberate.policy import Act
from deliberate.proposals import actions as proposals
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Proposal
from deliberate.proposals.rules import Stage
from deliberate.voting import actions as voting
from deliberate.voting.models import Channel, RollEntry, Vote

SMALL, LARGE = 5, 60
PAGE_SIZE = 4  # so that the lists have a later page at both sizes
TRACKED = (Stage.REVIEW, Stage.ACCEPTANCE, Stage.RATING, Stage.COSIGNING)


@dataclass
class Community:
    """Building 1 of the proposal cast's town with a proposal, an open vote and a meeting, grown to `size`
    residents (each comments on the proposal and registers for the meeting), proposals (a quarter in each stage
    that staff track, or collecting co-signs) and paper ballots, through the real actions."""

    session: Session
    building: Place
    compound: Place
    community: Place
    people: dict[str, User]
    households: list[Household]
    main: Proposal
    vote: Vote
    meeting: Meeting
    residents: list[User] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    ballots: int = 0

    def grow(self, size: int) -> None:
        while len(self.residents) < size:
            self._resident()
        while len(self.proposals) < size:
            self._proposal()
        entries = list(self.session.exec(select(RollEntry).where(RollEntry.vote_id == self.vote.id,
                                                                  col(RollEntry.has_voted).is_(False))
                                         .order_by(col(RollEntry.id))).all())
        for entry in entries[:size - self.ballots]:
            self._ballot(entry)

    def _resident(self) -> None:
        n = len(self.residents)
        user = make_resident(self.session, f"r{n}", self.households[n], by=self.people["staff"])
        self.residents.append(user)
        person = load_person(self.session, user)
        subject = access_subject(self.session, person, "proposal", self.main.id, Act.COMMENT)
        discussion.do_comment(self.session, subject, user, f"第{n}条意见：车位确实不够。")
        locked, place = access_meeting(self.session, None, self.meeting.id, for_update=True)
        meetings.do_register(self.session, locked, place, person, user)
        self.session.commit()

    def _proposal(self) -> None:
        n = len(self.proposals)
        author = self.residents[n]
        proposal = proposals.do_create(self.session, place=self.building, author=author,
                                       draft=Draft(f"第{n}号提案", "说明", "greening"), submit=True,
                                       person=load_person(self.session, author))
        stage = TRACKED[n % len(TRACKED)]
        if stage is not Stage.COSIGNING:  # as the loop would leave it; the tracking page reads these stages
            proposal.stage = stage.value
            proposal.review_due_at = utcnow() - timedelta(days=n % 3)
            proposal.rating_ends_at = utcnow() + timedelta(days=n % 5 - 2)
        self.session.add(proposal)
        self.session.commit()
        self.proposals.append(proposal)

    def _ballot(self, entry: RollEntry) -> None:
        self.ballots += 1
        voting.do_cast(self.session, self.session.get(Vote, self.vote.id), entry, "yes", channel=Channel.PAPER,
                       entered_by=self.people["staff"], paper_serial=f"P-{self.ballots:03d}")
        self.session.commit()


def _community(session: Session) -> Community:
    town, building, people = make_proposal_cast(session)
    households = [places.do_create_household(session, building=building, number=f"9单元{n + 1}01", area_centi=9000)
                  for n in range(LARGE)]
    for n, household in enumerate(households):
        places.do_add_member(session, household, name=f"住户{n}", birth_year=1970)
    session.commit()
    author = people["author"]
    main = proposals.do_create(session, place=building, author=author, submit=True,
                               draft=Draft("楼下停车难", "没有车位。", "parking"), person=load_person(session, author))
    vote = voting.do_create_vote(
        session, place=building, title="划线方案表决", question="是否同意？", form="yes_no", rule="simple_majority",
        electorate_kind="households", secret=False, closes_at=utcnow() + timedelta(days=3), options=[],
        by=people["council"],
    )
    voting.do_open(session, vote, building)
    starts = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    meeting = meetings.do_schedule(session, place=building, by=people["staff"], draft=MeetingDraft(
        kind=Kind.CONSULTATION, title="停车协商会", description="", starts_at=starts,
        ends_at=starts + timedelta(hours=2), room="活动室", online_url="", capacity=None, access=Access.OPEN,
        chair_id=people["council"].id, proposal_ids=(main.id,), items=("通报落实情况",), urgent_reason="",
    ))
    session.commit()
    return Community(session, building, town.compounds[0], town.community, people, households, main, vote, meeting)


def _later_page(client: TestClient, url: str) -> str:
    found = re.search(r'rel="next" href="([^"]+)"', client.get(url).text)
    assert found, url
    return found.group(1).replace("&amp;", "&")


# The most statements each page may take: who is asking (login, account, roles, unread notices) is about six.
MOST = {
    "home, staff": 18,  # with 我的待办: reviews, decisions, acceptances, the tracked places and their overdue counts
    "home, resident": 14,  # with 我的待办: her meetings, what she may co-sign and rate
    # With the open votes the reader may cast (their verified homes, then the rolls), and the place's home page:
    # 8 more (the places around it, open votes, proposals by stage, meetings, works with their percents, results,
    # closings, councils and staff: statistics/place_home.py).
    "community home": 21,
    "compound's proposals": 12,
    "compound's proposals, a later page": 12,
    "compound's proposals, JSON": 12,
    "proposal": 20,
    "staff tracking": 20,
    "meeting": 20,
    "vote": 15,
    "community statistics": 20,
    "deployment statistics, JSON": 20,
}


def _counts(community: Community, staff: TestClient, resident: TestClient) -> dict[str, int]:
    """Each page's statements, as the community's staff (and the home page as a resident too)."""
    compound_list = f"/places/{community.compound.id}/proposals"
    paths = {
        "home, staff": "/",
        "community home": f"/places/{community.community.id}",
        "compound's proposals": compound_list,
        "compound's proposals, a later page": _later_page(staff, compound_list),
        "compound's proposals, JSON": f"{compound_list}.json",
        "proposal": f"/proposals/{community.main.id}",
        "staff tracking": f"/places/{community.community.id}/tracking",
        "meeting": f"/meetings/{community.meeting.id}",
        "vote": f"/votes/{community.vote.id}",
        "community statistics": f"/places/{community.community.id}/statistics",
        "deployment statistics, JSON": "/statistics.json",
    }
    counted = {name: statements(staff, path) for name, path in paths.items()}
    return {"home, resident": statements(resident, "/"), **counted}


def test_the_main_pages_read_as_much_for_sixty_of_everything_as_for_five(settings, database, session):
    app = create_app(replace(settings, page_size=PAGE_SIZE), database)
    community = _community(session)
    staff = TestClient(app, follow_redirects=False)
    login(staff, "staff")
    community.grow(SMALL)
    resident = TestClient(app, follow_redirects=False)
    login(resident, "r0")  # registered for the meeting; the others' proposals wait for her co-sign or rating
    few = _counts(community, staff, resident)
    community.grow(LARGE)
    many = _counts(community, staff, resident)
    assert many == few
    assert {page: n for page, n in many.items() if n > MOST[page]} == {}, many

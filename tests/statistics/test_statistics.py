"""Statistics against a small world counted by hand: every figure, the period, the place tree, the charts, the
`.json` twin and both languages.

The world is made through the real actions with the clock frozen at known Beijing times (2026 unless said):

| proposal | place | submitted | then |
|---|---|---|---|
| P1 | building 1 | 03-01 | co-signed 03-02 (review), accepted 03-10, plan approved 03-20, milestones due |
|    |            |       | 04-01 (done 03-30) and 04-10 (done 04-12), passed 04-15, three ratings, closed 04-30 |
| P2 | building 1 | 05-01 | co-signed 05-01, rejected 05-20 (19 days: late) |
| P3 | building 1 | 2025-12-20 | co-signed at once, accepted 2026-01-05 (16 days: late) |
| P4 | building 1 | 06-01 | one co-sign, two comments (P1 has one) |
| P5 | building 4 (the other compound) | 07-01 | co-signed 07-01, merged into P6 07-05 |
| P6 | building 4 | 2024-06-01 | collecting co-signs (a merge stays within its place) |

Building 1 counts only 满意 as satisfied. A vote of building 1's households (three on the roll, two voted) closed
08-01; a meeting there on 09-10 had two registered and two signed in (one of them a guest); a vote closed in
2025 is outside the year.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from factories import make_proposal_cast, make_resident
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from deliberate.accounts.models import User
from deliberate.accounts.people import load_person
from deliberate.clock import freeze
from deliberate.discussion import actions as discussion
from deliberate.discussion.access import access_subject
from deliberate.meetings import actions as meetings
from deliberate.meetings.actions import MeetingDraft
from deliberate.meetings.models import Access
from deliberate.meetings.rules import Kind
from deliberate.places.models import Place
from deliberate.policy import Act
from deliberate.proposals import actions, plans, rules, works
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Proposal
from deliberate.proposals.rules import Rating
from deliberate.statistics import periods, queries
from deliberate.statistics.periods import SHANGHAI
from deliberate.voting import actions as voting
from deliberate.voting import queries as vote_queries
from deliberate.voting.models import Vote

NOW = datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)
YEAR = periods.named("2026")


def at(month: int, day: int, year: int = 2026, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI)


@dataclass
class World:
    community: Place
    compound: Place  # building 1's
    other_compound: Place
    building: Place
    other_building: Place
    people: dict[str, User]
    proposals: dict[str, Proposal]


def _plan_text() -> plans.PlanText:
    return plans.PlanText(title="方案", description="铺砖", responsible="物业公司", schedule="", cost_lines=(),
                          residents_centi=0, units_centi=0, government_centi=0)


def _new(session: Session, place: Place, author: User, title: str, when: datetime) -> Proposal:
    with freeze(when):
        return actions.do_create(session, place=place, author=author, draft=Draft(title, "说明", "parking"),
                                 submit=True, person=load_person(session, author))


def _cosign(session: Session, proposal: Proposal, place: Place, when: datetime, *people: User) -> None:
    with freeze(when):
        for user in people:
            actions.do_cosign(session, proposal, place, load_person(session, user), user)


def _review(session: Session, proposal: Proposal, place: Place, by: User, move: rules.Action, when: datetime) -> None:
    with freeze(when):
        actions.do_review(session, proposal, place, load_person(session, by), by, move, reason="理由")


def _closed_p1(session: Session, building: Place, people: dict[str, User]) -> Proposal:
    staff, council, leader = people["staff"], people["council"], people["leader"]
    p1 = _new(session, building, people["author"], "P1", at(3, 1))
    _cosign(session, p1, building, at(3, 2), people["neighbour"], people["neighbour2"])
    _comment(session, p1, people["author"], at(3, 5))
    _review(session, p1, building, council, rules.Action.ACCEPT, at(3, 10))
    with freeze(at(3, 11)):
        plans.do_add_plan(session, p1, staff, _plan_text())
        plans.do_publish(session, p1, building, load_person(session, staff), staff)
    with freeze(at(3, 19)):
        works.advance_if_due(session, p1, building)
    with freeze(at(3, 20)):
        plans.do_decide(session, p1, building, load_person(session, council), council, plans.disclosed(session, p1)[0])
        first = works.do_add_milestone(session, p1, staff, title="铺砖", due_on=date(2026, 4, 1), responsible="")
        second = works.do_add_milestone(session, p1, staff, title="排水", due_on=date(2026, 4, 10), responsible="")
    with freeze(at(3, 30, hour=23)):  # 23:00 in Beijing is still the 30th there (15:00 UTC)
        works.do_complete_milestone(session, p1, first, staff)
    with freeze(at(4, 12)):
        works.do_complete_milestone(session, p1, second, staff)
        works.do_complete_works(session, p1, building, load_person(session, staff), staff)
    with freeze(at(4, 15)):
        works.do_acceptance(session, p1, building, load_person(session, leader), leader, passed=True, findings="")
    with freeze(at(4, 16)):
        for name, rating in (("author", Rating.SATISFIED), ("neighbour", Rating.FAIRLY),
                             ("neighbour2", Rating.DISSATISFIED)):
            user = people[name]
            works.do_rate(session, p1, building, load_person(session, user), user, rating=rating, comment="")
    with freeze(at(4, 30)):
        assert works.advance_if_due(session, p1, building)
    return p1


def _comment(session: Session, proposal: Proposal, user: User, when: datetime) -> None:
    with freeze(when):
        subject = access_subject(session, load_person(session, user), "proposal", proposal.id, Act.COMMENT)
        discussion.do_comment(session, subject, user, "我同意。")


def _vote(session: Session, place: Place, people: dict[str, User], closes: datetime, voters: tuple[str, ...]) -> None:
    with freeze(closes - timedelta(days=3)):
        vote = voting.do_create_vote(session, place=place, title="表决", question="？", form="yes_no", rule="majority",
                                     electorate_kind="households", secret=False, closes_at=closes, options=[],
                                     by=people["council"])
        voting.do_open(session, vote, place)
        for name in voters:
            voting.do_cast(session, vote, vote_queries.entries_for(session, vote, people[name])[0], "yes")
    voting.do_close(session, vote, now=closes)


def _meeting(session: Session, place: Place, people: dict[str, User]) -> None:
    starts = at(9, 10, hour=19)
    with freeze(at(9, 1)):
        meeting = meetings.do_schedule(session, place=place, by=people["staff"], draft=MeetingDraft(
            kind=Kind.CONSULTATION, title="停车协商会", description="", starts_at=starts,
            ends_at=starts + timedelta(hours=2), room="活动室", online_url="", capacity=None, access=Access.OPEN,
            chair_id=people["council"].id))
        for name in ("author", "neighbour"):
            user = people[name]
            meetings.do_register(session, meeting, place, load_person(session, user), user)
    with freeze(starts):
        meetings.do_sign_in(session, meeting, place, people["staff"], user=people["author"])
        meetings.do_sign_in(session, meeting, place, people["staff"], guest_name="街道来宾")


@pytest.fixture
def world(session: Session) -> World:
    town, building, people = make_proposal_cast(session)
    actions.do_set_rules(session, building, rules.PlaceRules(threshold=rules.Threshold("count", count=2),
                                                             satisfaction_formula="satisfied_only"))
    other = town.building(3)
    people["neighbour3"] = make_resident(session, "neighbour3", town.households[7])
    author, staff, council = people["author"], people["staff"], people["council"]
    p1 = _closed_p1(session, building, people)
    p2 = _new(session, building, author, "P2", at(5, 1))
    _cosign(session, p2, building, at(5, 1), people["neighbour"], people["neighbour2"])
    _review(session, p2, building, staff, rules.Action.REJECT, at(5, 20))
    p3 = _new(session, building, author, "P3", at(12, 20, year=2025))
    _cosign(session, p3, building, at(12, 20, year=2025), people["neighbour"], people["neighbour2"])
    _review(session, p3, building, council, rules.Action.ACCEPT, at(1, 5))
    p4 = _new(session, building, author, "P4", at(6, 1))
    _cosign(session, p4, building, at(6, 2), people["neighbour"])
    _comment(session, p4, people["neighbour"], at(6, 3))
    _comment(session, p4, people["neighbour2"], at(6, 4))
    p5 = _new(session, other, people["outsider"], "P5", at(7, 1))
    _cosign(session, p5, other, at(7, 1), people["neighbour3"])
    p6 = _new(session, other, people["outsider"], "P6", at(6, 1, year=2024))  # merges stay within the place
    with freeze(at(7, 5)):
        actions.do_merge(session, p5, other, load_person(session, staff), staff, p6, reason="同一件事")
    _vote(session, building, people, at(8, 1), ("author", "neighbour"))
    _vote(session, building, people, at(11, 1, year=2025), ("author",))
    _meeting(session, building, people)
    session.commit()
    return World(town.community, town.compounds[0], town.compounds[1], building, other, people,
                 {"P1": p1, "P2": p2, "P3": p3, "P4": p4, "P5": p5})


def _figures(session: Session, place: Place | None, period: periods.Period = YEAR) -> queries.Figures:
    return queries.figures(session, place, period, NOW)


def test_every_figure_of_the_community_for_the_year_is_what_was_counted_by_hand(session, world):
    f = _figures(session, world.community)
    assert f.raised == 4  # P1, P2, P4, P5; P3 was submitted in 2025
    assert f.outcomes == {"accept": 2, "reject": 1, "merge": 1, "close": 1}  # P1 and P3 accepted in 2026
    assert f.median_seconds["accept"] == 12.5 * 86400  # P1 in 9 days, P3 in 16: the mean of the middle two
    assert f.median_seconds["approve_plan"] == 19 * 86400
    assert f.median_seconds["close"] == 60 * 86400
    assert f.timed == {"accept": 2, "approve_plan": 1, "close": 1}
    assert (f.reviews, f.reviews_on_time) == (4, 2)  # P1 (8 days) and P5 (4 days) within 15; P2 and P3 late
    assert (f.milestones, f.milestones_on_time) == (2, 1)
    assert (f.meetings, f.registered, f.signed_in) == (1, 2, 2)
    assert (f.votes, f.on_rolls, f.voted) == (1, 3, 2)
    assert f.ratings == {"satisfied": 1, "fairly_satisfied": 1, "dissatisfied": 1}
    assert f.satisfied == 1  # building 1 counts only 满意, as P1's published rate says
    assert world.proposals["P1"].satisfaction == "33.33"
    assert (f.cosigns, f.comments) == (2 + 2 + 1 + 1, 3)
    assert f.by_month["2026-03"] == {"raised": 1, "close": 0} and f.by_month["2026-04"] == {"raised": 0, "close": 1}
    assert sum(n["raised"] for n in f.by_month.values()) == 4 and list(f.by_month)[0] == "2026-01"


def test_the_default_formula_counts_fairly_satisfied_as_satisfied(session, world):
    actions.do_set_rules(session, world.building, rules.PlaceRules(threshold=rules.Threshold("count", count=2)))
    session.commit()
    assert _figures(session, world.community).satisfied == 2


def test_what_happened_outside_the_period_is_not_counted(session, world):
    last_year = _figures(session, world.community, periods.named("2025"))
    assert last_year.raised == 1 and last_year.outcomes["accept"] == 0  # P3 submitted in 2025, accepted in 2026
    assert (last_year.votes, last_year.on_rolls, last_year.voted) == (1, 3, 1)
    first_quarter = _figures(session, world.community, periods.named("2026-Q1"))
    assert first_quarter.raised == 1 and first_quarter.outcomes == {"accept": 2, "reject": 0, "merge": 0, "close": 0}
    assert (first_quarter.meetings, first_quarter.votes, first_quarter.milestones) == (0, 0, 0)
    april = _figures(session, world.community, periods.parse(date(2026, 12, 1), first="2026-04-01", last="2026-04-30"))
    assert april.raised == 0 and april.outcomes["close"] == 1 and april.milestones == 2
    assert april.valid_ratings == 3


def test_a_buildings_figures_are_within_its_compounds_and_those_within_the_communitys(session, world):
    building, compound = _figures(session, world.building), _figures(session, world.compound)
    other, community = _figures(session, world.other_building), _figures(session, world.community)
    assert (building.raised, compound.raised, other.raised, community.raised) == (3, 3, 1, 4)
    assert other.outcomes["merge"] == 1 and compound.outcomes["merge"] == 0
    assert _figures(session, world.other_compound).raised == 1
    for small, large in ((building, compound), (compound, community), (other, community)):
        assert small.raised <= large.raised and small.reviews <= large.reviews and small.votes <= large.votes
        assert all(small.outcomes[k] <= large.outcomes[k] for k in large.outcomes)
    deployment = _figures(session, None)
    assert deployment.raised == community.raised and deployment.outcomes == community.outcomes


def test_a_place_with_nothing_has_zeros_and_no_rates(session, world):
    empty = queries.figures(session, world.community, periods.named("2030"), NOW)
    assert empty.raised == 0 and empty.median_seconds == {"accept": None, "approve_plan": None, "close": None}
    assert empty.valid_ratings == 0 and queries.share(empty.satisfied, empty.valid_ratings) is None


@pytest.mark.parametrize(("query", "first", "last"), [
    ({}, date(2025, 12, 2), date(2026, 12, 1)),
    ({"period": "2026"}, date(2026, 1, 1), date(2026, 12, 31)),
    ({"period": "2026-q3"}, date(2026, 7, 1), date(2026, 9, 30)),
    ({"period": "2024-02"}, date(2024, 2, 1), date(2024, 2, 29)),
    ({"first": "2026-03-05", "last": "2026-03-05"}, date(2026, 3, 5), date(2026, 3, 5)),
])
def test_periods_are_read_from_the_query_string(query, first, last):
    period = periods.parse(date(2026, 12, 1), **query)
    assert (period.first, period.last) == (first, last)
    assert period.starts_at == datetime(first.year, first.month, first.day, tzinfo=SHANGHAI)


@pytest.mark.parametrize("query", ["?period=2026-13", "?period=1999", "?period=Q3", "?from=2026-02-30&to=2026-03-01",
                                   "?from=2026-03-01&to=2026-02-01", "?from=2026-03-01",
                                   "?from=2000-01-01&to=2099-01-01"])
def test_a_period_that_cannot_be_read_is_refused_with_400_and_a_sentence(client, world, query):
    answer = client.get(f"/places/{world.community.id}/statistics{query}")
    assert answer.status_code == 400 and ("统计期间" in answer.text or "日期" in answer.text)


def _svgs(html: str) -> list[ElementTree.Element]:
    sources = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    return [ElementTree.fromstring(base64.b64decode(source)) for source in sources]


def _tables(html: str) -> list[list[list[str]]]:
    tables = re.findall(r'<table class="chart-table">(.*?)</table>', html, re.S)
    return [[re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", t, re.S)]
            for t in tables]


def test_the_page_shows_every_figure_and_three_charts_whose_tables_hold_their_numbers(client, world):
    with freeze(NOW):
        html = client.get(f"/places/{world.community.id}/statistics?period=2026").text
    assert re.search(r'id="figure-raised"><th scope="row">提出的提案</th><td class="value">4<', html)
    assert re.search(r'id="figure-accept">.*?12\.5 天', html)
    assert re.search(r'id="figure-satisfaction">.*?33\.33%.*?1 / 3', html)
    assert re.search(r'id="figure-reviews_on_time">.*?50\.00%.*?2 / 4', html)
    assert re.search(r'id="figure-comments">.*?0\.8<', html)  # 3 / 4 rounded half up
    svgs, tables = _svgs(html), _tables(html)
    assert len(svgs) == 3 and len(tables) == 3
    titles = [svg.find("{http://www.w3.org/2000/svg}title") for svg in svgs]
    assert [t.text for t in titles if t is not None] == ["每月提出与办结的提案", "办理结果", "办结提案的满意度评价"]
    assert html.count('role="img"') == 3
    assert tables[1] == [["结果", "提案数"], ["受理立案", "2"], ["驳回", "1"], ["合并", "1"], ["办结", "1"]]
    assert tables[2] == [["评价", "份数"], ["满意", "1"], ["基本满意", "1"], ["不满意", "1"]]
    assert tables[0][3] == ["2026-03", "1", "0"] and len(tables[0]) == 13
    assert "alt=\"办理结果：受理立案: 提案数 2; 驳回: 提案数 1; 合并: 提案数 1; 办结: 提案数 1\"" in html
    drawn = " ".join(ElementTree.tostring(svgs[1], encoding="unicode").split())
    assert all(label in drawn for label in ("受理立案", "驳回", "合并", "办结"))


def test_the_json_twin_has_the_same_figures(client, world):
    with freeze(NOW):
        data = client.get(f"/places/{world.building.id}/statistics.json?period=2026").json()
    assert data["place"]["id"] == world.building.id and data["period"] == {"kind": "year", "from": "2026-01-01",
                                                                          "to": "2026-12-31"}
    assert data["proposals"] == {"raised": 3, "accepted": 2, "rejected": 1, "merged": 0, "closed": 1, "cosigns": 5,
                                 "comments": 3, "cosigns_per_proposal": "1.7", "comments_per_proposal": "1.0"}
    assert data["median_days"] == {"to_acceptance": "12.5", "to_approved_plan": "19.0", "to_closing": "60.0"}
    assert data["on_time"]["reviews_percent"] == "33.33" and data["on_time"]["milestones_percent"] == "50.00"
    assert data["votes"] == {"held": 1, "on_rolls": 3, "voted": 2, "turnout_percent": "66.67"}
    assert data["meetings"] == {"held": 1, "registered": 2, "signed_in": 2, "attendance_percent": "100.00"}
    assert data["satisfaction"]["percent"] == "33.33" and "满意" in data["satisfaction"]["formula"]


def test_the_deployment_page_counts_every_place_and_names_nobody(client, world):
    with freeze(NOW):
        page = client.get("/statistics?period=2026")
        data = client.get("/statistics.json?period=2026").json()
    assert page.status_code == 200 and data["place"] is None and data["proposals"]["raised"] == 4
    for name in ("author", "neighbour", "neighbour2", "outsider", "住户0", "街道来宾"):
        assert name not in page.text and name not in str(data)


def test_the_page_speaks_english_too(client, world):
    with freeze(NOW):
        html = client.get(f"/places/{world.community.id}/statistics?period=2026-Q1",
                          headers={"Accept-Language": "en"}).text
    assert "Proposals raised" in html and "Q1 2026" in html and "Ratings of the proposals closed" in html
    assert "提出的提案" not in html
    titles = [svg.find("{http://www.w3.org/2000/svg}title") for svg in _svgs(html)]
    assert [t.text for t in titles if t is not None][1] == "Outcomes"


def test_the_place_page_and_the_footer_link_to_the_statistics(client, world):
    html = client.get(f"/places/{world.compound.id}").text
    assert f'/places/{world.compound.id}/statistics"' in html
    assert re.search(r'href="[^"]*/statistics"', html.split('<footer class="site">')[1])


def test_an_unknown_place_has_no_statistics(client: TestClient, world):
    assert client.get("/places/999999/statistics").status_code == 404


def test_a_vote_keeps_its_turnout_when_it_closes_and_the_statistics_read_only_that(session, world):
    kept = session.exec(select(Vote.roll_heads, Vote.voted_heads).order_by(col(Vote.closed_at))).all()
    assert [tuple(row) for row in kept] == [(3, 1), (3, 2)]

"""我的待办 on the home page: what waits on each person, for the right person only, one tap from where it is done;
a visitor's home page is as before."""

from __future__ import annotations

from datetime import timedelta

from client_helpers import logged_in
from factories import make_proposal_cast, make_staff, make_user, reload
from sqlmodel import Session
from starlette.testclient import TestClient

from deliberate.accounts.models import User
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.inbox import todo
from deliberate.meetings import actions as meetings
from deliberate.meetings.access import access_meeting
from deliberate.meetings.actions import MeetingDraft
from deliberate.meetings.models import Access
from deliberate.meetings.rules import Kind
from deliberate.places import actions as places
from deliberate.places.models import Place
from deliberate.proposals import actions as proposals
from deliberate.proposals import tracking, works
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Milestone, Proposal
from deliberate.proposals.rules import Rating, Stage


def _proposal(session: Session, place: Place, author: User, title: str, stage: Stage | None = None) -> Proposal:
    proposal = proposals.do_create(session, place=place, author=author, draft=Draft(title, "说明", "greening"),
                                   submit=True, person=load_person(session, author))
    if stage is not None:  # as the loop would leave it
        proposal.stage = stage.value
        proposal.review_due_at = utcnow() - timedelta(days=2)
        proposal.rating_ends_at = utcnow() + timedelta(days=5)
        session.add(proposal)
    session.commit()
    return proposal


def _meeting(session: Session, place: Place, by: User, title: str = "停车协商会"):  # type: ignore[no-untyped-def]
    starts = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    meeting = meetings.do_schedule(session, place=place, by=by, draft=MeetingDraft(
        kind=Kind.CONSULTATION, title=title, description="", starts_at=starts, ends_at=starts + timedelta(hours=2),
        room="活动室", online_url="", capacity=None, access=Access.OPEN, chair_id=None, proposal_ids=(),
        items=("通报",), urgent_reason=""))
    session.commit()
    return meeting


def _register(session: Session, meeting, user: User) -> None:  # type: ignore[no-untyped-def]
    locked, place = access_meeting(session, None, meeting.id, for_update=True)
    meetings.do_register(session, locked, place, load_person(session, user), user)
    session.commit()


def _section(page: str, key: str) -> str:
    start = page.find(f'id="todo-{key}"')
    if start < 0:
        return ""
    end = page.find("</section>", start)
    return page[start:end]


def test_a_resident_sees_what_she_may_cosign_and_rate_and_her_meetings_and_nobody_else_does(app, session):
    town, building, people = make_proposal_cast(session)
    collecting = _proposal(session, building, people["author"], "楼道加装扶手")
    _proposal(session, town.building(3), people["outsider"], "别处的提案")
    finished = _proposal(session, building, people["author"], "绿化改造", Stage.RATING)
    meeting = _meeting(session, building, people["staff"])
    _register(session, meeting, people["neighbour"])

    home = logged_in(app, "neighbour").get("/").text
    assert "我的待办" in home
    cosign = _section(home, "cosign")
    assert f'href="/proposals/{collecting.id}#cosign"' in cosign and "楼道加装扶手" in cosign
    assert "别处的提案" not in home
    assert f'href="/proposals/{finished.id}#rating"' in _section(home, "rating")
    meetings_part = _section(home, "meetings")
    assert f'href="/meetings/{meeting.id}"' in meetings_part and "停车协商会" in meetings_part
    assert "待受理的提案" not in home and "逾期事项" not in home  # no staff work for a resident

    # The author co-signs nothing of her own; she may rate her own works.
    authored = logged_in(app, "author").get("/").text
    assert "楼道加装扶手" not in _section(authored, "cosign") and "绿化改造" in _section(authored, "rating")
    # The resident of the other compound sees nothing of this building.
    outsider = logged_in(app, "outsider").get("/").text
    assert "楼道加装扶手" not in outsider and "绿化改造" not in outsider and "停车协商会" not in outsider
    assert "别处的提案" not in outsider  # her own proposal: she may not co-sign it


def test_what_was_cosigned_or_rated_leaves_the_list(app, session):
    _town, building, people = make_proposal_cast(session)
    collecting = _proposal(session, building, people["author"], "楼道加装扶手")
    finished = _proposal(session, building, people["author"], "绿化改造", Stage.RATING)
    neighbour = people["neighbour"]
    person = load_person(session, neighbour)
    proposals.do_cosign(session, collecting, building, person, neighbour)
    works.do_rate(session, finished, building, person, neighbour, rating=Rating.SATISFIED, comment="")
    session.commit()
    home = logged_in(app, "neighbour").get("/").text
    assert "楼道加装扶手" not in home and "绿化改造" not in home
    # A rating period that has ended asks nobody.
    reload(session)
    assert todo.what_needs(session, load_person(session, people["neighbour2"]), utcnow() + timedelta(days=6)
                           ).rating.total == 0
    assert todo.what_needs(session, load_person(session, people["neighbour2"]), utcnow()).rating.total == 1


def test_staff_and_councils_see_reviews_decisions_acceptances_and_overdue_with_links(app, session):
    town, building, people = make_proposal_cast(session)
    review = _proposal(session, building, people["author"], "待受理的车棚", Stage.REVIEW)
    deciding = _proposal(session, building, people["author"], "待决定的方案", Stage.DECISION)
    accepting = _proposal(session, building, people["author"], "待验收的路面", Stage.ACCEPTANCE)
    other = _proposal(session, town.building(3), people["outsider"], "别处待受理", Stage.REVIEW)
    staff = logged_in(app, "staff").get("/").text
    assert f'href="/proposals/{review.id}#review"' in _section(staff, "reviews")
    assert f'href="/proposals/{other.id}#review"' in _section(staff, "reviews")  # the whole community
    assert f'href="/proposals/{deciding.id}#plans"' in _section(staff, "decisions")
    assert f'href="/proposals/{accepting.id}#supervision"' in _section(staff, "acceptances")
    overdue = _section(staff, "overdue")
    assert f'href="/places/{town.community.id}/tracking#summary"' in overdue and "项逾期" in overdue

    council = logged_in(app, "council").get("/").text  # the building's council: its own place only
    assert "待受理的车棚" in council and "待决定的方案" in council and "别处待受理" not in council
    assert "逾期事项" not in council  # the tracking page is staff's
    leader = logged_in(app, "leader").get("/").text  # accepts works of the building
    assert "待验收的路面" in _section(leader, "acceptances") and "待受理的车棚" not in leader
    supervisor = logged_in(app, "supervisor").get("/").text
    assert "待验收的路面" in _section(supervisor, "acceptances")
    # Staff of another community see nothing of this one.
    make_staff(session, _other_community(session), "far_staff")
    far = logged_in(app, "far_staff").get("/").text
    assert "待受理的车棚" not in far and "逾期事项" not in far


def _other_community(session: Session) -> Place:
    place = places.do_create_place(session, kind="community", name="远方社区")
    session.commit()
    return place


def test_the_overdue_count_is_the_tracking_pages(session):
    town, building, people = make_proposal_cast(session)
    _proposal(session, building, people["author"], "逾期受理", Stage.REVIEW)
    late = _proposal(session, town.building(3), people["outsider"], "逾期节点", Stage.IMPLEMENTATION)
    session.add(Milestone(proposal_id=late.id, title="开工", due_on=(utcnow() - timedelta(days=3)).date()))
    session.commit()
    now = utcnow()
    places = [town.community, town.compounds[0], town.compounds[1]]
    expected = [tracking.tracking(session, place, now).overdue for place in places]
    assert tracking.overdue_counts(session, places, now) == expected
    assert expected == [2, 1, 1]


def test_lists_are_capped_with_a_link_to_the_whole_list(app, session):
    town, building, people = make_proposal_cast(session)
    for n in range(todo.CAP + 2):
        _proposal(session, building, people["author"], f"第{n}号待受理", Stage.REVIEW)
    staff = logged_in(app, "staff").get("/").text
    reviews = _section(staff, "reviews")
    assert reviews.count('href="/proposals/') == todo.CAP
    assert f'href="/places/{town.community.id}/tracking#review"' in reviews and f"全部 {todo.CAP + 2} 项" in reviews


def test_a_visitor_and_a_person_with_nothing_to_do_see_no_todo(app, session):
    make_proposal_cast(session)
    assert "我的待办" not in TestClient(app).get("/").text
    make_user(session, "plain")
    assert "我的待办" not in logged_in(app, "plain").get("/").text

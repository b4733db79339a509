"""Staff of a community see what waits on whom in it (督办), most overdue first, and export it as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from client_helpers import login
from factories import Town, make_resident, make_staff, make_town
from query_helpers import statements
from sqlmodel import Session

from deliberate.accounts.models import User
from deliberate.accounts.people import load_person
from deliberate.clock import utcnow
from deliberate.places.models import Place
from deliberate.proposals import actions, tracking
from deliberate.proposals.models import Milestone, Plan, PlanStatus, PlanVersion, Proposal, ProposalRating
from deliberate.proposals.rules import Rating, Stage
from deliberate.proposals.tracking import Section
from deliberate.voting import actions as voting

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class Setup:
    town: Town
    author: User
    staff: User
    now: datetime

    @property
    def today(self) -> date:
        return self.now.astimezone(SHANGHAI).date()


def _setup(session: Session) -> Setup:
    town = make_town(session)
    staff = make_staff(session, town.community)
    author = make_resident(session, "author", town.households[0], by=staff)
    session.get(User, author.id).display_name = "王阿姨"
    session.commit()
    return Setup(town, author, staff, utcnow())


def _proposal(session: Session, author: User, place: Place, title: str, stage: Stage, **dates: object) -> Proposal:
    proposal = actions.do_create(
        session, place=place, author=author, draft=actions.Draft(title, "说明", "greening"), submit=True,
        person=load_person(session, author),
    )
    proposal.stage = stage.value
    for name, value in dates.items():
        setattr(proposal, name, value)
    session.add(proposal)
    session.commit()
    return proposal


def _plan(session: Session, proposal: Proposal, title: str, ends_at: datetime, vote_id: int | None = None) -> Plan:
    plan = Plan(proposal_id=proposal.id, status=PlanStatus.DISCLOSED, disclosure_starts_at=ends_at - timedelta(days=7),
                disclosure_ends_at=ends_at, vote_id=vote_id)
    session.add(plan)
    session.flush()
    session.add(PlanVersion(plan_id=plan.id, number=1, title=title, description="做什么", responsible="物业"))
    session.commit()
    return plan


def _milestone(session: Session, proposal: Proposal, title: str, due_on: date, responsible: str = "") -> None:
    session.add(Milestone(proposal_id=proposal.id, title=title, due_on=due_on, responsible=responsible))
    session.commit()


def _everything(session: Session, s: Setup) -> dict[str, Proposal]:
    """One community with something waiting in every section; the building is inside the community."""
    building, now, author = s.town.building(0), s.now, s.author
    made = {
        "late_review": _proposal(session, author, building, "修补3号楼屋顶", Stage.REVIEW,
                                 review_due_at=now - timedelta(days=5, hours=2)),
        "fresh_review": _proposal(session, author, s.town.community, "增设快递柜", Stage.REVIEW,
                                  review_due_at=now + timedelta(days=10)),
        "changes": _proposal(session, author, building, "楼道加装扶手", Stage.CHANGES_REQUESTED,
                             review_due_at=now - timedelta(days=2, hours=2)),
        "disclosure": _proposal(session, author, building, "改造自行车棚", Stage.DISCLOSURE),
        "decision": _proposal(session, author, building, "加装电梯", Stage.DECISION),
        "works": _proposal(session, author, building, "更换路灯", Stage.IMPLEMENTATION, responsible="街道城管科"),
        "acceptance": _proposal(session, author, building, "小花园改造", Stage.ACCEPTANCE,
                                stage_changed_at=now - timedelta(days=6, hours=1)),
        "rating_over": _proposal(session, author, building, "停车位划线", Stage.RATING,
                                 rating_ends_at=now - timedelta(days=1, hours=3)),
        "rating_open": _proposal(session, author, building, "垃圾分类亭", Stage.RATING,
                                 rating_ends_at=now + timedelta(days=4)),
    }
    _plan(session, made["disclosure"], "车棚方案甲", now + timedelta(days=3))
    vote = voting.do_create_vote(
        session, place=building, title="加装电梯方案表决", question="是否同意？", form="yes_no", rule="two_thirds",
        electorate_kind="households", secret=False, closes_at=now + timedelta(days=2), options=[], by=s.staff,
    )
    session.commit()
    _plan(session, made["decision"], "电梯方案", now - timedelta(days=1), vote_id=vote.id)
    _milestone(session, made["works"], "采购灯杆", s.today - timedelta(days=9), responsible="照明公司")
    _milestone(session, made["works"], "埋设电缆", s.today - timedelta(days=2))
    _milestone(session, made["works"], "安装灯头", s.today + timedelta(days=3))
    _milestone(session, made["works"], "亮灯验收准备", s.today + timedelta(days=30))
    session.add(Milestone(proposal_id=made["works"].id, title="已完成的勘察", due_on=s.today - timedelta(days=20),
                          done_at=now - timedelta(days=19)))
    resident = make_resident(session, "neighbour", s.town.households[1], by=s.staff)
    for user in (author, resident):
        session.add(ProposalRating(proposal_id=made["rating_over"].id, user_id=user.id, rating=Rating.SATISFIED))
    session.commit()
    return made


def _titles(found: tracking.Tracking, key: Section) -> list[str]:
    return [row.title for row in found.section(key).rows]


def test_every_section_lists_what_waits_with_days_overdue_most_overdue_first(session):
    s = _setup(session)
    made = _everything(session, s)
    found = tracking.tracking(session, s.town.community, s.now)

    review = found.section(Section.REVIEW).rows
    assert [r.title for r in review] == ["修补3号楼屋顶", "楼道加装扶手", "增设快递柜"]
    assert [r.days_overdue for r in review] == [5, 2, 0]
    assert [r.responsible for r in review] == ["工作人员/议事会", "王阿姨", "工作人员/议事会"]
    assert review[0].place_name == "幸福里社区1区 / 1号楼"  # named from below the community: buildings repeat
    assert review[2].place_name == "幸福里社区"
    assert review[0].due == made["late_review"].review_due_at

    disclosure = found.section(Section.DISCLOSURE).rows
    assert [r.title for r in disclosure] == ["加装电梯", "改造自行车棚"]  # neither late: the vote closes first
    assert disclosure[0].vote_id is not None and disclosure[0].waiting_for == "表决准备中"
    assert disclosure[0].due > s.now
    assert "车棚方案甲" in disclosure[1].waiting_for and disclosure[1].vote_id is None

    late = found.section(Section.MILESTONES_OVERDUE).rows
    assert [(r.waiting_for, r.days_overdue, r.responsible) for r in late] == [
        ("节点：采购灯杆", 9, "照明公司"), ("节点：埋设电缆", 2, "街道城管科")]
    assert late[0].due == s.today - timedelta(days=9)
    soon = found.section(Section.MILESTONES_SOON).rows
    assert [(r.waiting_for, r.days_overdue, r.overdue) for r in soon] == [("节点：安装灯头", 0, False)]

    acceptance = found.section(Section.ACCEPTANCE).rows
    assert [(r.title, r.days_overdue, r.responsible) for r in acceptance] == [("小花园改造", 6, "居民代表/监督员")]

    rating = found.section(Section.RATING).rows
    assert [(r.title, r.ratings, r.overdue) for r in rating] == [("停车位划线", 2, True), ("垃圾分类亭", 0, False)]
    assert "可以办结" in rating[0].waiting_for

    assert found.overdue == 2 + 2 + 1  # two reviews, two milestones, one rating ready to close
    assert len(found.rows) == 3 + 2 + 2 + 1 + 1 + 2


def test_a_milestone_is_late_only_after_its_day_and_listed_a_week_ahead(session):
    s = _setup(session)
    works = _proposal(session, s.author, s.town.building(0), "更换路灯", Stage.IMPLEMENTATION)
    for offset in (-1, 0, 7, 8):
        _milestone(session, works, f"节点{offset}", s.today + timedelta(days=offset))
    # 23:30 in Shanghai: still the same day there, whatever the UTC date says.
    now = datetime.combine(s.today, datetime.min.time(), tzinfo=SHANGHAI).replace(hour=23, minute=30)
    found = tracking.tracking(session, s.town.community, now)
    assert [(r.waiting_for, r.days_overdue) for r in found.section(Section.MILESTONES_OVERDUE).rows] == [
        ("节点：节点-1", 1)]
    assert [r.waiting_for for r in found.section(Section.MILESTONES_SOON).rows] == ["节点：节点0", "节点：节点7"]


def test_proposals_outside_the_place_are_not_tracked(session):
    s = _setup(session)
    due = s.now - timedelta(days=1, hours=1)
    _proposal(session, s.author, s.town.building(0), "本楼的提案", Stage.REVIEW, review_due_at=due)
    other = make_town(session, "光明社区")
    stranger = make_resident(session, "stranger", other.households[0], by=s.staff)
    _proposal(session, stranger, other.building(0), "别的社区的提案", Stage.REVIEW, review_due_at=due)
    _proposal(session, s.author, s.town.building(3), "另一小区的提案", Stage.REVIEW, review_due_at=due)

    assert _titles(tracking.tracking(session, s.town.community, s.now), Section.REVIEW) == [
        "本楼的提案", "另一小区的提案"]  # equally late: by due, then by id
    compound = tracking.tracking(session, s.town.compounds[0], s.now).section(Section.REVIEW).rows
    assert [(r.title, r.place_name) for r in compound] == [("本楼的提案", "1号楼")]
    assert _titles(tracking.tracking(session, other.community, s.now), Section.REVIEW) == ["别的社区的提案"]


def test_staff_see_the_tracking_page_with_every_section_and_the_vote_link(client, session):
    s = _setup(session)
    made = _everything(session, s)
    login(client, "staff")
    page = client.get(f"/places/{s.town.community.id}/tracking")
    assert page.status_code == 200
    text = page.text
    assert "共 5 项逾期" in text
    for title in ("修补3号楼屋顶", "楼道加装扶手", "改造自行车棚", "加装电梯", "更换路灯", "小花园改造", "停车位划线"):
        assert title in text
    assert text.index("修补3号楼屋顶") < text.index("楼道加装扶手") < text.index("增设快递柜")
    assert f'href="/proposals/{made["late_review"].id}"' in text
    assert 'href="/votes/' in text
    assert "逾期 5 天" in text and "逾期 9 天" in text
    due = made["late_review"].review_due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert due in text
    assert (s.today - timedelta(days=9)).isoformat() in text
    assert f'href="/places/{s.town.community.id}/tracking.csv"' in text


def test_empty_sections_say_so(client, session):
    s = _setup(session)
    login(client, "staff")
    page = client.get(f"/places/{s.town.community.id}/tracking")
    assert page.status_code == 200
    assert page.text.count("没有等待中的事项。") == len(Section)
    assert "共 0 项逾期" in page.text


def test_staff_of_another_community_and_residents_are_refused(client, session):
    s = _setup(session)
    other = make_town(session, "光明社区")
    make_staff(session, other.community, "other_staff")
    url = f"/places/{s.town.community.id}/tracking"
    for username in ("other_staff", "author"):
        client.cookies.clear()
        login(client, username)
        assert client.get(url).status_code == 403
        assert client.get(url + ".csv").status_code == 403


def test_staff_of_a_compound_may_track_it_but_not_the_community(client, session):
    s = _setup(session)
    make_staff(session, s.town.compounds[0], "compound_staff")
    login(client, "compound_staff")
    assert client.get(f"/places/{s.town.compounds[0].id}/tracking").status_code == 200
    assert client.get(f"/places/{s.town.building(0).id}/tracking").status_code == 200
    assert client.get(f"/places/{s.town.community.id}/tracking").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, session):
    s = _setup(session)
    for suffix in ("", ".csv"):
        response = client.get(f"/places/{s.town.community.id}/tracking{suffix}")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_an_unknown_place_is_not_found(client, session):
    _setup(session)
    login(client, "staff")
    assert client.get("/places/999999/tracking").status_code == 404


def test_the_csv_export_has_a_bom_a_header_one_row_per_item_and_no_formulas(client, session):
    s = _setup(session)
    made = _everything(session, s)
    _proposal(session, s.author, s.town.building(0), "=HYPERLINK(\"http://evil\")", Stage.ACCEPTANCE)
    login(client, "staff")
    response = client.get(f"/places/{s.town.community.id}/tracking.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="tracking-{s.town.community.id}-{s.today.isoformat()}.csv"')
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["类别", "提案编号", "提案标题", "地点", "等待事项", "责任方", "期限", "逾期天数"]
    assert len(rows) == 1 + 11 + 1
    assert rows[1][:4] == ["待受理", str(made["late_review"].id), "修补3号楼屋顶", "幸福里社区1区 / 1号楼"]
    assert rows[1][5:] == [
        "工作人员/议事会", made["late_review"].review_due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"), "5"]
    assert ["逾期节点（督办）", str(made["works"].id), "更换路灯", "幸福里社区1区 / 1号楼", "节点：采购灯杆",
            "照明公司", (s.today - timedelta(days=9)).isoformat(), "9"] in rows
    assert "'=HYPERLINK(\"http://evil\")" in [row[2] for row in rows]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("普通文字", "普通文字"), ("a=b", "a=b"), (12, "12"), (None, ""), ("", ""),
])
def test_a_cell_that_a_spreadsheet_would_run_gets_an_apostrophe(value, cell):
    assert tracking.safe_cell(value) == cell


# Counted by the database, paged, linear --------------------------------------------------------


def _many_reviews(session: Session, s: Setup, count: int) -> list[Proposal]:
    """`count` proposals in review, the first ones most overdue, every third not yet due, one without a deadline."""
    made = []
    for n in range(count):
        late = s.now - timedelta(days=count - n, hours=1)
        due = None if n == count - 1 else late if n % 3 else s.now + timedelta(days=n + 1)
        made.append(_proposal(session, s.author, s.town.building(n % 4), f"待受理{n}", Stage.REVIEW,
                              review_due_at=due))
    return made


def test_each_section_is_counted_by_the_database_and_paged_in_its_order(session):
    s = _setup(session)
    _many_reviews(session, s, 25)
    everything = [row.title for row in tracking.every_row(session, s.town.community, s.now, chunk=7)]
    assert len(everything) == 25 and everything[-1] == "待受理24"  # no deadline: last

    first = tracking.tracking(session, s.town.community, s.now).section(Section.REVIEW)
    assert (first.total, first.page, first.next_page, len(first.rows)) == (25, 1, 2, tracking.PAGE_SIZE)
    assert first.overdue == sum(1 for n in range(24) if n % 3)  # counted over the section, not the page
    second = tracking.tracking(session, s.town.community, s.now, pages={Section.REVIEW: 2}).section(Section.REVIEW)
    assert (second.total, second.page, second.next_page, len(second.rows)) == (25, 2, None, 5)
    assert [row.title for row in first.rows + second.rows] == everything
    days = [row.days_overdue for row in first.rows + second.rows]
    assert days == sorted(days, reverse=True)  # most overdue first, across the pages


def test_every_sections_count_and_overdue_count_agree_with_its_rows(session):
    s = _setup(session)
    _everything(session, s)
    found = tracking.tracking(session, s.town.community, s.now)
    for section in found.sections:
        assert section.total == len(section.rows), section.key
        assert section.overdue == sum(row.overdue for row in section.rows), section.key
        assert section.next_page is None


def test_a_sections_next_page_is_a_link_that_keeps_the_other_sections_pages(client, session):
    s = _setup(session)
    _many_reviews(session, s, 25)
    login(client, "staff")
    url = f"/places/{s.town.community.id}/tracking"
    first = client.get(url).text
    assert '<span class="tag">25</span>' in first
    assert f'href="{url}?review=2#review"' in first
    assert ">待受理21<" not in first and ">待受理24<" not in first  # the latest due and the one without: page 2
    second = client.get(f"{url}?review=2&rating=3").text
    assert ">待受理21<" in second and ">待受理24<" in second and ">待受理1<" not in second
    assert f'href="{url}?rating=3#review"' in second  # back to the first page of this section only
    assert client.get(f"{url}?review=x&rating=-1").status_code == 200  # not a page number: the first


def test_the_csv_export_is_streamed_complete_beyond_one_page(client, session):
    s = _setup(session)
    _many_reviews(session, s, 25)
    login(client, "staff")
    rows = list(csv.reader(io.StringIO(client.get(f"/places/{s.town.community.id}/tracking.csv")
                                       .content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 25
    assert rows[-1][2] == "待受理24"


def test_the_tracking_page_reads_as_much_for_many_waiting_items_as_for_few(client, session):
    s = _setup(session)
    made = _everything(session, s)
    login(client, "staff")
    url = f"/places/{s.town.community.id}/tracking"
    few = statements(client, url)
    for n in range(3):
        _plan(session, made["disclosure"], f"车棚方案{n}", s.now + timedelta(days=n + 1))
        decision = _proposal(session, s.author, s.town.building(1), f"决定中{n}", Stage.DECISION)
        _plan(session, decision, f"方案{n}", s.now - timedelta(days=n + 1))
        _milestone(session, made["works"], f"节点{n}", s.today - timedelta(days=n + 1))
        _milestone(session, made["works"], f"将到{n}", s.today + timedelta(days=n))
        _proposal(session, s.author, s.town.building(2), f"验收{n}", Stage.ACCEPTANCE)
        _proposal(session, s.author, s.town.building(3), f"评价{n}", Stage.RATING, rating_ends_at=s.now)
    _many_reviews(session, s, 25)
    assert statements(client, url) == few

"""A place's home page: what is open now, what was decided lately and who is responsible, for the place and
the places inside it (marked), never a sibling's; the same in its `.json` twin; a fixed number of statements."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

from factories import Town, grant, make_town, make_user
from query_helpers import statements
from sqlmodel import Session

from deliberate.accounts.models import Role, User
from deliberate.clock import utcnow
from deliberate.meetings.models import Meeting, MeetingStatus
from deliberate.places.models import Place
from deliberate.proposals.models import ProgressUpdate, Proposal
from deliberate.voting.models import Vote, VoteStatus


@dataclass
class Scene:
    town: Town
    compound: Place  # 1区, the one we look at
    sibling: Place  # 2区
    building: Place  # 1区 › 1号楼
    author: User


def _proposal(session: Session, place: Place, author: User, title: str, stage: str, **more: object) -> Proposal:
    proposal = Proposal(place_id=place.id, author_id=author.id, title=title, category="other", stage=stage,
                        submitted_at=utcnow(), **more)
    session.add(proposal)
    session.flush()
    return proposal


def _vote(session: Session, place: Place, title: str, status: str, **more: object) -> Vote:
    vote = Vote(place_id=place.id, title=title, form="yes_no", rule="majority", electorate="adults", status=status,
                closes_at=utcnow() + timedelta(days=3), **more)
    session.add(vote)
    session.flush()
    return vote


def _certified(session: Session, place: Place, title: str, *, passed: bool, voted: int, roll: int) -> Vote:
    result = {"passed": passed, "electorate": {"heads": roll, "area": "0.00"},
              "participation": {"heads": voted, "area": "0.00"}}
    return _vote(session, place, title, VoteStatus.CERTIFIED, certified_at=utcnow(), closed_at=utcnow(),
                 roll_heads=roll, voted_heads=voted, result_json=json.dumps(result))


def _meeting(session: Session, place: Place, title: str, *, days: int, room: str = "") -> Meeting:
    starts = utcnow() + timedelta(days=days)
    meeting = Meeting(place_id=place.id, kind="council", title=title, starts_at=starts,
                      ends_at=starts + timedelta(hours=2), room=room, status=MeetingStatus.SCHEDULED,
                      noticed_at=utcnow(), notice_days=5)
    session.add(meeting)
    session.flush()
    return meeting


def _progress(session: Session, proposal: Proposal, by: User, *percents: int) -> None:
    for n, percent in enumerate(percents):
        session.add(ProgressUpdate(proposal_id=proposal.id, text=f"第{n + 1}次", percent=percent, by_id=by.id,
                                   created_at=utcnow() + timedelta(minutes=n)))
    session.flush()


def _scene(session: Session) -> Scene:
    town = make_town(session, "和平里社区")
    compound, sibling = town.compounds
    building, other = town.building(0), town.building(2)
    author = make_user(session, "author", name="作者甲")
    _vote(session, compound, "小区门禁表决", VoteStatus.OPEN)
    _vote(session, building, "楼道灯表决", VoteStatus.OPEN)
    _vote(session, other, "隔壁表决", VoteStatus.OPEN)
    _vote(session, compound, "草稿表决", VoteStatus.DRAFT)
    _proposal(session, building, author, "楼下停车", "cosigning")
    _proposal(session, compound, author, "小区绿化", "review")
    _proposal(session, sibling, author, "隔壁提案", "review")
    _proposal(session, compound, author, "一份草稿", "draft")
    works = _proposal(session, building, author, "加装电梯", "implementation")
    _progress(session, works, author, 30, 60)
    _proposal(session, compound, author, "修补路面", "implementation")
    _proposal(session, sibling, author, "隔壁工程", "implementation")
    _meeting(session, building, "楼栋议事会", days=2, room="一楼活动室")
    _meeting(session, sibling, "隔壁会议", days=3, room="二区会议室")
    _meeting(session, compound, "上月会议", days=-30)
    _certified(session, compound, "停车收费表决", passed=True, voted=3, roll=4)
    _certified(session, building, "楼顶防水表决", passed=False, voted=1, roll=2)
    _certified(session, sibling, "隔壁结果", passed=True, voted=1, roll=1)
    _proposal(session, building, author, "更换水管", "closed", closed_at=utcnow(), satisfaction="87.50")
    _proposal(session, sibling, author, "隔壁办结", "closed", closed_at=utcnow(), satisfaction="50.00")
    session.commit()
    for username, name, role, place in [("wang", "王社工", Role.STAFF, town.community),
                                        ("li", "李议事", Role.COUNCIL, compound),
                                        ("zhang", "张楼长", Role.BUILDING_LEADER, building),
                                        ("zhao", "赵隔壁", Role.COUNCIL, sibling)]:
        grant(session, make_user(session, username, name=name), role, place)
    return Scene(town, compound, sibling, building, author)


def _section(html: str, heading_id: str) -> str:
    found = re.search(rf'aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert found, heading_id
    return found.group(1)


def test_a_compound_shows_its_own_and_its_buildings_items_marked_and_never_a_siblings(client, session):
    scene = _scene(session)
    html = client.get(f"/places/{scene.compound.id}").text
    votes = _section(html, "open-votes-h")
    assert "小区门禁表决" in votes and "楼道灯表决" in votes and "1号楼" in votes
    assert "隔壁表决" not in votes and "草稿表决" not in votes
    assert "截止：" in votes
    stages = _section(html, "stages-h")
    assert re.search(r'\?stage=review"><span>受理中</span> <strong>1</strong>', stages)
    assert re.search(r'\?stage=implementation"><span>实施中</span> <strong>2</strong>', stages)
    assert re.search(r'\?stage=cosigning"><span>征集附议</span> <strong>1</strong>', stages)
    assert "草稿" not in stages
    meetings = _section(html, "meetings-h")
    assert "楼栋议事会" in meetings and "一楼活动室" in meetings
    assert "隔壁会议" not in meetings and "上月会议" not in meetings
    works = _section(html, "works-h")
    assert re.search(r'<progress max="100" value="60"[^>]*>60%</progress> <strong>进度 60%</strong>', works)
    assert 'value="0"' in works and "修补路面" in works and "隔壁工程" not in works
    results = _section(html, "results-h")
    assert "停车收费表决" in results and "通过" in results and "3 / 4 人参与（75.00%）" in results
    assert "楼顶防水表决" in results and "未通过" in results and "1 / 2 人参与（50.00%）" in results
    assert "隔壁结果" not in results
    closings = _section(html, "closings-h")
    assert "更换水管" in closings and "满意率 87.50%" in closings and "隔壁办结" not in closings
    people = html.split('id="place-people-h"')[1]
    assert "<strong>王社工</strong> <span class=\"meta\">社区工作者 · 和平里社区</span>" in people
    assert "<strong>张楼长</strong> <span class=\"meta\">楼栋长 · 1号楼</span>" in people
    assert "李议事" in people and "张楼长" in people and "赵隔壁" not in people
    assert "住户0" not in html  # the register stays private


def test_a_community_shows_everything_inside_marked_by_compound_and_building(client, session):
    scene = _scene(session)
    html = client.get(f"/places/{scene.town.community.id}").text
    votes = _section(html, "open-votes-h")
    assert "隔壁表决" in votes and "和平里社区1区 › 1号楼" in votes and "和平里社区2区" in votes
    assert re.search(r'\?stage=review"><span>受理中</span> <strong>2</strong>', _section(html, "stages-h"))
    assert "隔壁会议" in _section(html, "meetings-h")
    assert "隔壁工程" in _section(html, "works-h")
    assert "隔壁结果" in _section(html, "results-h")
    assert "满意率 50.00%" in _section(html, "closings-h")
    people = html.split('id="place-people-h"')[1]
    assert all(name in people for name in ("王社工", "李议事", "张楼长", "赵隔壁"))


def test_a_building_shows_only_its_own_items_and_who_is_responsible_above_it(client, session):
    scene = _scene(session)
    html = client.get(f"/places/{scene.building.id}").text
    votes = _section(html, "open-votes-h")
    assert "楼道灯表决" in votes and "小区门禁表决" not in votes
    assert 'class="tag place-tag"' not in votes  # its own items are not marked
    assert "楼栋议事会" in _section(html, "meetings-h")
    assert "修补路面" not in _section(html, "works-h") and "加装电梯" in _section(html, "works-h")
    assert "楼顶防水表决" in _section(html, "results-h") and "停车收费表决" not in _section(html, "results-h")
    people = html.split('id="place-people-h"')[1]
    assert "张楼长" in people and "王社工" in people and "李议事" in people and "赵隔壁" not in people


def test_the_json_twin_carries_the_same_blocks(client, session):
    scene = _scene(session)
    home = client.get(f"/places/{scene.compound.id}.json").json()["home"]
    assert {v["title"] for v in home["open_votes"]} == {"小区门禁表决", "楼道灯表决"}
    marked = {v["title"]: v["place"] for v in home["open_votes"]}
    assert marked["楼道灯表决"] == {"id": scene.building.id, "name": "1号楼", "inside": True}
    assert marked["小区门禁表决"]["inside"] is False
    assert {s["stage"]: s["count"] for s in home["proposals_by_stage"]} == {
        "cosigning": 1, "review": 1, "implementation": 2, "closed": 1}
    assert [(m["title"], m["room"]) for m in home["meetings"]] == [("楼栋议事会", "一楼活动室")]
    assert {w["title"]: w["percent"] for w in home["works"]} == {"加装电梯": 60, "修补路面": 0}
    results = {r["title"]: (r["passed"], r["turnout"]) for r in home["results"]}
    assert results == {"停车收费表决": (True, {"voted": 3, "roll": 4, "percent": "75.00"}),
                       "楼顶防水表决": (False, {"voted": 1, "roll": 2, "percent": "50.00"})}
    assert [(c["title"], c["satisfaction"]) for c in home["closings"]] == [("更换水管", "87.50")]
    assert {(p["name"], p["role"]) for p in home["people"]} == {
        ("王社工", "staff"), ("李议事", "council"), ("张楼长", "building_leader")}
    assert "住户0" not in json.dumps(home, ensure_ascii=False)


def test_each_list_is_capped_with_a_link_to_the_full_list(client, session):
    scene = _scene(session)
    for n in range(8):
        _vote(session, scene.compound, f"更多表决{n}", VoteStatus.OPEN)
    session.commit()
    home = client.get(f"/places/{scene.compound.id}.json").json()["home"]
    assert len(home["open_votes"]) == 5
    html = client.get(f"/places/{scene.compound.id}").text
    assert f'href="/places/{scene.compound.id}/votes"' in _section(html, "open-votes-h")


def test_the_page_reads_as_many_statements_with_many_items_as_with_few(client, session):
    scene = _scene(session)
    url = f"/places/{scene.town.community.id}"
    few = statements(client, url)
    for n in range(12):
        place = scene.building if n % 2 else scene.sibling
        _vote(session, place, f"表决{n}", VoteStatus.OPEN)
        _certified(session, place, f"结果{n}", passed=bool(n % 3), voted=n, roll=20)
        works = _proposal(session, place, scene.author, f"工程{n}", "implementation")
        _progress(session, works, scene.author, n, n + 5)
        _proposal(session, place, scene.author, f"办结{n}", "closed", closed_at=utcnow(), satisfaction="90.00")
        _meeting(session, place, f"会议{n}", days=n + 1, room=f"{n}号室")
    session.commit()
    assert statements(client, url) == few

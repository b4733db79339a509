"""The demo community's meetings, through the real actions, each step at its moment in the past.

A hearing in 铁路宿舍 on closing the compound to outside traffic, held three weeks ago: its minutes, approved by
the chair, accepted the proposal. A consultation on the same proposal's plan next week, and a listening meeting
in 和平里小区 1号楼 the day after tomorrow, open for registration. The proposal they are about is written here, so
this runs before the proposals' own demo (whose pages pick the newest proposal of each stage).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import event, func
from sqlmodel import Session, col, select

from deliberate.clock import utcnow
from deliberate.meetings import actions, queries
from deliberate.meetings.actions import ItemRecord, MeetingDraft
from deliberate.meetings.models import Access, ItemMove, Meeting
from deliberate.meetings.rules import Kind
from deliberate.places import settings
from deliberate.places.models import Household, Member, Place
from deliberate.proposals.demo_proposals import COMPOUND_RULES, Story, _Clock, _Demo, _run
from deliberate.proposals.models import Notification, Proposal
from deliberate.proposals.rules import Category

SEED = 20261123


class _Meetings:
    """What the stories share beyond the proposals' demo: the proposal they are about, and scheduling."""

    def __init__(self, demo: _Demo) -> None:
        self.d = demo
        self.proposal: Proposal | None = None

    def schedule(self, place: Place, by: str, *, kind: Kind, title: str, description: str, starts: datetime,
                 hours: float, room: str, capacity: int | None, access: str, chair: str, items: Sequence[str],
                 with_proposal: bool = True) -> Meeting:
        d = self.d
        draft = MeetingDraft(
            kind=kind, title=title, description=description, starts_at=starts,
            ends_at=starts + timedelta(hours=hours), room=room, online_url="", capacity=capacity, access=access,
            chair_id=d.user(chair).id,
            proposal_ids=(self.proposal.id,) if with_proposal and self.proposal else (),
            items=tuple(items),
        )
        return actions.do_schedule(d.session, place=place, by=d.user(by), draft=draft, now=d.t)

    def register(self, meeting: Meeting, place: Place, names: Sequence[str]) -> None:
        for name in names:
            actions.do_register(self.d.session, meeting, place, self.d.person(name), self.d.user(name), now=self.d.t)


def _walk_ins(session: Session, place: Place, count: int) -> list[Member]:
    """Neighbours without an account who came to the hearing anyway: the register's first few adults."""
    return list(session.exec(
        select(Member).join(Household, col(Household.id) == Member.household_id)
        .join(Place, col(Place.id) == Household.building_id)
        .where(col(Place.path).startswith(place.path), col(Member.user_id).is_(None), col(Member.birth_year) < 1975)
        .order_by(col(Member.id)).limit(count)
    ).all())


def _hearing(m: _Meetings) -> Story:
    """Accepted at a hearing: closing 铁路宿舍 to outside cars and strangers, heard before it was decided."""
    d = m.d
    compound = d.place("铁路宿舍")
    yield d.day(31, "19:30")
    m.proposal = d.propose(
        "gates", compound, "leader_tl2", Category.SAFETY, "宿舍区实行封闭管理：加装门禁和车辆道闸",
        "铁路宿舍四面都能进人，外面的车晚上开进来过夜，上个月 2 号楼又丢了两辆电动车。"
        "院里老人多，陌生人进进出出，大家心里不踏实。\n\n"
        "建议：\n\n1. 南门、西门加装人行门禁，住户刷卡或刷脸进出；\n2. 南门装车辆道闸，本院车辆登记后进出；\n"
        "3. 北边小门晚上十点以后上锁。\n\n费用和以后的管理，请大家一起商量。",
    )
    yield from d.cosigns(m.proposal, ["tl_council2", "leader_tl1", "leader_tl3", "tl_council3", "leader_tl4"],
                         d.day(29, "20:50"))
    yield d.day(28, "10:00")
    hearing = m.schedule(
        compound, "staff", kind=Kind.HEARING, title="铁路宿舍封闭管理听证会",
        description="封闭管理关系到每一户的出行，立案之前先听大家的意见：赞成的、反对的、担心的都请来说。"
                    "光华物业到会介绍门禁和道闸的费用。",
        starts=d.day(19, "19:00"), hours=2, room="铁路宿舍活动室（3号楼一层）", capacity=40, access=Access.OPEN,
        chair="tl_council1", items=["光华物业介绍门禁、道闸的设备和费用", "居民自由发言"],
    )
    for day, names in ((27, ["leader_tl2", "leader_tl1"]), (25, ["tl_council2", "council5"]),
                       (22, ["leader_tl3", "tl_council3"])):
        yield d.day(day, "20:10")
        m.register(hearing, compound, names)
    yield d.day(19, "18:45")
    staff = d.user("staff")
    for name in ("leader_tl2", "leader_tl1", "tl_council2", "leader_tl3", "tl_council3"):
        actions.do_sign_in(d.session, hearing, compound, staff, user=d.user(name), now=d.t)
    actions.do_sign_in(d.session, hearing, compound, staff, user=d.user("tl_council1"), walk_in=True, now=d.t)
    for member in _walk_ins(d.session, compound, 9):
        actions.do_sign_in(d.session, hearing, compound, staff, member=member, walk_in=True, now=d.t)
    actions.do_sign_in(d.session, hearing, compound, staff, guest_name="光华物业 周经理", now=d.t)
    yield d.day(18, "10:30")
    proposal_item, equipment, speeches = queries.agenda_of(d.session, hearing)
    actions.do_save_minutes(
        d.session, hearing, staff, submit=True, now=d.t,
        attendees="实到 16 人：居民 15 人（其中小区议事会成员 3 人、楼栋长 3 人），来宾 1 人（光华物业周经理）。"
                  "社区工作者王芳记录。",
        summary="听证会由小区议事会成员魏光明主持，到会居民 12 人发言。",
        records={
            equipment.id: ItemRecord(
                "周经理介绍：人行门禁两套、车辆道闸一套，设备和安装约 6.8 万元；以后每年维护约 4,000 元，"
                "可以从停车收入里出。", ""),
            speeches.id: ItemRecord(
                "十一位居民赞成，认为晚上安全最要紧。一楼的两户担心道闸在窗下太吵，希望装在南门外侧；"
                "几位老人担心不会刷卡，亲友来看望进不来；开小卖部的住户担心送货不便。", ""),
            proposal_item.id: ItemRecord(
                "到会居民多数赞成封闭管理，同时提出道闸位置、老人和访客进出、送货三件事要在方案里解决。",
                "受理立案。由小区议事会牵头，按听证会上的意见拟定方案，方案先开协商会讨论，再公示。",
                ItemMove.ACCEPT),
        },
    )
    yield d.day(17, "09:00")
    actions.do_approve_minutes(d.session, hearing, d.user("tl_council1"), now=d.t)


def _consultation(m: _Meetings) -> Story:
    """Upcoming: the plan for the gates, worked out with the residents next week."""
    d = m.d
    compound = d.place("铁路宿舍")
    yield d.day(3, "16:00")
    meeting = m.schedule(
        compound, "tl_council1", kind=Kind.CONSULTATION, title="门禁和道闸方案协商会",
        description="按听证会上的意见，议事会拟了方案初稿。请大家来一起商量三件事，商量好了再公示。",
        starts=d.day(-4, "19:00"), hours=1.5, room="铁路宿舍活动室（3号楼一层）", capacity=30,
        access=Access.RESIDENTS, chair="tl_council1",
        items=["道闸装在南门内侧还是外侧", "快递、外卖和送货车辆怎么进出", "老人亲友来访怎么登记"],
    )
    for day, names in ((2, ["leader_tl1", "tl_council2"]), (1, ["leader_tl4", "council5", "leader_tl2"])):
        yield d.day(day, "19:40")
        m.register(meeting, compound, names)


def _listening(m: _Meetings) -> Story:
    """Upcoming: a building's own listening meeting on the stairwells, where the `resident` login can register."""
    d = m.d
    building = d.place("和平里小区", "1号楼")
    yield d.day(1, "18:00")
    meeting = m.schedule(
        building, "hp1_council1", kind=Kind.LISTENING, title="1号楼楼道堆物和单元门口台阶恳谈会",
        description="楼委会想听听大家的想法：楼道里的杂物怎么清，单元门口的台阶要不要加扶手和坡道。",
        starts=d.day(-2, "19:30"), hours=1, room="1号楼一单元门口（下雨改在小区活动室）", capacity=20,
        access=Access.OPEN, chair="hp1_council1", with_proposal=False,
        items=["楼道里堆放的杂物怎么清理", "单元门口台阶没有扶手，老人上下不便", "大家关心的其他事"],
    )
    yield d.day(1, "20:30")
    m.register(meeting, building, ["leader_hp1", "hp1_council2", "hp1_council3"])


def add_demo_meetings(session: Session) -> None:
    """Three meetings of 幸福里社区 and the proposal they are about; a random source of their own, so that the
    other demos come out as they always did."""
    session.flush()
    notified_before = session.exec(select(func.max(Notification.id))).one() or 0
    clock = _Clock(utcnow())
    demo = _Demo(session, random.Random(SEED), clock)
    settings.do_set_many(session, demo.place("铁路宿舍"), COMPOUND_RULES)
    meetings = _Meetings(demo)
    event.listen(session, "before_flush", clock.before_flush)
    try:
        _run([_hearing(meetings), _consultation(meetings), _listening(meetings)], clock)
        session.flush()
    finally:
        event.remove(session, "before_flush", clock.before_flush)
    clock.finish(session, notified_before)

"""The demo community's proposals: sixteen cases from the seeds, at every stage of the loop.

Parking in an old compound settled over many consultation meetings (济南裕园), a lane repaved under the
三三制 with the residents choosing how the bricks are laid (榆林才智巷), a heating retrofit planned by a
residents' panel that went door to door (寿光), works failed at acceptance and done again (推倒重来), a
proposal outside the community's remit rejected with a public reason, a duplicate merged, one withdrawn.

Each proposal's story is a generator: it yields the moment of its next step, then takes that step through
the real actions. `add_demo_proposals` runs the steps of every story in time order, so the timelines, the
notifications and the ids come out in the order things happened. The actions stamp what they write with
the real clock; `_Clock` moves what each step wrote to the step's moment, weeks or months ago.
"""

from __future__ import annotations

import heapq
import random
import struct
import zlib
from collections.abc import Generator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, update
from sqlmodel import Session, col, select

from deliberate.accounts.models import User
from deliberate.accounts.people import Person, load_person
from deliberate.clock import utcnow
from deliberate.places import settings
from deliberate.places.models import Member, Place, PlaceKind
from deliberate.proposals import actions, plans, rules, works
from deliberate.proposals.actions import Draft
from deliberate.proposals.models import Milestone, Notification, Plan, Proposal, ProposalEvent
from deliberate.proposals.rules import Action as Move
from deliberate.proposals.rules import Category, Rating, Threshold
from deliberate.voting import actions as voting
from deliberate.voting import queries as voting_queries
from deliberate.voting.models import Channel, RollEntry, Vote

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _png(width: int, height: int) -> bytes:
    """A plain white PNG: the demo's stand-in for the photo of a receipt."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


RECEIPT_PNG = _png(40, 60)
# The moments of the day people co-sign: before work, at lunch, in the evening.
COSIGN_CLOCKS = ("07:40", "08:55", "12:20", "13:05", "18:30", "19:45", "20:50", "21:35")
READ_AFTER = timedelta(days=4)  # notifications older than this have been read

Story = Generator[datetime, None, None]

# Rules the places decided (规则设置): the legal defaults (1/5 of the households) would ask for 61 co-signing
# households in the community and about 20 in a compound, more than the demo has accounts. The compounds set their
# own threshold; everything else, and the buildings, inherit (a building its compound's threshold).
COMMUNITY_RULES = {"proposals.threshold": rules.threshold_text(Threshold("count", count=10))}
COMPOUND_RULES = {"proposals.threshold": rules.threshold_text(Threshold("count", count=5))}


class _Clock:
    """Gives what the actions write the step's moment instead of the real time, as it is flushed.

    Only the columns that say when something happened are moved ("now" when the action ran); deadlines the
    actions derive from an event's moment (review due, rating ends) follow from the event's moved `at`.
    """

    STAMPS = ("created_at", "updated_at", "stage_changed_at", "submitted_at", "closed_at", "done_at")

    def __init__(self, started: datetime) -> None:
        self.started = started
        self.step = started - timedelta(days=3650)  # the moment of the step being taken
        self.last = self.step  # the latest moment given to an event: events are one second apart, in order

    def at(self, when: datetime) -> None:
        if when >= self.started:
            raise ValueError("a demo step cannot happen in the future")
        self.step = when

    def before_flush(self, session: Session, _context: object, _instances: object) -> None:
        fresh = sorted((i for i in session.new if isinstance(i, ProposalEvent)), key=lambda e: e.at)
        for item in fresh:
            self.last = max(self.step, self.last + timedelta(seconds=1))
            item.at = self.last
        now = max(self.step, self.last)  # the step's latest event, or the step when it has recorded none yet
        for instance in [*session.new, *session.dirty]:
            if isinstance(instance, ProposalEvent):
                continue
            for name in self.STAMPS:
                value = vars(instance).get(name)  # as set, never loading an expired attribute
                if isinstance(value, datetime) and value >= self.started:
                    setattr(instance, name, now)

    def finish(self, session: Session, notified_before: int) -> None:
        """People have read what they were told of more than a few days ago."""
        session.exec(update(Notification).where(
            col(Notification.id) > notified_before, col(Notification.created_at) < self.started - READ_AFTER,
        ).values(read_at=Notification.created_at))


def _plan(title: str, description: str, responsible: str, schedule: str, lines: Sequence[tuple[str, int]],
          funding: tuple[int, int, int]) -> plans.PlanText:
    """A plan with its costs and its funding (residents, sponsoring units, government) given in yuan."""
    residents, units, government = funding
    if residents + units + government != sum(amount for _item, amount in lines):
        raise ValueError(f"the funding of {title} does not add up to its cost")
    return plans.PlanText(
        title=title, description=description, responsible=responsible, schedule=schedule,
        cost_lines=tuple(plans.CostLine(item, amount * 100) for item, amount in lines),
        residents_centi=residents * 100, units_centi=units * 100, government_centi=government * 100,
    )


class _Demo:
    """What the stories share: the session, the people and places by name, and the step's moment."""

    def __init__(self, session: Session, rng: random.Random, clock: _Clock) -> None:
        self.session = session
        self.rng = rng
        self.clock = clock
        self.today = clock.started.astimezone(SHANGHAI).date()
        self.proposals: dict[str, Proposal] = {}
        self._users: dict[str, User] = {}
        self._persons: dict[str, Person] = {}
        self._places: dict[tuple[str, str], Place] = {}
        self._place_of: dict[int, Place] = {}

    # --- who, where, when -----------------------------------------------------------------------

    def user(self, username: str) -> User:
        if username not in self._users:
            self._users[username] = self.session.exec(select(User).where(User.username == username)).one()
        return self._users[username]

    def person(self, username: str) -> Person:
        if username not in self._persons:
            self._persons[username] = load_person(self.session, self.user(username))
        return self._persons[username]

    def place(self, compound: str = "", building: str = "") -> Place:
        key = (compound, building)
        if key not in self._places:
            if not compound:
                query = select(Place).where(Place.kind == PlaceKind.COMMUNITY)
            else:
                query = select(Place).where(Place.kind == PlaceKind.COMPOUND, Place.name == compound)
            found = self.session.exec(query).one()
            if building:
                found = self.session.exec(
                    select(Place).where(Place.parent_id == found.id, Place.name == building)
                ).one()
            self._places[key] = found
        return self._places[key]

    def day(self, ago: int, clock: str = "09:30") -> datetime:
        """`ago` days before today, at this time of day in China (negative: days ahead)."""
        hour, minute = (int(part) for part in clock.split(":"))
        local = datetime.combine(self.today - timedelta(days=ago), time(hour, minute), tzinfo=SHANGHAI)
        return local.astimezone(UTC)

    def due(self, in_days: int) -> date:
        return self.today + timedelta(days=in_days)

    @property
    def t(self) -> datetime:
        """The moment of the step being taken."""
        return self.clock.step

    def place_of(self, proposal: Proposal) -> Place:
        return self._place_of[proposal.id]

    # --- proposals and their review ------------------------------------------------------------

    def propose(self, key: str, place: Place, author: str, category: Category, title: str, body: str, *,
                submit: bool = True) -> Proposal:
        proposal = actions.do_create(self.session, place=place, author=self.user(author),
                                     draft=Draft(title, body, category.value), submit=submit,
                                     person=self.person(author))
        self.proposals[key] = proposal
        self._place_of[proposal.id] = place
        return proposal

    def cosigns(self, proposal: Proposal, names: Sequence[str], until: datetime) -> Story:
        """Co-signs between now and `until`, at moments people do it; the last one exactly at `until`."""
        start = self.t
        first, last = ((self.today - moment.astimezone(SHANGHAI).date()).days for moment in (start, until))
        slots = [
            moment
            for ago in range(first, last - 1, -1)
            for clock in COSIGN_CLOCKS
            if start < (moment := self.day(ago, clock)) < until
        ]
        if len(slots) < len(names) - 1:
            raise ValueError(f"no room for {len(names)} co-signs on {proposal.title}")
        moments = sorted(self.rng.sample(slots, len(names) - 1)) + [until]
        for name, moment in zip(names, moments, strict=True):
            yield moment
            actions.do_cosign(self.session, proposal, self.place_of(proposal), self.person(name), self.user(name))

    def review(self, proposal: Proposal, by: str, move: Move, reason: str = "") -> None:
        actions.do_review(self.session, proposal, self.place_of(proposal), self.person(by), self.user(by), move,
                          reason)

    # --- plans ---------------------------------------------------------------------------------

    def add_plan(self, proposal: Proposal, by: str, text: plans.PlanText) -> Plan:
        return plans.do_add_plan(self.session, proposal, self.user(by), text)

    def edit_plan(self, proposal: Proposal, plan: Plan, by: str, text: plans.PlanText, note: str) -> None:
        plans.do_edit_plan(self.session, proposal, plan, self.user(by), text, note)

    def publish(self, proposal: Proposal, by: str) -> None:
        plans.do_publish(self.session, proposal, self.place_of(proposal), self.person(by), self.user(by), now=self.t)

    def end_disclosure(self, proposal: Proposal) -> None:
        """The clock ends the disclosure once its days are over, as the app's clock does."""
        if not works.advance_if_due(self.session, proposal, self.place_of(proposal), now=self.t):
            raise ValueError(f"the disclosure of {proposal.title} is not over yet")

    def decide(self, proposal: Proposal, by: str, plan: Plan, reason: str) -> None:
        plans.do_decide(self.session, proposal, self.place_of(proposal), self.person(by), self.user(by), plan,
                        reason=reason)

    # --- works and supervision ------------------------------------------------------------------

    def start(self, proposal: Proposal, by: str, reason: str) -> None:
        works.do_start_works(self.session, proposal, self.place_of(proposal), self.person(by), self.user(by), reason)

    def complete(self, proposal: Proposal, by: str, reason: str) -> None:
        works.do_complete_works(self.session, proposal, self.place_of(proposal), self.person(by), self.user(by),
                                reason)

    def milestone(self, proposal: Proposal, by: str, title: str, due_in: int, responsible: str = "") -> Milestone:
        return works.do_add_milestone(self.session, proposal, self.user(by), title=title, due_on=self.due(due_in),
                                      responsible=responsible)

    def done(self, proposal: Proposal, milestone: Milestone, by: str) -> None:
        works.do_complete_milestone(self.session, proposal, milestone, self.user(by))

    def progress(self, proposal: Proposal, by: str, percent: int, text: str,
                 milestone: Milestone | None = None) -> None:
        works.do_report_progress(self.session, proposal, self.user(by), text=text, percent=percent,
                                 milestone=milestone)

    def cost(self, proposal: Proposal, by: str, description: str, yuan: int, payee: str, *,
             receipt: bool = True) -> None:
        """A cost disclosed with a photo of its receipt (or, for the demo to show the flag, without one)."""
        works.do_disclose_cost(self.session, proposal, self.user(by), description=description,
                               amount_centi=yuan * 100, payee=payee,
                               document=("凭证.png", RECEIPT_PNG) if receipt else None)

    def inspect(self, proposal: Proposal, by: str, findings: str) -> None:
        works.do_inspect(self.session, proposal, self.place_of(proposal), self.person(by), self.user(by), findings)

    def acceptance(self, proposal: Proposal, by: str, *, passed: bool, findings: str) -> None:
        works.do_acceptance(self.session, proposal, self.place_of(proposal), self.person(by), self.user(by),
                            passed=passed, findings=findings)

    def rate(self, proposal: Proposal, by: str, rating: Rating, comment: str = "") -> None:
        works.do_rate(self.session, proposal, self.place_of(proposal), self.person(by), self.user(by),
                      rating=rating, comment=comment, now=self.t)

    def close(self, proposal: Proposal) -> None:
        """The clock closes the proposal once the rating period is over, publishing the satisfaction rate."""
        if not works.advance_if_due(self.session, proposal, self.place_of(proposal), now=self.t):
            raise ValueError(f"the rating period of {proposal.title} is not over yet")

    def paper_ballots(self, vote: Vote, share: float, weights: Sequence[int], by: str) -> None:
        """Paper ballots collected door to door; households with a demo login are left to vote online."""
        options = voting_queries.options_of(self.session, vote) + ["abstain"]
        with_accounts = {str(h) for h in self.session.exec(
            select(Member.household_id).where(col(Member.user_id).is_not(None)))}
        roll = self.session.exec(select(RollEntry).where(RollEntry.vote_id == vote.id).order_by(col(RollEntry.id)))
        for number, entry in enumerate(roll.all(), start=1):
            if entry.has_voted or entry.user_id or with_accounts & set(entry.household_ids.split(",")):
                continue
            if self.rng.random() > share:
                continue
            voting.do_cast(self.session, vote, entry, self.rng.choices(options, weights=weights)[0],
                           channel=Channel.PAPER, entered_by=self.user(by), paper_serial=f"{vote.id:02d}-{number:03d}",
                           now=self.t)

    def online_ballot(self, vote: Vote, by: str, choice: str) -> None:
        (entry,) = voting_queries.entries_for(self.session, vote, self.user(by))
        voting.do_cast(self.session, vote, entry, choice, now=self.t)


def _run(stories: Sequence[Story], clock: _Clock) -> None:
    """Take every story's steps in time order, each at its moment."""
    queue: list[tuple[datetime, int, Story]] = []
    for number, story in enumerate(stories):
        heapq.heappush(queue, (next(story), number, story))
    while queue:
        when, number, story = heapq.heappop(queue)
        clock.at(when)
        following = next(story, None)
        if following is not None:
            if following < when:
                raise ValueError("a story's steps must go forward in time")
            heapq.heappush(queue, (following, number, story))


def add_demo_proposals(session: Session, rng: random.Random) -> None:
    """Sixteen proposals of 幸福里社区, through the real actions, at every stage of the loop."""
    session.flush()
    notified_before = session.exec(select(func.max(Notification.id))).one() or 0
    clock = _Clock(utcnow())
    demo = _Demo(session, rng, clock)
    settings.do_set_many(session, demo.place(), COMMUNITY_RULES)
    for compound in ("和平里小区", "阳光花园", "铁路宿舍"):
        settings.do_set_many(session, demo.place(compound), COMPOUND_RULES)
    event.listen(session, "before_flush", clock.before_flush)
    try:
        _run([story(demo) for story in STORIES], clock)
        session.flush()
    finally:
        event.remove(session, "before_flush", clock.before_flush)
    clock.finish(session, notified_before)


# --- the stories, oldest first ----------------------------------------------------------------


def _handrails(d: _Demo) -> Story:
    """Closed: handrails and seats on the stairs of the four-storey railway blocks, rated and closed."""
    yield d.day(160, "09:10")
    p = d.propose(
        "handrails", d.place("铁路宿舍"), "leader_tl4", Category.ELDERLY, "楼道加装扶手和休息座椅，方便老人上下楼",
        "铁路宿舍四栋楼都是四层，没有电梯，住的大多是铁路分局的退休职工，八十岁以上的就有二十多位。"
        "楼梯只有一侧有老式铁栏杆，不少地方已经松动；老人爬到三楼、四楼中间要歇好几回，只能扶着墙站着。\n\n"
        "建议：\n\n1. 每个单元楼梯靠墙一侧加装不锈钢扶手；\n2. 每层转角平台装一个折叠座椅，"
        "不用时收起来，不挡消防通道；\n3. 顺便把楼道里坏了的声控灯换成感应灯。",
    )
    yield from d.cosigns(p, ["leader_tl1", "tl_council1", "leader_tl3", "tl_council2", "council5"],
                         d.day(156, "19:45"))
    yield d.day(150, "10:00")
    d.review(p, "tl_council1", Move.ACCEPT,
             "受理立案。小区议事会和楼栋长先逐个单元量尺寸，再请适老化改造的施工单位报价。")
    yield d.day(140, "15:30")
    plan = d.add_plan(p, "staff", _plan(
        "十二个单元楼道加装扶手、折叠座椅，更换感应灯",
        "- 四栋楼共十二个单元，楼梯靠墙一侧加装直径 40 毫米的不锈钢扶手，转角处连续不断开；\n"
        "- 每层转角平台安装一个壁挂折叠座椅（承重 150 公斤），共 36 个；\n"
        "- 楼道声控灯全部更换为人体感应 LED 灯，共 96 盏；\n"
        "- 施工时每个单元停工不超过两天，楼栋长提前一天通知住户。",
        "铁路宿舍小区议事会（组织），北京康居适老化工程有限公司（施工）",
        "立案后三个月内完工：材料进场两周，逐个单元安装约六周",
        [("不锈钢扶手 432 米（含安装配件）", 69_120), ("壁挂折叠座椅 36 个", 13_680),
         ("人体感应 LED 灯 96 盏", 4_320), ("安装人工", 12_880)],
        (10_000, 30_000, 60_000),
    ))
    yield d.day(135, "09:00")
    d.publish(p, "staff")
    yield d.day(128, "09:05")
    d.end_disclosure(p)
    yield d.day(126, "16:00")
    d.decide(p, "tl_council1", plan, "公示七天无异议。资金：居民自筹 1 万元（老党员和居民捐款），"
                                     "原铁路分局工会资助 3 万元，街道适老化改造补贴 6 万元。小区议事会决定通过。")
    yield d.day(110, "08:30")
    d.start(p, "staff", "施工单位进场，材料在1号楼前临时堆放。")
    first = d.milestone(p, "staff", "扶手、座椅和灯具材料进场验收", -100)
    second = d.milestone(p, "staff", "十二个单元安装完成", -60)
    yield d.day(101, "11:00")
    d.done(p, first, "staff")
    d.progress(p, "staff", 20, "材料进场，监督员和楼栋长一起抽检了扶手壁厚，符合合同要求。", first)
    d.cost(p, "staff", "不锈钢扶手和折叠座椅材料款", 82_800, "北京康居适老化工程有限公司")
    yield d.day(62, "16:40")
    d.done(p, second, "staff")
    d.progress(p, "staff", 100, "十二个单元全部装完，感应灯已通电。")
    d.cost(p, "staff", "感应灯和安装人工", 17_200, "北京康居适老化工程有限公司")
    yield d.day(58, "10:00")
    d.complete(p, "staff", "全部完工，请居民代表验收。")
    yield d.day(55, "15:00")
    d.acceptance(p, "leader_tl2", passed=True,
                 findings="逐个单元走了一遍：扶手牢固、没有毛刺，座椅用 100 公斤沙袋试过，感应灯灵敏。验收通过。")
    ratings = [("leader_tl4", Rating.SATISFIED, "终于能扶着上楼了。"),
               ("leader_tl1", Rating.SATISFIED, ""),
               ("tl_council1", Rating.SATISFIED, "钱花得明白，每一笔都公示了。"),
               ("tl_council3", Rating.DISSATISFIED, "3号楼2单元的座椅装得太高，个子矮的老人坐不上去。"),
               ("leader_tl3", Rating.SATISFIED, ""),
               ("tl_council2", Rating.FAIRLY, "扶手很好，感应灯有时候反应慢。"),
               ("council5", Rating.SATISFIED, ""),
               ("leader_tl2", Rating.SATISFIED, "")]
    for ago, (name, rating, comment) in zip((54, 53, 52, 51, 49, 47, 45, 43), ratings, strict=True):
        yield d.day(ago, d.rng.choice(COSIGN_CLOCKS))
        d.rate(p, name, rating, comment)
    yield d.day(40, "09:00")
    d.close(p)


def _lights(d: _Demo) -> Story:
    """Rating: lights on the compound's main road and back lane; residents are rating them now."""
    yield d.day(125, "21:10")
    p = d.propose(
        "lights", d.place("和平里小区"), "hp_council3", Category.SAFETY, "院内主路和北侧小巷增设路灯",
        "小区从南门到北门的院内主路只有南头两盏路灯，4号楼北侧通往光华北街的小巷一盏都没有。"
        "冬天下午五点多天就黑了，老人晚上出来遛弯摔倒过好几次，下夜班的年轻人走这段路也害怕。\n\n"
        "建议在院内主路和北侧小巷增设路灯，安装时控，后半夜自动调暗，不影响一楼住户休息。",
    )
    yield from d.cosigns(p, ["leader_hp1", "leader_hp4", "hp1_council3", "leader_hp2", "council2"], d.day(118, "20:50"))
    yield d.day(112, "10:30")
    d.review(p, "hp_council1", Move.ACCEPT,
             "受理立案。按三三制筹资，小区议事会已联系辖区供电所和幸福路小学，两家都愿意资助。")
    yield d.day(104, "14:00")
    plan = d.add_plan(p, "staff", _plan(
        "院内主路和北侧小巷增设 LED 路灯 24 盏",
        "- 院内主路（南门至北门，约 420 米）单侧增设 6 米 LED 路灯 16 盏；\n"
        "- 4号楼北侧小巷增设 4 米庭院灯 8 盏；\n"
        "- 新设控制箱两处，时控：天黑亮灯，23:30 以后调到一半亮度，天亮熄灯；\n"
        "- 灯杆位置避开住户窗户，已请沿线一楼住户确认。",
        "和平里小区议事会（组织），北京明亮市政照明工程有限公司（施工），辖区供电所（接电）",
        "开工后约两个月：开挖和敷设电缆三周，灯杆基础和安装三周，通电调试一周",
        [("LED 路灯及庭院灯 24 盏（含灯杆、基础）", 91_200), ("电缆敷设 650 米（含开挖恢复）", 40_300),
         ("控制箱及时控装置 2 套", 8_500)],
        (20_000, 60_000, 60_000),
    ))
    yield d.day(96, "09:00")
    d.publish(p, "staff")
    yield d.day(89, "09:10")
    d.end_disclosure(p)
    yield d.day(87, "19:30")
    d.decide(p, "hp_council1", plan, "小区议事会讨论通过。居民自筹 2 万元来自小区公共收益，"
                                     "辖区供电所和幸福路小学共资助 6 万元，街道承担 6 万元。")
    yield d.day(75, "08:00")
    d.start(p, "staff", "施工单位进场，先做主路南段。")
    poles = d.milestone(p, "staff", "电缆敷设、灯杆基础和灯具安装", -25)
    power = d.milestone(p, "staff", "通电调试", -12, "辖区供电所")
    yield d.day(24, "16:30")
    d.done(p, poles, "staff")
    d.progress(p, "staff", 80, "电缆已全部敷设、路面已恢复，24 根灯杆全部立好，灯具已安装。", poles)
    d.cost(p, "staff", "电缆敷设及开挖恢复、路灯及庭院灯 24 盏", 131_500, "北京明亮市政照明工程有限公司")
    yield d.day(10, "19:00")
    d.done(p, power, "staff")
    d.progress(p, "staff", 100, "通电调试完成，时控已按 23:30 调暗设好。", power)
    d.cost(p, "staff", "控制箱及时控装置", 8_500, "北京明亮市政照明工程有限公司")
    yield d.day(8, "10:30")
    d.complete(p, "staff", "完工，请居民代表晚上到现场验收。")
    yield d.day(5, "19:30")
    d.acceptance(p, "supervisor", passed=True,
                 findings="晚上七点半和楼栋长一起到现场验收：24 盏灯全部亮起，照度达标，23:30 调暗正常。验收通过。")
    yield d.day(4, "20:10")
    d.rate(p, "hp_council2", Rating.DISSATISFIED, "北侧小巷出口那一段还是暗，希望再补两盏。")
    yield d.day(4, "21:00")
    d.rate(p, "hp_council3", Rating.SATISFIED, "晚上遛弯踏实多了。")
    yield d.day(3, "08:40")
    d.rate(p, "leader_hp3", Rating.SATISFIED)
    yield d.day(3, "19:20")
    d.rate(p, "hp1_council1", Rating.FAIRLY, "灯光有点偏黄，不过够亮。")
    yield d.day(2, "21:15")
    d.rate(p, "leader_hp4", Rating.SATISFIED)


def _garage(d: _Demo) -> Story:
    """Acceptance: the garage roof leaks; the first acceptance failed (推倒重来), the redone works wait again."""
    yield d.day(110, "20:30")
    p = d.propose(
        "garage", d.place("阳光花园"), "leader_yg2", Category.RENOVATION, "地下车库顶板渗水，车被泡、墙皮脱落",
        "入夏以来每次下雨，地下车库 B 区顶板都往下滴水，12 号到 20 号车位上方最严重，车顶被泡出了水印，"
        "东侧墙皮大片脱落，地上常年积水，已经有人滑倒。物业说是顶板防水层老化，要动用专项维修资金。\n\n"
        "请物业拿出维修方案和报价，经业主同意后尽快维修，维修过程和花费向全体业主公开。",
    )
    yield from d.cosigns(p, ["council4", "leader_yg3", "resident2", "yg_council3", "leader_yg4"], d.day(107, "12:20"))
    yield d.day(100, "10:00")
    d.review(p, "yg_council1", Move.ACCEPT, "受理立案。请物业委托有资质的防水单位勘察，拿出方案和报价。")
    yield d.day(92, "15:00")
    plan = d.add_plan(p, "staff", _plan(
        "B 区顶板注浆堵漏、重做防水涂层，更换集水坑水泵",
        "- 顶板裂缝高压注浆堵漏，约 180 米；\n"
        "- 渗水部位的顶板和东侧墙面铲除旧涂层，涂刷聚合物水泥防水涂料，约 650 平方米；\n"
        "- 排水沟清淤，集水坑两台水泵更换；\n"
        "- 施工期间 B 区车位临时停到 A 区，物业安排专人引导。",
        "阳光花园物业服务中心（组织），北京固顺防水工程有限公司（施工），业主委员会（监督）",
        "开工后约七周：注浆三周，防水涂层两周，排水和水泵一周，雨后复查",
        [("顶板裂缝高压注浆 180 米", 46_800), ("聚合物水泥防水涂料 650 平方米", 37_700),
         ("排水沟清淤及水泵更换 2 台", 8_600), ("车位地面清理和重新划线", 4_900)],
        (58_800, 39_200, 0),
    ))
    yield d.day(88, "09:00")
    d.publish(p, "staff")
    yield d.day(81, "09:10")
    d.end_disclosure(p)
    yield d.day(80, "19:00")
    d.decide(p, "yg_council1", plan, "公示期内无异议，小区议事会决定通过。住宅专项维修资金支出 58,800 元，"
                                     "开发商阳光置业按地下车位产权份额承担 39,200 元。")
    yield d.day(70, "08:30")
    d.start(p, "staff", "施工单位进场，B 区车位已清空。")
    grout = d.milestone(p, "staff", "顶板裂缝注浆堵漏", -50)
    coating = d.milestone(p, "staff", "防水涂层施工，排水沟清淤和水泵更换", -28)
    yield d.day(52, "17:00")
    d.done(p, grout, "staff")
    d.progress(p, "staff", 30, "注浆堵漏完成，等下雨复查。", grout)
    yield d.day(50, "10:00")
    d.cost(p, "staff", "注浆堵漏工程款", 46_800, "北京固顺防水工程有限公司")
    yield d.day(30, "16:00")
    d.progress(p, "staff", 70, "顶板和东侧墙面防水涂层已涂刷两遍。", coating)
    d.cost(p, "staff", "防水涂料材料款", 21_300, "北京固顺防水工程有限公司")
    yield d.day(25, "10:00")
    d.done(p, coating, "staff")
    d.cost(p, "staff", "集水坑水泵 2 台", 8_600, "北京水泵设备销售有限公司")
    d.progress(p, "staff", 100, "排水沟已清淤，两台水泵已更换，全部完工，B 区车位恢复使用。")
    yield d.day(22, "09:30")
    d.complete(p, "staff", "完工，请居民代表验收。")
    yield d.day(19, "16:00")
    d.acceptance(p, "leader_yg1", passed=False, findings=(
        "雨后到现场复查：B 区 12 号到 15 号车位上方顶板仍有三处渗水点，有两个注浆孔没有封堵；"
        "东侧墙面防水涂层大面积起皮。验收不通过，推倒重来：铲除起皮涂层，基层处理干净后重新涂刷，"
        "渗水点重新注浆，下一场雨后复验。"))
    yield d.day(18, "08:30")
    d.start(p, "staff", "按验收意见返工，返工费用由施工单位承担。")
    redo = d.milestone(p, "staff", "返工：铲除起皮涂层、渗水点重新注浆", -4, "北京固顺防水工程有限公司")
    yield d.day(10, "17:30")
    d.progress(p, "staff", 50, "起皮涂层已全部铲除，三处渗水点重新注浆。", redo)
    yield d.day(4, "16:00")
    d.done(p, redo, "staff")
    d.progress(p, "staff", 100, "防水涂层重新涂刷完成；前天下雨后查看，B 区没有新的渗水。", redo)
    yield d.day(3, "10:00")
    d.complete(p, "staff", "返工完成，请居民代表复验。")


def _ebikes(d: _Demo) -> Story:
    """Implementation: an e-bike charging shed instead of cables from windows; one milestone is overdue."""
    yield d.day(95, "19:50")
    p = d.propose(
        "ebikes", d.place("和平里小区"), "council1", Category.SAFETY, "建电动自行车集中充电棚，杜绝楼道飞线充电",
        "小区里电动自行车有八十多辆，没有一个充电的地方。大家只能从窗户往下扯电线（飞线）充电，"
        "或者把车推进楼道、搬上楼。上个月4号楼楼道里一块电池充电时冒烟，幸亏发现得早。\n\n"
        "建议在小区北侧空地建两处集中充电棚，装智能充电桩，充满自动断电，再装监控和灭火器。"
        "充电棚建好后，楼道里不再停放电动自行车，拆除所有飞线。",
    )
    yield from d.cosigns(p, ["leader_hp4", "hp_council3", "leader_hp1", "hp1_council1", "leader_hp3"],
                         d.day(92, "08:55"))
    yield d.day(88, "10:00")
    d.review(p, "staff", Move.ACCEPT, "受理立案。消防安全是大事，社区和街道消防科一起选址。")
    yield d.day(80, "16:00")
    plan = d.add_plan(p, "staff", _plan(
        "小区北侧建两处电动自行车充电棚（40 个充电位）",
        "- 北侧空地建两处钢结构雨棚，共 120 平方米，地面硬化；\n"
        "- 安装 40 路智能充电桩：充满自动断电、过载断电，刷卡或扫码计费，每度电 1 元；\n"
        "- 每处充电棚装两个监控摄像头和灭火器箱；\n"
        "- 充电棚启用后，楼道内不再停放电动自行车，物业和楼栋长一起拆除飞线。",
        "和平里小区议事会（组织），北京安充科技有限公司（建设和运营）",
        "开工后约两个月：选址公示两周，地面和基础三周，钢结构两周，充电桩和消防检查一周",
        [("钢结构雨棚 120 平方米", 78_000), ("智能充电桩 40 路", 36_000), ("电缆敷设及配电箱", 21_500),
         ("监控摄像头 4 个及消防器材", 9_500), ("地面硬化 120 平方米", 10_200)],
        (31_200, 62_000, 62_000),
    ))
    yield d.day(72, "09:00")
    d.publish(p, "staff")
    yield d.day(65, "09:10")
    d.end_disclosure(p)
    yield d.day(63, "19:30")
    d.decide(p, "hp_council1", plan,
             "公示期内无异议，小区议事会决定通过。居民部分 31,200 元从小区公共收益中列支；"
             "北京安充科技投资 62,000 元，以充电服务费分八年收回；街道消防安全专项资金 62,000 元。")
    yield d.day(55, "08:30")
    d.start(p, "staff", "施工单位进场。")
    site = d.milestone(p, "staff", "选址公示，征求一楼住户意见", -40, "和平里小区议事会")
    ground = d.milestone(p, "staff", "地面硬化和雨棚基础", -20, "北京城通市政工程队")
    frame = d.milestone(p, "staff", "钢结构雨棚安装", -6, "北京恒力钢结构工程有限公司")
    d.milestone(p, "staff", "充电桩安装、通电和消防检查", 4, "北京安充科技有限公司")
    d.milestone(p, "staff", "拆除楼道飞线，充电棚启用", 20, "物业和各楼栋长")
    yield d.day(42, "17:00")
    d.done(p, site, "hp_council1")
    d.progress(p, "staff", 10, "选址公示结束，北侧一楼住户提出的噪声和遮光意见已经采纳：雨棚往南挪了三米。", site)
    yield d.day(40, "10:00")
    d.cost(p, "staff", "钢结构雨棚工程款（首付 50%）", 39_000, "北京恒力钢结构工程有限公司")
    yield d.day(21, "16:30")
    d.done(p, ground, "staff")
    d.progress(p, "staff", 35, "地面硬化和雨棚立柱基础已完成。", ground)
    yield d.day(20, "10:00")
    d.cost(p, "staff", "地面硬化", 10_200, "北京城通市政工程队", receipt=False)  # the receipt is still to come
    yield d.day(15, "11:00")
    d.cost(p, "staff", "智能充电桩 40 路（设备款）", 36_000, "北京安充科技有限公司")
    yield d.day(10, "15:20")
    d.inspect(p, "supervisor", "雨棚立柱基础浇筑后只养护了三天，施工方就准备吊装钢结构，不符合要求。"
                               "已要求停止吊装，养护满七天后再施工。")
    yield d.day(9, "17:00")
    d.progress(p, "staff", 40, "按监督员意见停工养护，钢结构安装顺延，预计比计划晚一周。", frame)


def _parking(d: _Demo) -> Story:
    """Decision: parking in an old compound, settled over many meetings; two plans at a vote left open."""
    yield d.day(70, "20:00")
    p = d.propose(
        "parking", d.place("和平里小区"), "hp1_council2", Category.PARKING, "小区停车难：一百四十辆车抢七十个车位",
        "和平里小区建成时没有规划停车位，现在登记的车有一百四十多辆，画了线的车位只有七十个。"
        "每天晚上七点以后，消防通道、楼门口、绿地边上全停满了车，救护车进不来，老人出门都得侧着身子走。"
        "还有十几辆“僵尸车”一两年没挪过，外面的车也开进来过夜。\n\n"
        "建议参考济南裕园社区的做法：先清理僵尸车和外来车辆，再规范停车，收费标准由居民协商定，"
        "收的钱用在小区，账目公开。",
    )
    yield from d.cosigns(p, ["leader_hp1", "resident", "hp_council2", "leader_hp2", "council1"], d.day(67, "19:45"))
    yield d.day(60, "10:00")
    d.review(p, "staff", Move.ACCEPT,
             "受理立案。停车涉及全小区，由小区议事会组织协商会，边清理、边规范、边商量收费标准。")
    yield d.day(50, "16:00")
    lines_one = [("清理僵尸车 12 辆（拖移、保管）", 6_000), ("绿地边角改建生态停车位 18 个", 57_600),
                 ("全小区 88 个车位划线编号", 7_040), ("南门、北门车牌识别道闸 2 套", 33_000),
                 ("交通标志和减速带", 4_360)]
    description_one = (
        "- 张贴通知限期挪车，到期不挪的僵尸车由交警协助拖移；\n"
        "- 利用绿地边角改建 18 个生态停车位（植草砖），车位总数增加到 88 个；\n"
        "- 南门、北门装车牌识别道闸，本小区车辆登记后进出；\n"
        "- 本小区登记车辆每月交停车管理费 150 元；外来车辆白天每小时 2 元，夜间 19:00 以后不得停放；\n"
        "- 收费纳入小区公共收益，每季度在公告栏和这里公示收支。")
    responsible_one = "和平里小区议事会（组织），北京路通交通设施工程有限公司（施工）"
    schedule_one = "表决通过后两个月：清理僵尸车两周，改建车位和划线四周，道闸安装一周"
    guests_free = description_one.replace("外来车辆白天每小时 2 元", "外来车辆白天首小时免费、之后每小时 2 元")
    one = d.add_plan(p, "hp_council1", _plan(
        "小区内挖潜增位，道闸管理", description_one, responsible_one, schedule_one, lines_one,
        (36_000, 36_000, 36_000)))
    yield d.day(42, "21:00")
    d.edit_plan(p, one, "hp_council1", _plan(
        "小区内挖潜增位，道闸管理", guests_free, responsible_one, schedule_one, lines_one, (36_000, 36_000, 36_000),
    ), "第二次协商会后修改：来看望老人的亲友白天首小时免费。")
    yield d.day(35, "20:30")
    d.add_plan(p, "hp_council1", _plan(
        "与幸福路小学错时共享停车",
        "- 与幸福路小学签订错时停车协议：每天 18:30 到次日 7:30、周末和寒暑假全天，"
        "校内 60 个车位向本小区登记车辆开放；\n"
        "- 小区内清理僵尸车，现有 70 个车位划线编号，不占绿地；\n"
        "- 校门口加装门禁和监控，学校到小区北门的步行通道加装照明；\n"
        "- 使用学校车位的车辆每月 150 元，用于夜间值守人员补贴；小区内车位每月 100 元。",
        "和平里小区议事会、幸福路小学后勤处（组织），物业（值守）",
        "表决通过后一个月：签订协议一周，门禁、监控和照明安装三周",
        [("清理僵尸车 12 辆（拖移、保管）", 6_000), ("小区内 70 个车位划线编号", 5_600),
         ("校门口门禁和监控 2 套", 18_000), ("步行通道照明 8 盏", 9_600), ("夜间值守人员补贴（第一年）", 23_800)],
        (21_000, 21_000, 21_000),
    ))
    yield d.day(25, "21:10")
    d.edit_plan(p, one, "hp_council1", _plan(
        "小区内挖潜增位，道闸管理", guests_free.replace("每月交停车管理费 150 元", "每月交停车管理费 100 元"),
        responsible_one, schedule_one, lines_one, (36_000, 36_000, 36_000),
    ), "第四次协商会后修改：停车管理费从每月 150 元降到 100 元，与方案二的小区内车位一致。")
    yield d.day(10, "09:00")
    d.publish(p, "staff")
    yield d.day(3, "09:30")
    d.end_disclosure(p)
    yield d.day(2, "09:00")
    place = d.place_of(p)
    vote = plans.do_open_vote(d.session, p, place, d.user("hp_council1"), closes_at=d.day(-6, "20:00"),
                              rule="plurality", electorate_kind="households", secret=False)
    voting.do_open(d.session, vote, place, now=d.t)
    yield d.day(1, "17:00")
    d.paper_ballots(vote, 0.2, [5, 4, 1], "staff")
    yield d.day(1, "19:30")
    options = voting_queries.options_of(d.session, vote)
    d.online_ballot(vote, "hp_council2", options[1])
    d.online_ballot(vote, "leader_hp3", options[0])


def _zombie_cars(d: _Demo) -> Story:
    """Merged: zombie cars are part of the parking proposal, so the two are handled as one."""
    yield d.day(66, "08:50")
    p = d.propose(
        "zombie_cars", d.place("和平里小区"), "leader_hp4", Category.PARKING, "清理小区里的僵尸车",
        "小区里有十几辆车一两年没动过，落满了灰，轮胎瘪了，有的车窗都碎了，占着本来就不够的车位，"
        "底下还成了流浪猫的窝。请居委会张贴通知限期挪走，联系不上车主的请交警拖移。",
    )
    yield from d.cosigns(p, ["hp_council3", "supervisor", "council2", "leader_hp3", "hp1_council1"],
                         d.day(63, "13:05"))
    yield d.day(62, "10:00")
    actions.do_merge(d.session, p, d.place_of(p), d.person("hp_council1"), d.user("hp_council1"),
                     d.proposals["parking"], "和「小区停车难」说的是同一件事：僵尸车占位是停车难的原因之一。"
                                             "合并办理，附议人一并转入；清理僵尸车会写进停车方案。")


def _lane(d: _Demo) -> Story:
    """Disclosure: the lane between two buildings, two ways to lay the bricks, funded by the 三三制."""
    yield d.day(40, "19:10")
    p = d.propose(
        "lane", d.place("和平里小区"), "leader_hp3", Category.ROADS, "2号楼和3号楼之间的巷道坑洼积水，请整体翻修",
        "2号楼和3号楼之间的巷道长约 120 米，水泥路面是九十年代铺的，现在到处是坑，一下雨就积水，"
        "冬天结冰，去年有两位老人在这里摔倒。\n\n"
        "建议整体翻修。听说榆林才智巷翻修时，砖是竖着铺还是横着铺都是巷子里的居民自己投票定的，"
        "我们这条巷道怎么铺，也请大家一起商量。",
    )
    yield from d.cosigns(p, ["leader_hp2", "hp_council2", "council2", "supervisor", "leader_hp4"], d.day(37, "21:35"))
    yield d.day(30, "10:00")
    d.review(p, "hp_council1", Move.ACCEPT,
             "受理立案。按三三制筹资：居民自筹一部分、辖区单位资助一部分、政府兜底；怎么铺由巷道两侧居民商定。")
    yield d.day(20, "15:00")
    d.add_plan(p, "hp_council1", _plan(
        "青砖竖铺，保留排水明沟",
        "- 拆除旧水泥路面，铺 240×115×53 毫米青砖，竖向铺装，共约 420 平方米；\n"
        "- 保留巷道两侧排水明沟，清淤、修补沟壁，加铸铁篦子；\n"
        "- 更换两侧路沿石；\n"
        "- 居民自筹 36,000 元，按巷道两侧 48 户平摊，每户 750 元。",
        "和平里小区议事会（组织），北京古建园林工程有限公司（施工）",
        "表决通过后四周：拆除一周，铺装两周，明沟和路沿石一周",
        [("拆除旧路面及清运 420 平方米", 14_700), ("青砖及竖向铺装 420 平方米", 70_560),
         ("排水明沟清淤修补 120 米", 7_200), ("路沿石更换 240 米", 10_800), ("不可预见费", 4_740)],
        (36_000, 36_000, 36_000),
    ))
    yield d.day(14, "16:00")
    d.add_plan(p, "hp_council1", _plan(
        "透水砖人字铺，明沟改暗管",
        "- 拆除旧水泥路面，做级配碎石基层，铺 200×100×60 毫米透水砖，人字形铺装，约 420 平方米；\n"
        "- 明沟改为 DN300 雨水暗管，设 6 个雨水口，路面更宽；\n"
        "- 更换两侧路沿石；\n"
        "- 居民自筹 48,000 元，按巷道两侧 48 户平摊，每户 1,000 元。",
        "和平里小区议事会（组织），北京城通市政工程队（施工）",
        "表决通过后五周：拆除一周，暗管一周，铺装两周，路沿石一周",
        [("拆除旧路面及清运 420 平方米", 14_700), ("透水砖人字铺装及碎石基层 420 平方米", 90_300),
         ("DN300 雨水暗管 120 米及雨水口 6 个", 21_600), ("路沿石更换 240 米", 10_800), ("不可预见费", 6_600)],
        (48_000, 48_000, 48_000),
    ))
    yield d.day(3, "09:00")
    d.publish(p, "staff")


def _withdrawn(d: _Demo) -> Story:
    """Withdrawn: the street installed fitness equipment nearby, so the author withdrew the proposal."""
    yield d.day(35, "18:30")
    p = d.propose(
        "fitness", d.place("和平里小区", "2号楼"), "leader_hp2", Category.GREENING, "2号楼前空地安装一套健身器材",
        "2号楼前有一块空地，平时老人在那儿晒太阳。建议装几件健身器材（太极推手器、扭腰器、压腿杠），"
        "地面铺上塑胶，老人锻炼、孩子玩都方便。",
    )
    yield from d.cosigns(p, ["hp_council2"], d.day(34, "20:50"))
    yield d.day(18, "19:00")
    actions.do_withdraw(d.session, p, d.place_of(p), d.person("leader_hp2"), d.user("leader_hp2"),
                        "街道今年的全民健身工程已经在小区中心花园装了一套健身器材，离2号楼不到五十米，"
                        "大家都去那边锻炼了，这条提案撤回。谢谢附议的邻居。")


def _metro(d: _Demo) -> Story:
    """Rejected: a new metro exit is not the community's to decide; the reason is public."""
    yield d.day(50, "08:40")
    p = d.propose(
        "metro", d.place("阳光花园"), "yg_council2", Category.ROADS, "请在幸福路地铁站北侧增设 C 出入口",
        "幸福路地铁站只有南边的 A、B 两个出入口。阳光花园的居民去坐地铁，要绕到路南，"
        "走八百多米，还要过两个红绿灯。早高峰大家都在跑。建议在站北侧增设 C 出入口。",
    )
    yield from d.cosigns(p, ["resident2", "council3", "leader_yg1", "yg_council1", "leader_yg4"], d.day(44, "20:50"))
    yield d.day(38, "15:20")
    d.review(p, "staff", Move.REJECT,
             "地铁出入口的设置属于轨道交通规划和建设事项，不在社区居民自治和社区议事的范围内，社区无法立案办理。"
             "社区已将这条提案连同附议名单通过 12345 市民服务热线转给市交通委和地铁运营公司，收到答复后会在本页公布。"
             "绕行过街的问题，社区可以协调在北侧路口增设人行横道，欢迎另提一条提案。")


def _heating(d: _Demo) -> Story:
    """Accepted: a heating retrofit drafted by a residents' panel who went door to door; the plan is in drafting."""
    yield d.day(33, "09:00")
    p = d.propose(
        "heating", d.place("铁路宿舍"), "leader_tl1", Category.HEATING,
        "暖气管网老化跑冒滴漏，顶层和山墙户冬天室温不到 16 度",
        "宿舍区的庭院暖气管道是八十年代铺的，去年冬天爆管三次，每次停暖一两天。"
        "顶层和山墙的住户冬天屋里只有十四五度，老人只能开电暖器，电费一个月好几百。"
        "供热所说小区庭院管网属于小区自有，要改造得小区自己提出来。\n\n"
        "建议趁明年停暖后整体改造庭院管网和楼内立管，争取老旧小区改造资金。",
    )
    yield from d.cosigns(p, ["tl_council2", "tl_council3", "leader_tl3", "leader_tl4", "council5"], d.day(30, "19:45"))
    yield d.day(26, "10:00")
    d.review(p, "tl_council1", Move.ACCEPT, "受理立案。由小区议事会牵头，从居民中推选 12 位热心人组成“百姓参政团”，"
                                             "入户听取意见，和光华供热所一起拟定改造方案。")
    yield d.day(12, "16:00")
    schedule = ("明年停暖后开工：庭院管网 4 月至 6 月，楼内立管 7 月至 8 月，9 月底前完工，"
                "10 月打压试水，11 月 15 日供暖前验收")
    description = (
        "- 更换庭院供热管网约 620 米（预制直埋保温管），四栋楼热力入口改造并加装热量表；\n"
        "- 楼内供暖立管和每户入户阀门全部更换；\n"
        "- 开挖路面按原样恢复，施工期间保证出行；\n"
        "- 百姓参政团全程参与招标、质量监督，材料、进度和花费随时公开。")
    lines = [("庭院供热管网更换 620 米", 421_600), ("楼内立管及入户阀门更换 96 户", 268_800),
             ("热力入口改造及热量表 4 处", 72_000), ("路面破除与恢复", 58_900), ("设计及监理", 28_700)]
    responsible = "光华供热所（施工），铁路宿舍小区议事会和百姓参政团（监督）"
    plan = d.add_plan(p, "staff", _plan(
        "庭院管网和楼内立管整体改造", description, responsible, schedule, lines, (96_000, 340_000, 414_000)))
    yield d.day(5, "17:30")
    d.edit_plan(p, plan, "tl_council1", _plan(
        "庭院管网和楼内立管整体改造，顶层和山墙户加装内保温",
        description + "\n- 顶层和山墙的 18 户加装室内保温板；入户阀门更换的时间由住户自己约。",
        responsible, schedule,
        lines + [("顶层和山墙户室内保温 18 户", 63_000)], (96_000, 340_000, 477_000),
    ), "百姓参政团入户走访 96 户后修改：顶层和山墙户加装内保温，入户阀门更换时间由住户自选。"
       "居民每户自筹 1,000 元不变。")


def _rooftops(d: _Demo) -> Story:
    """Review, overdue: leaking roofs, waiting for the staff or council for longer than the rules allow."""
    yield d.day(24, "19:30")
    p = d.propose(
        "rooftops", d.place("和平里小区"), "council2", Category.RENOVATION, "屋面防水老化，顶层住户家家漏雨",
        "小区四栋楼的屋面防水是 2009 年做的，今年夏天几场大雨，顶层住户家家漏雨。我家 3 号楼 602 卧室顶棚"
        "已经发霉，墙皮一块块往下掉。物业只能拿沥青临时补一补，下一场雨又漏。\n\n"
        "请社区组织对四栋楼屋面全面检测，申请老旧小区综合整治资金，整体重做防水，同时考虑加做屋面保温。",
    )
    yield from d.cosigns(p, ["leader_hp3", "supervisor", "leader_hp4", "hp_council3", "leader_hp2"],
                         d.day(21, "10:05"))


def _sorting(d: _Demo) -> Story:
    """Changes requested: waste-sorting points; the author is asked where, and what the neighbours say."""
    yield d.day(16, "10:00")
    p = d.propose(
        "sorting", d.place("铁路宿舍"), "leader_tl3", Category.GREENING, "院内设垃圾分类集中投放点，撤掉楼门口的垃圾桶",
        "现在每个楼门口都放着两个垃圾桶，夏天味道大、招苍蝇，分类也没人管。\n\n"
        "建议在院子里设两处集中投放点，带洗手池和雨棚，定时投放（早 7 点到 9 点、晚 6 点到 8 点），"
        "志愿者轮流桶前值守，楼门口的垃圾桶撤掉。",
    )
    yield from d.cosigns(p, ["tl_council2", "leader_tl1", "leader_tl4", "council5", "tl_council3"], d.day(13, "16:00"))
    yield d.day(9, "11:00")
    d.review(p, "staff", Move.REQUEST_CHANGES,
             "请补充两处集中投放点的具体位置（可以附一张示意图），并先听一听投放点旁边一楼住户的意见，"
             "把他们的意见写进提案，再重新提交。")


def _meals(d: _Demo) -> Story:
    """Co-signing: a community canteen for the elderly, four co-signs short of review."""
    yield d.day(11, "09:20")
    p = d.propose(
        "meals", d.place(), "leader_tl2", Category.ELDERLY, "在社区党群服务中心开办老年助餐点",
        "社区里七十岁以上的老人占四分之一，铁路宿舍和和平里小区都没有电梯，不少独居老人买菜做饭很吃力，"
        "有的一顿饭吃两天。\n\n"
        "建议利用党群服务中心一层闲置的活动室（约 80 平方米）开办老年助餐点：引进有资质的餐饮企业中央厨房配送，"
        "午餐每份 15 元左右，八十岁以上和低保老人按政策补贴；行动不便的老人由志愿者送餐上门。",
    )
    yield from d.cosigns(p, ["tl_council1", "leader_tl1", "council5", "leader_hp2", "hp_council3", "leader_yg1"],
                         d.day(2, "20:50"))


def _fees(d: _Demo) -> Story:
    """Review: quarterly disclosure of the property fees, in review and not yet due."""
    yield d.day(8, "20:00")
    p = d.propose(
        "fees", d.place("阳光花园"), "leader_yg4", Category.PROPERTY, "物业费收支和公共收益请按季度公示",
        "阳光花园物业费每月每平方米 2.8 元，一年四十多万元；电梯广告、地面停车这些公共收益一年也有好几万。"
        "交房十几年，业主从来没看到过一份收支明细。\n\n"
        "建议物业服务企业按《物业管理条例》每季度在公告栏和议事厅公示物业费收支和公共收益，"
        "业主委员会每年请第三方审计一次。",
    )
    yield from d.cosigns(p, ["resident2", "leader_yg1", "leader_yg2", "council3", "yg_council3"], d.day(4, "09:00"))


def _lift_repair(d: _Demo) -> Story:
    """Co-signing in a building: the lift of a 2008 building keeps breaking down."""
    yield d.day(6, "21:10")
    p = d.propose(
        "lift_repair", d.place("阳光花园", "3号楼"), "resident2", Category.PROPERTY,
        "3号楼电梯一个月停了四次，请物业彻底检修并公开维保记录",
        "3号楼的电梯是 2008 年交房时装的，这个月已经停了四次，上周还困了人，二十多分钟才有人来。"
        "楼里有坐轮椅的老人，也有带孩子的年轻人，电梯一停，出门就成了难事。\n\n"
        "请物业：\n\n1. 委托有资质的单位对电梯做一次安全评估；\n2. 公开近一年的维保记录；\n"
        "3. 需要更换主板和钢丝绳的，按程序申请使用专项维修资金。",
    )
    yield from d.cosigns(p, ["yg_council3", "leader_yg3"], d.day(3, "19:45"))


def _ramp(d: _Demo) -> Story:
    """Draft: 张秀英 (the `resident` login) is still writing hers."""
    yield d.day(1, "20:30")
    d.propose(
        "ramp", d.place("和平里小区", "1号楼"), "resident", Category.ELDERLY, "单元门口台阶加装无障碍坡道和扶手",
        "我们1号楼两个单元门口都有五级台阶，没有扶手。楼里七十岁以上的老人有十几位，"
        "坐轮椅的、推婴儿车的上下都得有人帮着抬。去年冬天有位老邻居在台阶上滑倒，摔伤了胯骨。\n\n"
        "建议：\n\n1. 两个单元门口各修一条无障碍坡道，表面防滑；\n2. 台阶两侧加装扶手；\n"
        "3. 坡道要占一点绿地，请楼委会和一楼住户一起商量放在哪一侧。",
        submit=False,
    )


STORIES = (_handrails, _lights, _garage, _ebikes, _parking, _zombie_cars, _lane, _withdrawn, _metro, _heating,
           _rooftops, _sorting, _meals, _fees, _lift_repair, _ramp)

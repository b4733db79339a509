"""The demo community 幸福里社区: three compounds, twelve buildings, about 300 households, and logins
for every role. Built through the real actions, deterministically, into an empty database."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from deliberate.accounts import passwords
from deliberate.accounts.actions import do_approve_claim, do_claim, do_grant_role, do_register
from deliberate.accounts.models import Role, User
from deliberate.clock import utcnow
from deliberate.discussion.demo_discussion import add_demo_discussion
from deliberate.inbox.actions import tell_roll
from deliberate.meetings.demo_meetings import add_demo_meetings
from deliberate.places.actions import (
    counts,
    do_add_member,
    do_add_owner,
    do_create_household,
    do_create_place,
)
from deliberate.places.models import Household, Owner, Place, PlaceKind
from deliberate.proposals.demo_proposals import add_demo_proposals
from deliberate.voting.demo_votes import add_demo_votes
from deliberate.voting.models import Vote, VoteStatus

DEMO_PASSWORD = "demo12345"
SEED = 20261123
DEVELOPER = "阳光置业有限公司"
SAME_NAME_OWNERS = ("王芳", "张伟", "李娜")  # the first free one is given to two different owners


class DemoError(RuntimeError):
    """The demo cannot be loaded here (the database is not empty)."""


@dataclass(frozen=True)
class DemoSummary:
    community_id: int
    compounds: int
    buildings: int
    households: int
    members: int
    owners: int
    users: int
    logins: list[tuple[str, str, str]]  # (username, display name, what they can do)


# --- the places -------------------------------------------------------------------------------

COMMUNITY: dict[str, str] = {
    "name": "幸福里社区",
    "address": "北京市朝阳区幸福路 88 号",
    "description": (
        "幸福里社区位于朝阳区幸福路，辖和平里小区、阳光花园、铁路宿舍三个小区，十二栋楼，约三百户。"
        "社区居民议事会每月第一个周六上午在社区党群服务中心议事厅开会；"
        "居民可以在这里提出提案、附议、参加协商会和表决，并监督议定事项的落实。"
    ),
}


@dataclass(frozen=True)
class _CompoundSpec:
    code: str  # for usernames: leader_hp1 …
    name: str
    address: str
    description: str
    building_note: str
    units: int
    floors: int
    rooms: int  # per floor and unit
    area: tuple[int, int]  # m², whole
    rented: float
    kinds: dict[str, int]  # household kind -> weight


COMPOUNDS = (
    _CompoundSpec(
        code="hp", name="和平里小区", address="北京市朝阳区幸福路 12 号院",
        description="上世纪九十年代建成的老旧小区，六层砖混楼，没有电梯，老年住户多。"
                    "加装电梯、屋顶防水和停车是居民最关心的事。",
        building_note="六层，两个单元，无电梯", units=2, floors=6, rooms=2, area=(45, 75), rented=0.18,
        kinds={"elder_single": 14, "elder_couple": 24, "elder_with_child": 8, "three_gen": 16,
               "middle": 14, "young_family": 12, "young_couple": 6},
    ),
    _CompoundSpec(
        code="yg", name="阳光花园", address="北京市朝阳区幸福路 36 号",
        description="2008 年交付的商品房小区，有物业服务企业和业主委员会；开发商阳光置业仍持有少量未售房屋。",
        building_note="七层洋房，两个单元，有电梯", units=2, floors=7, rooms=2, area=(85, 140), rented=0.15,
        kinds={"elder_single": 2, "elder_couple": 6, "elder_with_child": 2, "three_gen": 20,
               "middle": 14, "young_family": 38, "young_couple": 14},
    ),
    _CompoundSpec(
        code="tl", name="铁路宿舍", address="北京市朝阳区光华北街 5 号院",
        description="原铁路分局职工宿舍，八十年代建成，房改后多数住户买下了产权；退休职工多，邻里多是老同事。",
        building_note="四层，三个单元，无电梯", units=3, floors=4, rooms=2, area=(48, 88), rented=0.12,
        kinds={"elder_single": 20, "elder_couple": 30, "elder_with_child": 10, "three_gen": 14,
               "middle": 12, "young_family": 8, "young_couple": 4},
    ),
)
BUILDINGS_PER_COMPOUND = 4

# --- names ------------------------------------------------------------------------------------

SURNAMES = (
    ("王", 7), ("李", 7), ("张", 6), ("刘", 5), ("陈", 4), ("杨", 3), ("赵", 3), ("黄", 2), ("周", 2), ("吴", 2),
    ("徐", 2), ("孙", 2), ("胡", 1), ("朱", 1), ("高", 1), ("林", 1), ("何", 1), ("郭", 1), ("马", 1), ("罗", 1),
    ("梁", 1), ("宋", 1), ("郑", 1), ("谢", 1), ("韩", 1), ("唐", 1), ("冯", 1), ("于", 1), ("董", 1), ("程", 1),
    ("曹", 1), ("袁", 1), ("邓", 1), ("许", 1), ("沈", 1), ("曾", 1), ("彭", 1), ("吕", 1), ("苏", 1), ("卢", 1),
    ("蒋", 1), ("蔡", 1), ("贾", 1), ("丁", 1), ("魏", 1), ("薛", 1), ("叶", 1), ("阎", 1), ("潘", 1), ("杜", 1),
    ("戴", 1), ("夏", 1), ("田", 1), ("任", 1), ("姜", 1), ("范", 1), ("方", 1), ("石", 1), ("姚", 1), ("崔", 1),
)

GIVEN = {
    ("old", "m"): "建国 国华 志强 建华 国强 德明 振华 玉林 福生 长林 文斌 永年 树森 宝山 庆祥 德胜 世杰 广田 俊卿 "
                  "金山 福海 德山 凤岐 秉义 守仁 振东 玉明 宝华 树林 有才",
    ("old", "f"): "秀英 桂英 秀兰 玉兰 凤英 淑珍 桂兰 秀珍 玉珍 淑兰 素芬 凤兰 桂芝 玉芬 淑英 金凤 秀云 玉梅 桂珍 "
                  "淑芳 秀芳 玉华 素珍 瑞芳 翠英 凤琴 玉芳 淑琴 秀荣 桂荣",
    ("mid", "m"): "卫东 红军 建军 志刚 海涛 立新 建平 晓东 国庆 东升 宏伟 振宇 永刚 文军 爱民 建新 跃进 向东 志勇 "
                  "学军 红兵 光明 伟民 庆丰 新民 卫国 立军 建设 宏亮 小平",
    ("mid", "f"): "红梅 丽娟 海燕 春梅 秀梅 晓红 丽萍 建英 雪梅 红霞 丽君 晓梅 艳华 小红 玉红 彩霞 春燕 慧敏 丽华 "
                  "美玲 爱华 卫红 亚萍 素梅 红英 利萍 凤霞 金华 淑华 志红",
    ("young", "m"): "磊 伟 鹏 超 浩 杰 鑫 博 强 帅 宇 俊杰 晓明 志伟 建伟 子健 天宇 亮 旭 晨 思远 文博 嘉伟 鹏飞 "
                    "海洋 一帆 晓峰 凯 宁 昊",
    ("young", "f"): "婷 丹 静 娜 晶 倩 雪 琳 颖 佳 丽娜 思琪 雨婷 晓燕 佳琪 文静 蕾 璐 晓雪 慧 媛媛 婷婷 梦瑶 "
                    "欣然 佳慧 莹 月 露 楠 瑶",
    ("kid", "m"): "子轩 浩宇 宇航 俊熙 沐阳 一鸣 皓轩 子墨 宇泽 奕辰 浩然 博文 睿泽 子豪 明哲 梓睿 铭轩 嘉懿 煜祺 "
                  "思源 天佑 俊宇 锦程 亦凡 承泽 宇轩 若愚 景行 辰逸 子航",
    ("kid", "f"): "梓涵 一诺 欣怡 诗涵 梓萱 紫涵 雨桐 可馨 若汐 依诺 思彤 佳怡 语桐 子琪 雨萱 梦琪 诗琪 欣妍 芷若 "
                  "安然 心怡 语嫣 思语 书瑶 沐晴 梓玥 可欣 艺涵 佳宁 一然",
}

# Fixed people: the staff and the resident the README names, and the developer.
STAFF = (("staff", "王芳"), ("staff2", "李静"))
RESIDENT_NAME, RESIDENT_BORN = "张秀英", 1950
RESIDENT_HOME = (0, 0, "2单元301")  # compound, building, number: 和平里小区 1号楼
DEVELOPER_UNITS = 6


def _era(birth_year: int) -> str:
    if birth_year <= 1955:
        return "old"
    if birth_year <= 1979:
        return "mid"
    if birth_year <= 2000:
        return "young"
    return "kid"


# --- the plan: pure data, decided before anything is written ------------------------------------


@dataclass
class _Person:
    name: str
    birth_year: int


@dataclass
class _Home:
    compound: int
    building: int
    number: str
    area_centi: int
    members: list[_Person] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    identities: dict[str, str] = field(default_factory=dict)  # an owner's identity by name, where one is known
    rented: bool = False
    developer: bool = False
    household: Household | None = None


class _Planner:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = {name for _, name in STAFF} | {RESIDENT_NAME, DEVELOPER}
        self._surnames = [s for s, _ in SURNAMES]
        self._weights = [w for _, w in SURNAMES]
        self._given = {key: value.split() for key, value in GIVEN.items()}

    def surname(self) -> str:
        return self.rng.choices(self._surnames, self._weights)[0]

    def person(self, birth_year: int, sex: str, surname: str | None = None) -> _Person:
        """Someone with a name no one else in the community has, so that name + year finds one person."""
        pool = self._given[(_era(birth_year), sex)]
        wider = [g for (_, s), names in self._given.items() if s == sex for g in names]
        for attempt in range(200):
            given = self.rng.choice(pool if attempt < 40 else wider)
            name = (surname if surname and attempt < 100 else self.surname()) + given
            if name not in self.used:
                self.used.add(name)
                return _Person(name, birth_year)
        raise DemoError("ran out of names")

    def couple(self, born: tuple[int, int]) -> tuple[_Person, _Person, str]:
        surname = self.surname()
        husband_born = self.rng.randint(*born)
        husband = self.person(husband_born, "m", surname)
        wife = self.person(min(max(husband_born + self.rng.randint(-1, 4), 1938), 2000), "f")
        return husband, wife, surname

    def child(self, parent_born: int, surname: str, *, latest: int = 2020) -> _Person:
        born = min(parent_born + self.rng.randint(24, 32), latest)
        return self.person(born, self.rng.choice("mf"), surname)

    def household(self, kind: str) -> tuple[list[_Person], list[_Person]]:
        """(members, the members who own the unit)."""
        rng = self.rng
        if kind == "elder_single":
            person = self.person(rng.randint(1938, 1952), "f" if rng.random() < 0.7 else "m")
            return [person], [person]
        if kind == "elder_couple":
            husband, wife, _ = self.couple((1938, 1956))
            return [husband, wife], [husband, wife] if rng.random() < 0.5 else [husband]
        if kind == "elder_with_child":
            surname = self.surname()
            elder = self.person(rng.randint(1938, 1950), "f" if rng.random() < 0.6 else "m", surname)
            carer = self.child(elder.birth_year, surname, latest=1980)
            return [elder, carer], [elder]
        if kind == "three_gen":
            grandfather, grandmother, surname = self.couple((1940, 1955))
            grandparents = [grandfather, grandmother] if rng.random() < 0.4 else [grandmother]
            father = self.person(min(grandfather.birth_year + rng.randint(25, 32), 1988), "m", surname)
            mother = self.person(father.birth_year + rng.randint(-1, 3), "f")
            kids = [self.child(mother.birth_year, surname)]
            if len(grandparents) == 1 and rng.random() < 0.4:
                kids.append(self.person(min(kids[0].birth_year + rng.randint(2, 6), 2020), rng.choice("mf"), surname))
            owners = grandparents if rng.random() < 0.5 else ([father, mother] if rng.random() < 0.5 else [father])
            return grandparents + [father, mother] + kids, owners
        if kind == "middle":
            husband, wife, surname = self.couple((1958, 1972))
            child = self.child(wife.birth_year, surname, latest=2002)
            owners = rng.choice([[husband], [husband, wife], [wife]])
            return [husband, wife, child], owners
        if kind in ("young_family", "young_couple"):
            husband, wife, surname = self.couple((1980, 1992) if kind == "young_family" else (1986, 1997))
            members = [husband, wife]
            if kind == "young_family":
                members.append(self.child(wife.birth_year, surname))
                if rng.random() < 0.35:
                    members.append(self.person(rng.randint(2016, 2020), rng.choice("mf"), surname))
            draw = rng.random()
            return members, [husband, wife] if draw < 0.5 else [husband] if draw < 0.85 else [wife]
        raise ValueError(kind)

    def tenants(self) -> list[_Person]:
        rng = self.rng
        if rng.random() < 0.5:  # a young family renting
            husband, wife, surname = self.couple((1985, 1998))
            members = [husband, wife]
            if rng.random() < 0.5:
                members.append(self.child(wife.birth_year, surname))
            return members
        return [self.person(rng.randint(1990, 2001), rng.choice("mf")) for _ in range(rng.randint(1, 3))]

    def landlord(self) -> str:
        return self.person(self.rng.randint(1950, 1978), self.rng.choice("mf")).name

    def homes(self) -> list[_Home]:
        rng = self.rng
        homes: list[_Home] = []
        for c, spec in enumerate(COMPOUNDS):
            kinds, weights = list(spec.kinds), list(spec.kinds.values())
            for b in range(BUILDINGS_PER_COMPOUND):
                # One floor plan per unit and room: the same area on every floor, as on a real register.
                areas = {
                    (u, r): rng.randint(spec.area[0] * 100, spec.area[1] * 100)
                    for u in range(1, spec.units + 1) for r in range(1, spec.rooms + 1)
                }
                for u in range(1, spec.units + 1):
                    for f in range(1, spec.floors + 1):
                        for r in range(1, spec.rooms + 1):
                            home = _Home(c, b, f"{u}单元{f}{r:02d}", areas[(u, r)])
                            if rng.random() < spec.rented:
                                home.rented = True
                                home.members = self.tenants()
                                home.owners = [self.landlord()]
                            else:
                                members, owners = self.household(rng.choices(kinds, weights)[0])
                                home.members = members
                                home.owners = [p.name for p in owners]
                            homes.append(home)
        self._place_resident(homes)
        self._developer_units(homes)
        self._two_unit_buyer(homes)
        self._same_name_owners(homes)
        return homes

    def _place_resident(self, homes: list[_Home]) -> None:
        """张秀英 and her husband own and live in 和平里小区 1号楼 2单元301."""
        home = next(h for h in homes if (h.compound, h.building, h.number) == RESIDENT_HOME)
        husband = self.person(1947, "m")
        resident = _Person(RESIDENT_NAME, RESIDENT_BORN)
        home.members = [husband, resident]
        home.owners = [husband.name, resident.name]
        home.rented = False

    def _developer_units(self, homes: list[_Home]) -> None:
        """阳光花园's last few unsold units are still the developer's, and nobody lives there."""
        candidates = [h for h in homes if h.compound == 1 and h.building >= 2]
        for home in self.rng.sample(candidates, DEVELOPER_UNITS):
            home.members, home.owners, home.rented, home.developer = [], [DEVELOPER], False, True

    def _two_unit_buyer(self, homes: list[_Home]) -> None:
        """One 阳光花园 owner lives in one unit and lets another, in a different building."""
        lived = [h for h in homes if h.compound == 1 and not h.rented and not h.developer and len(h.owners) == 1]
        home = self.rng.choice(lived)
        let = [h for h in homes if h.compound == 1 and h.rented and h.building != home.building]
        other = self.rng.choice(let)
        other.owners = [home.owners[0]]
        # Staff confirmed the two units are one buyer's: they share an identity (a link, no ID digits needed).
        home.identities = other.identities = {home.owners[0]: _demo_identity("two-unit buyer")}

    def _same_name_owners(self, homes: list[_Home]) -> None:
        """Two different people of one name (the first of SAME_NAME_OWNERS no one else has) each let a unit of
        阳光花园, in different buildings: the register tells them apart by identity, so an owners' roll counts two
        heads. Chosen without the generator, so that nothing after it changes."""
        name = next(n for n in SAME_NAME_OWNERS if n not in self.used)
        self.used.add(name)
        let = [h for h in homes if h.compound == 1 and h.rented and not h.identities]
        first = next(h for h in let if h.building == 0)
        second = next(h for h in let if h.building == 1)
        for n, home in enumerate((first, second)):
            home.owners = [name]
            home.identities = {name: _demo_identity(f"same name {n}")}


def _demo_identity(label: str) -> str:
    """A fixed identity for the demo's owners (real ones come from rules.owner_identity or staff's links)."""
    return hashlib.sha256(f"deliberate demo owner: {label}".encode()).hexdigest()


# --- the accounts -----------------------------------------------------------------------------

ABILITY = {
    Role.ADMIN: "设置小区、楼栋和住户，任命议事会成员和各类角色",
    Role.STAFF: "审核居民认领、受理提案、录入纸质选票、督办逾期事项",
    PlaceKind.COMMUNITY: "受理全社区的提案，召集协商会，发起和认证表决",
    PlaceKind.COMPOUND: "受理本小区的提案，召集协商会，发起和认证表决",
    PlaceKind.BUILDING: "受理本楼的提案，召集楼门会，发起和认证表决",
    Role.BUILDING_LEADER: "代表本楼居民，入户收集意见和纸质选票",
    Role.SUPERVISOR: "巡查施工，提交巡查报告，参加现场验收",
    "resident": "提案、附议、评论、报名参会、投票、评价",
}


@dataclass
class _Account:
    username: str
    home: _Home
    person: _Person
    roles: list[tuple[str, tuple[int, ...]]]  # (role, place key: () community, (c,) compound, (c, b) building)
    what: str
    pending: bool = False


class _Chooser:
    """Picks the people who get accounts from the register: one account per person and per household."""

    def __init__(self, rng: random.Random, homes: list[_Home]) -> None:
        self.rng = rng
        self.homes = homes
        self.taken: set[int] = set()

    def take(self, home: _Home, person: _Person) -> tuple[_Home, _Person]:
        self.taken.add(id(home))
        return home, person

    def pick(
        self, *, compound: int, building: int | None = None, born: tuple[int, int], rented: bool = False
    ) -> tuple[_Home, _Person]:
        candidates = [
            (home, person)
            for home in self.homes
            if home.compound == compound
            and (building is None or home.building == building)
            and home.rented == rented
            and id(home) not in self.taken
            for person in home.members
            if born[0] <= person.birth_year <= born[1]
        ]
        if not candidates:
            raise DemoError("no one on the register fits")
        return self.take(*self.rng.choice(candidates))


def _where(home: _Home) -> str:
    return f"{COMPOUNDS[home.compound].name}{home.building + 1}号楼{home.number}"


def _plan_accounts(rng: random.Random, homes: list[_Home]) -> list[_Account]:
    chooser = _Chooser(rng, homes)
    accounts: list[_Account] = []

    home = next(h for h in homes if (h.compound, h.building, h.number) == RESIDENT_HOME)
    person = next(p for p in home.members if p.name == RESIDENT_NAME)
    chooser.take(home, person)
    accounts.append(_Account("resident", home, person, [], f"已认证居民（{_where(home)}）：{ABILITY['resident']}"))

    home, person = chooser.pick(compound=1, born=(1983, 1992))
    accounts.append(_Account("resident2", home, person, [], f"已认证居民（{_where(home)}）：{ABILITY['resident']}"))

    home, person = chooser.pick(compound=1, born=(1990, 2000), rented=True)
    accounts.append(_Account(
        "newcomer", home, person, [], f"新住户（{_where(home)}）：已注册，认领申请待社区工作者审核", pending=True
    ))

    home, person = chooser.pick(compound=0, born=(1950, 1962))
    accounts.append(_Account(
        "supervisor", home, person, [(Role.SUPERVISOR, (0,))],
        f"监督员（{COMPOUNDS[0].name}）：{ABILITY[Role.SUPERVISOR]}",
    ))

    for n, c in enumerate((0, 0, 1, 1, 2), start=1):
        home, person = chooser.pick(compound=c, born=(1950, 1980))
        accounts.append(_Account(
            f"council{n}", home, person, [(Role.COUNCIL, ())],
            f"社区居民议事会成员（{COMMUNITY['name']}）：{ABILITY[PlaceKind.COMMUNITY]}",
        ))
    for c, spec in enumerate(COMPOUNDS):
        for n in range(1, 4):
            home, person = chooser.pick(compound=c, born=(1955, 1985))
            accounts.append(_Account(
                f"{spec.code}_council{n}", home, person, [(Role.COUNCIL, (c,))],
                f"小区议事会成员（{spec.name}）：{ABILITY[PlaceKind.COMPOUND]}",
            ))
    for n in range(1, 4):
        home, person = chooser.pick(compound=0, building=0, born=(1950, 1985))
        accounts.append(_Account(
            f"{COMPOUNDS[0].code}1_council{n}", home, person, [(Role.COUNCIL, (0, 0))],
            f"楼委会成员（{COMPOUNDS[0].name}1号楼）：{ABILITY[PlaceKind.BUILDING]}",
        ))
    for c, spec in enumerate(COMPOUNDS):
        for b in range(BUILDINGS_PER_COMPOUND):
            home, person = chooser.pick(compound=c, building=b, born=(1950, 1972))
            accounts.append(_Account(
                f"leader_{spec.code}{b + 1}", home, person, [(Role.BUILDING_LEADER, (c, b))],
                f"楼栋长（{spec.name}{b + 1}号楼）：{ABILITY[Role.BUILDING_LEADER]}",
            ))
    return accounts


# --- loading ----------------------------------------------------------------------------------


def load_demo(session: Session, *, password_for: Callable[[str], str] | None = None) -> DemoSummary:
    """Builds the demo community into an empty database and flushes; the caller commits.

    `password_for`, if given, makes the accounts' stored hash (tests pass a fast fake)."""
    if session.exec(select(Place.id).limit(1)).first() is not None:
        raise DemoError("the demo loads only into a database without places")
    rng = random.Random(SEED)
    homes = _Planner(rng).homes()
    accounts = _plan_accounts(rng, homes)
    usernames = ["admin"] + [u for u, _ in STAFF] + [a.username for a in accounts]
    taken = session.exec(select(User.username).where(User.username.in_(usernames))).all()  # type: ignore[attr-defined]
    if taken:
        raise DemoError(f"usernames already taken: {', '.join(sorted(taken))}")

    community = do_create_place(session, kind=PlaceKind.COMMUNITY, name=COMMUNITY["name"],
                                address=COMMUNITY["address"], description=COMMUNITY["description"])
    places: dict[tuple[int, ...], Place] = {(): community}
    for c, spec in enumerate(COMPOUNDS):
        compound = do_create_place(session, kind=PlaceKind.COMPOUND, name=spec.name, parent=community,
                                   address=spec.address, description=spec.description)
        places[(c,)] = compound
        for b in range(BUILDINGS_PER_COMPOUND):
            places[(c, b)] = do_create_place(session, kind=PlaceKind.BUILDING, name=f"{b + 1}号楼", parent=compound,
                                             description=spec.building_note)
    for home in homes:
        household = do_create_household(session, building=places[(home.compound, home.building)],
                                         number=home.number, area_centi=home.area_centi)
        home.household = household
        for person in home.members:
            do_add_member(session, household, name=person.name, birth_year=person.birth_year)
        for name in home.owners:
            do_add_owner(session, household, name=name, is_developer=home.developer,
                         identity=home.identities.get(name, ""))

    # Every account has the same password: hash it once (argon2 takes a good part of a second a hash).
    password_hash = (password_for or passwords.hash_password)(DEMO_PASSWORD)

    def register(username: str, display_name: str) -> User:
        return do_register(session, username=username, display_name=display_name, password=DEMO_PASSWORD,
                           password_hash=password_hash)

    logins: list[tuple[str, str, str]] = []
    admin = register("admin", "社区管理员")
    do_grant_role(session, user=admin, role=Role.ADMIN, place=community, by=None)
    logins.append(("admin", admin.display_name, f"管理员（{community.name}）：{ABILITY[Role.ADMIN]}"))
    staff_users = []
    for username, name in STAFF:
        user = register(username, name)
        do_grant_role(session, user=user, role=Role.STAFF, place=community, by=admin)
        staff_users.append(user)
        logins.append((username, name, f"社区工作者（{community.name}）：{ABILITY[Role.STAFF]}"))
    staff = staff_users[0]

    for account in accounts:
        user = register(account.username, account.person.name)
        assert account.home.household is not None
        claim = do_claim(session, user=user, household=account.home.household, name=account.person.name,
                         birth_year=account.person.birth_year,
                         note="上个月刚搬来，租住在这里。" if account.pending else "")
        if not account.pending:
            member = do_approve_claim(session, claim, by=staff)
            if member.user_id != user.id:
                raise DemoError(f"{account.username} was not linked to the register")
        for role, key in account.roles:
            do_grant_role(session, user=user, role=role, place=places[key], by=admin)
        logins.append((account.username, account.person.name, account.what))
    session.flush()
    add_demo_votes(session, rng)
    for vote in session.exec(select(Vote).where(col(Vote.status) == VoteStatus.OPEN)).all():
        tell_roll(session, vote, vote.opens_at or utcnow())  # as opening it from its page would have
    add_demo_meetings(session)
    add_demo_proposals(session, rng)
    add_demo_discussion(session)

    totals = counts(session, community)
    owners = session.exec(
        select(func.count()).select_from(Owner).join(Household, col(Household.id) == Owner.household_id)
        .join(Place, col(Place.id) == Household.building_id)
        .where(Place.path.startswith(community.path))
    ).one()
    assert community.id is not None
    return DemoSummary(
        community_id=community.id,
        compounds=totals.compounds,
        buildings=totals.buildings,
        households=totals.households,
        members=totals.residents,
        owners=owners,
        users=len(logins),
        logins=logins,
    )

"""The place tree, its households, members and owners, and the accounts: residents, staff, council, leaders."""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from deliberate.accounts.models import ClaimStatus, Role
from deliberate.bench_data.bulk import Bulk
from deliberate.bench_data.sizes import Scale
from deliberate.places.models import PlaceKind
from deliberate.places.rules import is_adult

PASSWORD = "bench-password-1"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉力永健世广海云春晓雪梅琳斌宇浩凯鹏飞俊峰瑞"
DISTRICT_WORDS = "朝阳和平幸福光明团结建设胜利友谊东风安宁祥和长青丰收前进向阳振兴民主富强文明"


@dataclass
class Home:
    id: int
    building_id: int
    label: str  # building and number, as the roll shows it
    area_centi: int
    first_member: int
    members: int
    owners: tuple[str, ...]
    developer: bool


@dataclass
class Area:
    """A community or compound, with what votes, proposals and meetings need to know of it."""

    id: int
    kind: str
    name: str
    community: int  # index of its community
    homes: list[Home] = field(default_factory=list)
    accounts: list[int] = field(default_factory=list)  # user ids of residents living here
    buildings: list[int] = field(default_factory=list)


@dataclass
class Register:
    password_hash: str
    year: int
    communities: list[Area] = field(default_factory=list)
    compounds: list[list[Area]] = field(default_factory=list)  # per community
    birth: array = field(default_factory=lambda: array("H", [0]))  # type: ignore[type-arg]
    account_member: dict[int, int] = field(default_factory=dict)  # user id -> member id
    staff: list[int] = field(default_factory=list)  # user id per community
    council: list[list[int]] = field(default_factory=list)  # per community
    leaders: dict[int, int] = field(default_factory=dict)  # building id -> user id
    logins: list[str] = field(default_factory=list)  # usernames of residents of the first compound
    salt: int = 0

    def member_name(self, member_id: int) -> str:
        h = ((member_id + self.salt) * 2654435761) % 4294967296
        given = GIVEN[(h >> 8) % len(GIVEN)] + (GIVEN[(h >> 16) % len(GIVEN)] if h % 3 else "")
        return SURNAMES[h % len(SURNAMES)] + given

    def adult(self, member_id: int) -> bool:
        return is_adult(self.birth[member_id], self.year)

    def areas(self) -> list[Area]:
        return [*self.communities, *(a for compounds in self.compounds for a in compounds)]


def _user(bulk: Bulk, reg: Register, username: str, name: str, at: datetime) -> int:
    user_id = bulk.next_id("user")
    bulk.add("user", {"id": user_id, "username": username, "display_name": name, "password_hash": reg.password_hash,
                      "locale": None, "email": None, "email_notifications": True, "is_active": True,
                      "created_at": at})
    return user_id


def _grant(bulk: Bulk, user_id: int, role: str, place_id: int, by: int | None, at: datetime) -> None:
    bulk.add("role_grant", {"id": bulk.next_id("role_grant"), "user_id": user_id, "role": role,
                            "place_id": place_id, "granted_by_id": by, "created_at": at})


def _place(bulk: Bulk, kind: str, parent: tuple[int, str] | None, name: str, at: datetime) -> tuple[int, str]:
    place_id = bulk.next_id("place")
    path = f"{parent[1] if parent else '/'}{place_id}/"
    bulk.add("place", {"id": place_id, "kind": kind, "parent_id": parent[0] if parent else None, "path": path,
                       "name": name, "address": f"{name}路{place_id}号", "description": "", "created_at": at})
    return place_id, path


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def load(bulk: Bulk, scale: Scale, rng: random.Random, *, password_hash: str, now: datetime, year: int) -> Register:
    reg = Register(password_hash=password_hash, year=year, salt=rng.randrange(1 << 20))
    founded = now - timedelta(days=3 * 365)
    for c in range(scale.communities):
        reg.staff.append(_user(bulk, reg, "staff" if c == 0 else f"staff{c + 1:03d}", f"社区工作者{c + 1}", founded))
    buildings_each = scale.compounds * scale.buildings
    rest = scale.households - scale.big_households
    per_community = [scale.big_households, *_split(rest, scale.communities - 1)] if scale.communities > 1 \
        else [scale.households]
    member_id = 0
    for c in range(scale.communities):
        word = DISTRICT_WORDS[2 * (c % (len(DISTRICT_WORDS) // 2)):][:2]
        community = _place(bulk, PlaceKind.COMMUNITY, None, f"{word}社区{c + 1}", founded)
        area = Area(community[0], PlaceKind.COMMUNITY, f"{word}社区{c + 1}", c)
        reg.communities.append(area)
        reg.compounds.append([])
        _grant(bulk, reg.staff[c], Role.STAFF, community[0], None, founded)
        per_building = _split(per_community[c], buildings_each)
        for k in range(scale.compounds):
            compound = _place(bulk, PlaceKind.COMPOUND, community, f"{word}{'苑园里府居庭'[k % 6]}{k + 1}", founded)
            inner = Area(compound[0], PlaceKind.COMPOUND, f"{word}{k + 1}", c)
            reg.compounds[c].append(inner)
            adults: list[tuple[int, Home]] = []
            members: list[dict[str, object]] = []
            for b in range(scale.buildings):
                name = f"{b + 1}号楼"
                building = _place(bulk, PlaceKind.BUILDING, compound, name, founded)
                inner.buildings.append(building[0])
                for n in range(per_building[k * scale.buildings + b]):
                    household_id = bulk.next_id("household")
                    number = f"{n // 24 + 1}-{n % 24 // 4 + 1:02d}{n % 4 + 1:02d}"
                    count = rng.choices((1, 2, 3, 4, 5), (21, 34, 26, 15, 4))[0]
                    first = member_id + 1
                    for _ in range(count):
                        member_id += 1
                        born = rng.randint(1935, year - 1) if rng.random() < 0.85 else rng.randint(year - 17, year)
                        reg.birth.append(born)
                        members.append({"id": member_id, "household_id": household_id,
                                        "name": reg.member_name(member_id), "birth_year": born, "user_id": None})
                    developer = rng.random() < 0.03
                    owners = ("开发商",) if developer else tuple(
                        reg.member_name(first + i) for i in range(2 if count > 1 and rng.random() < 0.06 else 1))
                    home = Home(household_id, building[0], f"{name}{number}", rng.randint(4500, 16000) * 100
                                + rng.randint(0, 99), first, count, owners, developer)
                    inner.homes.append(home)
                    area.homes.append(home)
                    bulk.add("household", {"id": household_id, "building_id": building[0], "number": number,
                                           "area_centi": home.area_centi, "created_at": founded})
                    for owner in owners:
                        bulk.add("owner", {"id": bulk.next_id("owner"), "household_id": household_id, "name": owner,
                                           "is_developer": developer, "user_id": None})
                    adults += [(m, home) for m in range(first, first + count) if reg.adult(m)]
            quota = round(scale.accounts * len(inner.homes) / scale.households)
            if c == 0 and k == 0:
                quota = max(quota, scale.logins + 10)
            chosen = sorted(rng.sample(range(len(adults)), min(quota, len(adults))))
            by_member = {}
            claims: list[dict[str, object]] = []
            for index in chosen:
                member, home = adults[index]
                name = reg.member_name(member)
                user_id = _user(bulk, reg, f"r{member:07d}", name, founded)
                by_member[member] = user_id
                reg.account_member[user_id] = member
                inner.accounts.append(user_id)
                area.accounts.append(user_id)
                if c == 0 and k == 0 and len(reg.logins) < scale.logins:
                    reg.logins.append(f"r{member:07d}")
                claims.append({
                    "id": bulk.next_id("residency_claim"), "user_id": user_id, "household_id": home.id,
                    "name": name, "birth_year": reg.birth[member], "note": "", "status": ClaimStatus.APPROVED,
                    "reason": "", "member_id": member, "decided_by_id": reg.staff[c], "decided_at": founded,
                    "created_at": founded})
                if home.building_id not in reg.leaders:
                    reg.leaders[home.building_id] = user_id
                    _grant(bulk, user_id, Role.BUILDING_LEADER, home.building_id, reg.staff[c], founded)
            for row in members:  # after their accounts, before the claims that name them
                row["user_id"] = by_member.get(row["id"])  # type: ignore[call-overload]
                bulk.add("member", row)
            for claim in claims:
                bulk.add("residency_claim", claim)
        reg.council.append(area.accounts[:7])
        for user_id in reg.council[c]:
            _grant(bulk, user_id, Role.COUNCIL, community[0], reg.staff[c], founded)
    return reg

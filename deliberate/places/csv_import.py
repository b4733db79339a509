"""Import a compound's or a building's household register from a CSV file, all or nothing.

One row per person. The file is first parsed and checked as a whole (`parse_register`, no database);
only a file without a single error is written (`apply_register`), through `places.actions`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlmodel import Session

from deliberate.i18n import gettext as _
from deliberate.places import actions
from deliberate.places.models import Household, Member, Owner, Place, PlaceKind
from deliberate.places.rules import check_name, owner_identity, parse_area, parse_birth_year, parse_id_tail

MAX_ROWS = 20000
MAX_NUMBER_LENGTH = 50
MAX_MEMBER_NAME_LENGTH = 50
MAX_OWNER_NAME_LENGTH = 100
_VALUE_PREVIEW = 30

# Column keys, each with the header names accepted for it (compared stripped and case-folded).
BUILDING = "building"
HOUSEHOLD = "household"
AREA = "area"
NAME = "name"
BIRTH_YEAR = "birth_year"
OWNER = "owner"
RESIDENT = "resident"
ID_TAIL = "id_tail"

HEADERS: dict[str, tuple[str, ...]] = {
    BUILDING: ("楼栋", "building"),
    HOUSEHOLD: ("房号", "household"),
    AREA: ("面积", "area"),
    NAME: ("姓名", "name"),
    BIRTH_YEAR: ("出生年份", "birth_year"),
    OWNER: ("业主", "owner"),
    RESIDENT: ("居住", "resident"),
    ID_TAIL: ("身份证后四位", "id_last4"),
}
_HEADER_KEYS = {alias.casefold(): key for key, aliases in HEADERS.items() for alias in aliases}

_NOT_OWNER, _OWNER, _DEVELOPER = "no", "yes", "developer"
_OWNER_VALUES = {"": _NOT_OWNER, "否": _NOT_OWNER, "no": _NOT_OWNER, "是": _OWNER, "yes": _OWNER,
                 "开发商": _DEVELOPER, "developer": _DEVELOPER}
_RESIDENT_VALUES = {"是": True, "yes": True, "否": False, "no": False}


@dataclass(frozen=True)
class RowError:
    """One problem in the file; `line` is the spreadsheet row (header = 1), None for the whole file."""

    line: int | None
    message: str


@dataclass(frozen=True)
class ImportReport:
    households_created: int
    households_updated: int
    members_added: int
    owners_added: int

    def sentence(self) -> str:
        return _("导入完成：新建 %(created)s 户，更新 %(updated)s 户，添加成员 %(members)s 人，业主 %(owners)s 人。",
                 created=self.households_created, updated=self.households_updated, members=self.members_added,
                 owners=self.owners_added)


class ImportFailed(Exception):
    """The file was refused; `errors` lists every problem found, in file order."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.line is not None, e.line or 0))
        super().__init__("; ".join(e.message for e in self.errors[:5]))


@dataclass(frozen=True)
class PlannedMember:
    name: str
    birth_year: int
    line: int


@dataclass(frozen=True)
class PlannedOwner:
    name: str
    is_developer: bool
    line: int
    identity: str = ""  # rules.owner_identity of the row's birth year and ID tail; "" without them


@dataclass(frozen=True)
class PlannedHousehold:
    building: Place
    number: str
    area_centi: int | None  # None: no row of the file gives an area
    line: int  # the first row naming this household
    members: tuple[PlannedMember, ...]
    owners: tuple[PlannedOwner, ...]


@dataclass(frozen=True)
class RegisterPlan:
    """A checked file: its households in order of first appearance, keyed by (building id, number)."""

    scope: Place
    households: tuple[PlannedHousehold, ...]
    rows: int


@dataclass
class _Draft:
    building: Place
    number: str
    line: int
    area_centi: int | None = None
    area_line: int = 0
    area_text: str = ""
    members: list[PlannedMember] = field(default_factory=list)
    owners: list[PlannedOwner] = field(default_factory=list)
    member_lines: dict[tuple[str, int], int] = field(default_factory=dict)
    owner_lines: dict[str, int] = field(default_factory=dict)


def _preview(value: str) -> str:
    return value[:_VALUE_PREVIEW]


def _at(line: int, problem: str) -> RowError:
    return RowError(line, _("第 %(line)s 行：%(problem)s", line=line, problem=problem))


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_records(text: str) -> list[tuple[int, list[str]]]:
    """Every record with its spreadsheet row number; blank rows are dropped but still counted."""
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise ImportFailed([_at(line + 1, _("无法按 CSV 格式读取（可能有未配对的引号或过长的单元格）。"))]) from exc
        line += 1
        stripped = [cell.strip() for cell in cells]
        if any(stripped):
            records.append((line, stripped))
    return records


def _columns(header: list[str], *, needs_building: bool) -> dict[str, int]:
    columns: dict[str, int] = {}
    errors: list[RowError] = []
    for index, raw in enumerate(header):
        key = _HEADER_KEYS.get(raw.casefold())
        if key is None:
            continue  # unknown extra columns are ignored
        if key in columns:
            errors.append(RowError(None, _("表头中有两列都是“%(column)s”，请只保留一列。", column=HEADERS[key][0])))
            continue
        columns[key] = index
    required = [BUILDING, HOUSEHOLD, NAME] if needs_building else [HOUSEHOLD, NAME]
    missing = [key for key in required if key not in columns]
    if missing:
        errors.append(RowError(None, _(
            "缺少必需的列：%(columns)s。第一行须为表头，列名可用中文或英文（如“房号”或“household”）。",
            columns="、".join(HEADERS[key][0] for key in missing),
        )))
    if errors:
        raise ImportFailed(errors)
    return columns


def _refuse_scope(scope: Place) -> None:
    if scope.kind == PlaceKind.COMMUNITY:
        raise ImportFailed([RowError(None, _("不能按社区导入住户名册，请分小区或楼栋导入。"))])
    if scope.kind not in (PlaceKind.COMPOUND, PlaceKind.BUILDING):
        raise ImportFailed([RowError(None, _("只能导入到小区或楼栋。"))])


@dataclass(frozen=True)
class _Row:
    """One data row's own fields, read and checked on their own (None where a field was bad)."""

    building: Place | None
    number: str | None
    area_centi: int | None  # None: empty or bad
    area_text: str
    name: str | None
    birth_year: int | None
    resident: bool | None
    owner_kind: str | None
    id_tail: str = ""  # an owner's ID number's last four characters, checked; read only for owners


class _RowReader:
    def __init__(self, columns: dict[str, int], *, scope: Place, buildings: list[Place], current_year: int) -> None:
        self.columns = columns
        self.scope = scope
        self.in_building = scope.kind == PlaceKind.BUILDING
        self.current_year = current_year
        self.by_name: dict[str, list[Place]] = {}
        for building in buildings:
            if building.kind == PlaceKind.BUILDING and scope.contains(building) and building.id is not None:
                self.by_name.setdefault(building.name.strip(), []).append(building)

    def cell(self, cells: list[str], key: str) -> str:
        index = self.columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    def building(self, cells: list[str], problems: list[str]) -> Place | None:
        value = self.cell(cells, BUILDING)
        if self.in_building:
            if value and value != self.scope.name.strip():
                problems.append(_("楼栋“%(value)s”与正在导入的楼栋“%(name)s”不符。",
                                  value=_preview(value), name=self.scope.name))
                return None
            return self.scope
        if not value:
            problems.append(_("请填写楼栋。"))
            return None
        matches = self.by_name.get(value, [])
        if not matches:
            problems.append(_("小区内没有名为“%(name)s”的楼栋。", name=_preview(value)))
            return None
        if len(matches) > 1:
            problems.append(_("小区内有多个名为“%(name)s”的楼栋，无法区分；请先修改楼栋名称。", name=_preview(value)))
            return None
        return matches[0]

    def read(self, cells: list[str]) -> tuple[_Row, list[str]]:
        problems: list[str] = []
        for key, index in self.columns.items():
            if index < len(cells) and ("\n" in cells[index] or "\r" in cells[index]):
                # Usually an unpaired quote that swallowed the rows after it.
                problems.append(_("“%(column)s”一栏的单元格内有换行（可能有未配对的引号）。", column=HEADERS[key][0]))
        building = self.building(cells, problems)

        number: str | None = self.cell(cells, HOUSEHOLD)
        number_error = check_name(number or "", field=_("房号"), max_length=MAX_NUMBER_LENGTH)
        if number_error:
            problems.append(number_error)
            number = None

        area_text = self.cell(cells, AREA)
        area, area_error = parse_area(area_text)
        if area_error:
            problems.append(area_error)
        if area_error or not area_text:
            area = None

        owner_text = self.cell(cells, OWNER)
        owner_kind = _OWNER_VALUES.get(owner_text.casefold())
        if owner_kind is None:
            problems.append(_("业主一栏“%(value)s”无效：请填写是、否或开发商。", value=_preview(owner_text)))

        resident_text = self.cell(cells, RESIDENT)
        resident: bool | None
        if not resident_text:
            # A developer (a company) never lives in a unit; anyone else is taken to live there.
            resident = owner_kind != _DEVELOPER
        else:
            resident = _RESIDENT_VALUES.get(resident_text.casefold())
            if resident is None:
                problems.append(_("居住一栏“%(value)s”无效：请填写是或否。", value=_preview(resident_text)))

        name: str | None = self.cell(cells, NAME)
        max_length = MAX_OWNER_NAME_LENGTH if resident is False else MAX_MEMBER_NAME_LENGTH
        name_error = check_name(name or "", field=_("姓名"), max_length=max_length)
        if name_error:
            problems.append(name_error)
            name = None
        who = _preview(name or self.cell(cells, NAME))
        if resident is True and owner_kind == _DEVELOPER:
            problems.append(_("开发商不能登记为居住在此；请将居住填为“否”或留空。"))
        if resident is False and owner_kind == _NOT_OWNER:
            problems.append(_("“%(name)s”不居住在此，也不是业主；不居住的人必须是业主。", name=who))

        birth_text = self.cell(cells, BIRTH_YEAR)
        birth_year: int | None = None
        if birth_text:
            birth_year, year_error = parse_birth_year(birth_text, self.current_year)
            if year_error:
                problems.append(year_error)
        elif resident is True and owner_kind != _DEVELOPER:
            problems.append(_("请填写“%(name)s”的出生年份（居住在此的人必填）。", name=who))

        id_tail = self.id_tail(cells, owner_kind, birth_year, birth_text, who, problems)
        row = _Row(building=building, number=number, area_centi=area, area_text=area_text, name=name,
                   birth_year=birth_year, resident=resident, owner_kind=owner_kind, id_tail=id_tail)
        return row, problems

    def id_tail(self, cells: list[str], owner_kind: str | None, birth_year: int | None, birth_text: str, who: str,
                problems: list[str]) -> str:
        """An owner's ID tail, which with the birth year tells them apart from another owner of the same name.
        Ignored on anyone else's row: it is not needed there, so it is not kept."""
        text = self.cell(cells, ID_TAIL)
        if not text or owner_kind != _OWNER:
            return ""
        tail, error = parse_id_tail(text)
        if error:
            problems.append(error)
            return ""
        if not birth_text:
            problems.append(_("请填写业主“%(name)s”的出生年份：身份证后四位要和出生年份一起才能区分同名业主。",
                              name=who))
        return (tail or "") if birth_year is not None else ""


def _against_household(draft: _Draft, row: _Row, line: int) -> list[str]:
    """Problems of a row against the earlier rows of the same household (each row's own fields were fine)."""
    problems: list[str] = []
    if row.area_centi is not None:
        if draft.area_centi is None:
            draft.area_centi, draft.area_line, draft.area_text = row.area_centi, line, row.area_text
        elif draft.area_centi != row.area_centi:
            problems.append(_(
                "面积“%(value)s”与第 %(other)s 行给出的“%(earlier)s”不一致；同一户的面积应相同。",
                value=_preview(row.area_text), other=draft.area_line, earlier=_preview(draft.area_text),
            ))
    if row.name is not None and row.resident is not None and row.owner_kind is not None:
        person = (row.name, row.birth_year or 0)
        if row.resident and row.birth_year is not None and person in draft.member_lines:
            problems.append(_("“%(name)s”（%(year)s 年出生）与第 %(other)s 行重复。",
                              name=row.name, year=row.birth_year, other=draft.member_lines[person]))
        elif row.owner_kind != _NOT_OWNER and row.name in draft.owner_lines:
            problems.append(_("业主“%(name)s”与第 %(other)s 行重复。",
                              name=row.name, other=draft.owner_lines[row.name]))
    return problems


def parse_register(data: bytes, *, scope: Place, buildings: list[Place], current_year: int,
                   identity_secret: bytes = b"") -> RegisterPlan:
    """Check the whole file without touching the database; raise ImportFailed listing every problem. An owner's
    birth year and ID tail become their identity under `identity_secret` (rules.identity_secret of SECRET_KEY);
    the digits go no further than this function."""
    _refuse_scope(scope)
    text = _decode(data)
    if text is None:
        raise ImportFailed([RowError(None, _(
            "无法识别文件的编码。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”后重新上传。"))])
    if "\x00" in text:
        raise ImportFailed([RowError(None, _("这不是 CSV 文本文件。请在 Excel 中另存为 CSV 后重新上传。"))])
    records = _read_records(text)
    if not records:
        raise ImportFailed([RowError(None, _("文件是空的：第一行应为表头，其后每行一人。"))])
    header, rows = records[0][1], records[1:]
    if len(rows) > MAX_ROWS:
        raise ImportFailed([RowError(None, _("文件有 %(n)s 行数据，超过 %(max)s 行的上限，请分楼栋导入。",
                                             n=len(rows), max=MAX_ROWS))])
    in_building = scope.kind == PlaceKind.BUILDING
    columns = _columns(header, needs_building=not in_building)
    if not rows:
        raise ImportFailed([RowError(None, _("文件只有表头，没有住户数据。"))])
    reader = _RowReader(columns, scope=scope, buildings=buildings, current_year=current_year)
    if not in_building and not reader.by_name:
        raise ImportFailed([RowError(None, _("小区“%(name)s”还没有楼栋，请先添加楼栋再导入。", name=scope.name))])

    errors: list[RowError] = []
    drafts: dict[tuple[int, str], _Draft] = {}
    for line, cells in rows:
        row, problems = reader.read(cells)
        draft: _Draft | None = None
        if row.building is not None and row.number is not None:
            key = (row.building.id or 0, row.number)
            draft = drafts.get(key)
            if draft is None:
                draft = drafts[key] = _Draft(building=row.building, number=row.number, line=line)
            problems += _against_household(draft, row, line)
        if problems:
            errors.extend(_at(line, problem) for problem in problems)
            continue
        assert draft is not None and row.name is not None
        if row.resident:
            assert row.birth_year is not None
            draft.member_lines[(row.name, row.birth_year)] = line
            draft.members.append(PlannedMember(name=row.name, birth_year=row.birth_year, line=line))
        if row.owner_kind != _NOT_OWNER:
            draft.owner_lines[row.name] = line
            identity = ""
            if row.id_tail and row.birth_year is not None:
                if not identity_secret:
                    raise ValueError("an ID tail needs the identity secret to be kept")
                identity = owner_identity(identity_secret, row.birth_year, row.id_tail)
            draft.owners.append(PlannedOwner(name=row.name, is_developer=row.owner_kind == _DEVELOPER, line=line,
                                             identity=identity))

    if errors:
        raise ImportFailed(errors)
    households = tuple(
        PlannedHousehold(building=d.building, number=d.number, area_centi=d.area_centi, line=d.line,
                         members=tuple(d.members), owners=tuple(d.owners))
        for d in drafts.values()
    )
    return RegisterPlan(scope=scope, households=households, rows=len(rows))


def apply_register(session: Session, plan: RegisterPlan) -> ImportReport:
    """Write a checked plan: create or update households, add the people not already there. Flushes only.

    Batched (a handful of queries whatever the file's size): a compound's register is thousands of rows.
    """
    existing = actions.households_by_number(session, {p.building.id for p in plan.households if p.building.id})
    known_members, known_owners = actions.people_by_household(
        session, [h.id for h in existing.values() if h.id is not None]
    )
    fresh = [
        Household(building_id=p.building.id, number=p.number, area_centi=p.area_centi or 0)
        for p in plan.households
        if (p.building.id, p.number) not in existing
    ]
    actions.do_add_households(session, fresh)
    for household in fresh:
        existing[(household.building_id, household.number)] = household
    fresh_ids = {h.id for h in fresh}

    members: list[Member] = []
    owners: list[Owner] = []
    updated = 0
    for planned in plan.households:
        household = existing[(planned.building.id, planned.number)]
        assert household.id is not None
        changed = False
        if planned.area_centi is not None and planned.area_centi != household.area_centi:
            household.area_centi = planned.area_centi
            session.add(household)
            changed = True
        have_members = known_members.setdefault(household.id, set())
        for member in planned.members:
            if (member.name, member.birth_year) not in have_members:
                have_members.add((member.name, member.birth_year))
                members.append(Member(household_id=household.id, name=member.name, birth_year=member.birth_year))
                changed = True
        have_owners = known_owners.setdefault(household.id, {})
        for owner in planned.owners:
            known = have_owners.get(owner.name)
            if known is None:
                have_owners[owner.name] = Owner(household_id=household.id, name=owner.name,
                                                is_developer=owner.is_developer, identity=owner.identity)
                owners.append(have_owners[owner.name])
                changed = True
            elif owner.identity and known.identity != owner.identity:
                known.identity = owner.identity  # the file now tells this owner apart (or corrects it)
                session.add(known)
                changed = True
        if changed and household.id not in fresh_ids:
            updated += 1
    actions.do_add_people(session, members, owners)
    return ImportReport(households_created=len(fresh), households_updated=updated, members_added=len(members),
                        owners_added=len(owners))


def plan_register(session: Session, data: bytes, *, scope: Place, current_year: int,
                  identity_secret: bytes = b"") -> RegisterPlan:
    """Parse and check the whole file against the place's buildings; ImportFailed names every problem."""
    _refuse_scope(scope)
    return parse_register(data, scope=scope, buildings=actions.buildings_within(session, scope),
                          current_year=current_year, identity_secret=identity_secret)


def import_register(session: Session, data: bytes, *, scope: Place, current_year: int,
                    identity_secret: bytes = b"") -> ImportReport:
    """Parse and check the whole file, then write it; on any error raise ImportFailed having written nothing."""
    return apply_register(session, plan_register(session, data, scope=scope, current_year=current_year,
                                                 identity_secret=identity_secret))

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, create_engine, select

import deliberate.models  # noqa: F401  (registers every table)
from deliberate.places.actions import do_add_member, do_create_household, do_create_place, members_of, owners_of
from deliberate.places.csv_import import (
    MAX_ROWS,
    ImportFailed,
    ImportReport,
    RowError,
    import_register,
    parse_register,
)
from deliberate.places.models import Household, Member, Owner, Place, PlaceKind

YEAR = 2025


@dataclass
class Places:
    community: Place
    compound: Place
    one: Place
    two: Place


@pytest.fixture()
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture()
def places(session: Session) -> Places:
    community = do_create_place(session, kind=PlaceKind.COMMUNITY, name="幸福社区")
    compound = do_create_place(session, kind=PlaceKind.COMPOUND, name="阳光小区", parent=community)
    one = do_create_place(session, kind=PlaceKind.BUILDING, name="1号楼", parent=compound)
    two = do_create_place(session, kind=PlaceKind.BUILDING, name="2号楼", parent=compound)
    session.commit()
    return Places(community, compound, one, two)


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def household(session: Session, building: Place, number: str) -> Household:
    found = session.exec(
        select(Household).where(Household.building_id == building.id, Household.number == number)
    ).one()
    return found


def failure(session: Session, data: bytes, scope: Place) -> list[RowError]:
    with pytest.raises(ImportFailed) as caught:
        import_register(session, data, scope=scope, current_year=YEAR)
    return caught.value.errors


def assert_nothing_written(session: Session) -> None:
    assert count(session, Household) == 0
    assert count(session, Member) == 0
    assert count(session, Owner) == 0


HEADER = "楼栋,房号,面积,姓名,出生年份,业主,居住"


def test_a_valid_compound_file_creates_households_with_their_members_and_owners(
    session: Session, places: Places
) -> None:
    data = csv_bytes(
        HEADER,
        "1号楼,1单元101,89.5,张三,1956,是,是",
        "1号楼,1单元101,,李四,1960,否,",
        "1号楼,1单元101,89.50,张小明,2010,,",
        "1号楼,1单元102,120.25,王五,,是,否",
        "2号楼,101,0.01,阳光置业有限公司,,开发商,否",
        "2号楼,102,,阳光置业有限公司,,开发商,",
    )
    report = import_register(session, data, scope=places.compound, current_year=YEAR)
    assert report == ImportReport(households_created=4, households_updated=0, members_added=3, owners_added=4)

    first = household(session, places.one, "1单元101")
    assert first.area_centi == 8950
    assert [(m.name, m.birth_year) for m in members_of(session, first)] == [
        ("张三", 1956), ("李四", 1960), ("张小明", 2010)
    ]
    assert [(o.name, o.is_developer) for o in owners_of(session, first)] == [("张三", False)]

    absent_owner = household(session, places.one, "1单元102")
    assert absent_owner.area_centi == 12025
    assert members_of(session, absent_owner) == []
    assert [(o.name, o.is_developer) for o in owners_of(session, absent_owner)] == [("王五", False)]

    unsold = household(session, places.two, "101")
    assert unsold.area_centi == 1
    assert members_of(session, unsold) == []
    assert [(o.name, o.is_developer) for o in owners_of(session, unsold)] == [("阳光置业有限公司", True)]
    assert household(session, places.two, "102").area_centi == 0


def test_every_bad_row_is_reported_by_its_line_and_nothing_is_saved(session: Session, places: Places) -> None:
    data = csv_bytes(
        HEADER,
        "1号楼,101,80,张三,1956,是,是",
        "1号楼,102,80,李四,19x6,否,是",
        "1号楼,,80,王五,1970,否,是",
        "1号楼,104,八十,赵六,1970,否,是",
        "1号楼,105,80,,1970,否,是",
        "1号楼,106,80,孙七,1970,也许,是",
        "1号楼,107,80,周八,1970,否,不知道",
        "1号楼,108,80,吴九,1970,否,否",
        "1号楼,109,80,郑十,,否,是",
        "1号楼,110,80,钱一,1850,否,是",
    )
    errors = failure(session, data, places.compound)
    assert [e.line for e in errors] == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    messages = [e.message for e in errors]
    assert messages[0].startswith("第 3 行：") and "出生年份“19x6”无效" in messages[0]
    assert messages[1] == "第 4 行：请填写房号。"
    assert "面积“八十”无效" in messages[2]
    assert messages[3] == "第 6 行：请填写姓名。"
    assert "业主一栏“也许”无效" in messages[4]
    assert "居住一栏“不知道”无效" in messages[5]
    assert "“吴九”不居住在此，也不是业主" in messages[6]
    assert "请填写“郑十”的出生年份" in messages[7]
    assert messages[8].startswith("第 11 行：") and "1850" in messages[8]
    assert_nothing_written(session)


def test_a_row_with_several_problems_reports_each_of_them(session: Session, places: Places) -> None:
    data = csv_bytes(HEADER, "9号楼,,1.234,张三,abcd,是,是")
    errors = failure(session, data, places.compound)
    assert {e.line for e in errors} == {2}
    assert len(errors) == 4


def test_a_building_not_in_the_compound_is_named_in_the_error(session: Session, places: Places) -> None:
    data = csv_bytes(
        HEADER, "1号楼,101,80,张三,1956,是,是", "", "9号楼,101,80,李四,1960,是,是", ",101,80,王五,1960,是,是"
    )
    errors = failure(session, data, places.compound)
    assert [(e.line, e.message) for e in errors] == [
        (4, "第 4 行：小区内没有名为“9号楼”的楼栋。"),
        (5, "第 5 行：请填写楼栋。"),
    ]
    assert_nothing_written(session)


def test_blank_lines_are_skipped_but_still_counted_in_line_numbers(session: Session, places: Places) -> None:
    data = csv_bytes(HEADER, "", ",,,,,,", "1号楼,101,80,张三,19x6,是,是")
    errors = failure(session, data, places.compound)
    assert [e.line for e in errors] == [4]


def test_rows_of_one_household_giving_different_areas_are_refused_naming_the_earlier_line(
    session: Session, places: Places
) -> None:
    data = csv_bytes(
        HEADER,
        "1号楼,101,89.5,张三,1956,是,是",
        "1号楼,101,,李四,1960,否,是",
        "1号楼,101,90,王五,1990,否,是",
        "2号楼,101,90,赵六,1990,否,是",
    )
    errors = failure(session, data, places.compound)
    assert [e.line for e in errors] == [4]
    assert errors[0].message == "第 4 行：面积“90”与第 2 行给出的“89.5”不一致；同一户的面积应相同。"
    assert_nothing_written(session)


def test_the_same_person_twice_in_one_household_is_refused_on_the_later_line(
    session: Session, places: Places
) -> None:
    data = csv_bytes(
        HEADER,
        "1号楼,101,80,张三,1956,是,是",
        "1号楼,101,80,张三,1980,否,是",
        "2号楼,101,80,张三,1956,是,是",
        "1号楼,101,80,张三,1956,否,是",
        "1号楼,102,80,王五,,是,否",
        "1号楼,102,80,王五,,是,否",
    )
    errors = failure(session, data, places.compound)
    assert [(e.line, e.message) for e in errors] == [
        (5, "第 5 行：“张三”（1956 年出生）与第 2 行重复。"),
        (7, "第 7 行：业主“王五”与第 6 行重复。"),
    ]


def test_missing_required_columns_are_a_whole_file_error_listing_them(session: Session, places: Places) -> None:
    data = csv_bytes("楼栋,面积,出生年份", "1号楼,80,1956")
    errors = failure(session, data, places.compound)
    assert len(errors) == 1
    assert errors[0].line is None
    assert errors[0].message.startswith("缺少必需的列：房号、姓名。")


def test_the_building_column_is_required_when_importing_into_a_compound(session: Session, places: Places) -> None:
    errors = failure(session, csv_bytes("房号,姓名,出生年份", "101,张三,1956"), places.compound)
    assert [(e.line, e.message.split("。")[0]) for e in errors] == [(None, "缺少必需的列：楼栋")]


def test_a_column_given_twice_in_chinese_and_english_is_refused(session: Session, places: Places) -> None:
    errors = failure(session, csv_bytes("楼栋,房号,姓名,name,出生年份", "1号楼,101,张三,张三,1956"), places.compound)
    assert [(e.line, e.message) for e in errors] == [(None, "表头中有两列都是“姓名”，请只保留一列。")]


def test_a_gb18030_file_from_chinese_excel_is_read(session: Session, places: Places) -> None:
    data = csv_bytes(HEADER, "1号楼,1单元101,89.5,张三,1956,是,是", encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    report = import_register(session, data, scope=places.compound, current_year=YEAR)
    assert report.members_added == 1
    assert [m.name for m in members_of(session, household(session, places.one, "1单元101"))] == ["张三"]


def test_a_utf8_file_with_a_byte_order_mark_is_read(session: Session, places: Places) -> None:
    data = csv_bytes(HEADER, "1号楼,101,89.5,张三,1956,是,是", encoding="utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    report = import_register(session, data, scope=places.compound, current_year=YEAR)
    assert report.households_created == 1


def test_bytes_that_are_neither_utf8_nor_gb18030_are_a_whole_file_error(session: Session, places: Places) -> None:
    data = "楼栋,房号,姓名\r\n1号楼,101,张三\r\n".encode("utf-16")
    errors = failure(session, data, places.compound)
    assert len(errors) == 1 and errors[0].line is None


def test_english_headers_in_any_case_and_order_with_extra_columns_are_accepted(
    session: Session, places: Places
) -> None:
    data = csv_bytes(
        " Name ,HOUSEHOLD,Remarks,Birth_Year,Building,Area,Owner,Resident",
        "Zhang San,101,call first,1956,1号楼,75.3,Yes,YES",
        "Acme Property Ltd,102,,,2号楼,60,developer,no",
    )
    report = import_register(session, data, scope=places.compound, current_year=YEAR)
    assert report == ImportReport(households_created=2, households_updated=0, members_added=1, owners_added=2)
    assert household(session, places.one, "101").area_centi == 7530
    assert [o.is_developer for o in owners_of(session, household(session, places.two, "102"))] == [True]


def test_reimporting_updates_an_existing_household_without_duplicating_people(
    session: Session, places: Places
) -> None:
    existing = do_create_household(session, building=places.one, number="101", area_centi=8000)
    do_add_member(session, existing, name="张三", birth_year=1956)
    session.commit()
    data = csv_bytes(
        HEADER,
        "1号楼,101,85.5,张三,1956,是,是",
        "1号楼,101,,李四,1960,否,是",
        "1号楼,102,,王五,1970,否,是",
    )
    report = import_register(session, data, scope=places.compound, current_year=YEAR)
    session.commit()
    assert report == ImportReport(households_created=1, households_updated=1, members_added=2, owners_added=1)
    assert existing.area_centi == 8550
    assert [(m.name, m.birth_year) for m in members_of(session, existing)] == [("张三", 1956), ("李四", 1960)]
    assert [o.name for o in owners_of(session, existing)] == ["张三"]
    assert household(session, places.one, "102").area_centi == 0

    again = import_register(session, data, scope=places.compound, current_year=YEAR)
    assert again == ImportReport(households_created=0, households_updated=0, members_added=0, owners_added=0)
    assert count(session, Member) == 3
    assert count(session, Owner) == 1


def test_an_empty_area_leaves_an_existing_households_area_alone(session: Session, places: Places) -> None:
    existing = do_create_household(session, building=places.one, number="101", area_centi=8000)
    session.commit()
    import_register(session, csv_bytes(HEADER, "1号楼,101,,张三,1956,是,是"), scope=places.compound, current_year=YEAR)
    assert existing.area_centi == 8000


def test_a_building_scoped_import_needs_no_building_column(session: Session, places: Places) -> None:
    data = csv_bytes("房号,姓名,出生年份,面积", "301,张三,1956,100", "302,李四,1960,")
    report = import_register(session, data, scope=places.two, current_year=YEAR)
    assert report.households_created == 2
    assert household(session, places.two, "301").area_centi == 10000
    assert count(session, Household) == 2


def test_a_building_scoped_import_refuses_rows_naming_another_building(session: Session, places: Places) -> None:
    data = csv_bytes("楼栋,房号,姓名,出生年份", "2号楼,301,张三,1956", ",302,李四,1960", "1号楼,303,王五,1970")
    errors = failure(session, data, places.two)
    assert [(e.line, e.message) for e in errors] == [(4, "第 4 行：楼栋“1号楼”与正在导入的楼栋“2号楼”不符。")]
    assert_nothing_written(session)


def test_a_community_is_refused_as_a_scope(session: Session, places: Places) -> None:
    errors = failure(session, csv_bytes(HEADER, "1号楼,101,80,张三,1956,是,是"), places.community)
    assert [(e.line, e.message) for e in errors] == [(None, "不能按社区导入住户名册，请分小区或楼栋导入。")]
    assert_nothing_written(session)


def test_a_file_over_the_row_limit_is_refused_as_a_whole(session: Session, places: Places) -> None:
    rows = [f"1号楼,{n},80,张三,1956,是,是" for n in range(MAX_ROWS + 1)]
    errors = failure(session, csv_bytes(HEADER, *rows), places.compound)
    assert len(errors) == 1 and errors[0].line is None and str(MAX_ROWS) in errors[0].message


def test_an_empty_file_or_a_header_alone_is_refused(session: Session, places: Places) -> None:
    assert failure(session, b"", places.compound)[0].line is None
    assert failure(session, b"\r\n\r\n", places.compound)[0].line is None
    assert failure(session, csv_bytes(HEADER), places.compound)[0].message == "文件只有表头，没有住户数据。"


def test_an_unpaired_quote_is_reported_instead_of_silently_swallowing_rows(session: Session, places: Places) -> None:
    data = csv_bytes(HEADER, '1号楼,101,80,"张三,1956,是,是', "1号楼,102,80,李四,1960,是,是")
    errors = failure(session, data, places.compound)
    assert errors and errors[0].line == 2
    assert_nothing_written(session)


def test_parsing_alone_needs_no_database() -> None:
    building = Place(id=7, kind=PlaceKind.BUILDING, name="7号楼", path="/1/2/7/")
    plan = parse_register(
        csv_bytes("房号,姓名,出生年份,业主", "101,张三,1956,是", "101,李四,1960,"),
        scope=building, buildings=[building], current_year=YEAR,
    )
    assert [(h.number, h.area_centi, [m.name for m in h.members], [o.name for o in h.owners])
            for h in plan.households] == [("101", None, ["张三", "李四"], ["张三"])]

"""Staff upload a register in the browser: every bad row reported, nothing saved until all is well."""

from __future__ import annotations

from client_helpers import csrf_token, login
from factories import make_resident, make_staff, make_town, reload
from sqlmodel import func, select

from deliberate.places.models import Household, Member, Owner

GOOD = (
    "楼栋,房号,面积,姓名,出生年份,业主,居住\n"
    "1号楼,3单元101,89.50,张建国,1956,是,是\n"
    "1号楼,3单元101,89.50,王秀英,1958,是,是\n"
    "2号楼,3单元202,120.05,李老板,,是,否\n"
    "2号楼,3单元202,120.05,刘小明,2015,否,是\n"
)
BAD = (
    "楼栋,房号,面积,姓名,出生年份,业主,居住\n"
    "1号楼,3单元101,89.50,张建国,1956,是,是\n"
    "9号楼,3单元102,89.50,赵四,1960,是,是\n"
    "1号楼,3单元103,abc,钱五,19x6,也许,是\n"
)


def _upload(client, url, text, encoding="utf-8"):
    token = csrf_token(client, url)
    return client.post(url, data={"csrf_token": token},
                       files={"file": ("register.csv", text.encode(encoding), "text/csv")})


def _count(session, model):
    reload(session)
    return session.exec(select(func.count()).select_from(model)).one()


def test_staff_import_a_compound_register_from_a_gbk_spreadsheet(client, session):
    town = make_town(session)
    make_staff(session, town.community)
    login(client, "staff")
    before = _count(session, Household)
    response = _upload(client, f"/places/{town.compounds[0].id}/import", GOOD, encoding="gb18030")
    assert response.status_code == 303
    assert _count(session, Household) == before + 2
    household = session.exec(select(Household).where(Household.number == "3单元202")).one()
    assert household.area_centi == 12005
    names = {m.name for m in session.exec(select(Member).where(Member.household_id == household.id)).all()}
    assert names == {"刘小明"}  # the owner who lives elsewhere is an owner, not a member
    owners = session.exec(select(Owner).where(Owner.household_id == household.id)).all()
    assert [o.name for o in owners] == ["李老板"]
    page = client.get(response.headers["location"])
    assert "导入完成" in page.text


def test_a_bad_file_lists_every_bad_line_and_saves_nothing(client, session):
    town = make_town(session)
    make_staff(session, town.community)
    login(client, "staff")
    before = (_count(session, Household), _count(session, Member))
    response = _upload(client, f"/places/{town.compounds[0].id}/import", BAD)
    assert response.status_code == 422
    assert "第 3 行" in response.text and "9号楼" in response.text
    assert "第 4 行" in response.text and "19x6" in response.text and "abc" in response.text
    assert "没有导入任何内容" in response.text
    assert (_count(session, Household), _count(session, Member)) == before


def test_uploading_without_a_file_is_explained(client, session):
    town = make_town(session)
    make_staff(session, town.community)
    login(client, "staff")
    url = f"/places/{town.building(0).id}/import"
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 422 and "请选择要导入的 CSV 文件" in response.text


def test_residents_and_other_communities_staff_cannot_import(client, app, session):
    town = make_town(session)
    other = make_town(session, "另一社区")
    make_staff(session, other.community, "outsider")
    make_resident(session, "resident", town.households[0])
    url = f"/places/{town.compounds[0].id}/import"
    login(client, "resident")
    assert client.get(url).status_code == 403
    from starlette.testclient import TestClient

    staff_client = TestClient(app, follow_redirects=False)
    login(staff_client, "outsider")
    token = csrf_token(staff_client, f"/places/{other.compounds[0].id}/import")
    response = staff_client.post(url, data={"csrf_token": token},
                                 files={"file": ("r.csv", GOOD.encode(), "text/csv")})
    assert response.status_code == 403

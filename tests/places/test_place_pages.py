"""Community, compound and building pages; staff edit them; private data stays private."""

from __future__ import annotations

from client_helpers import login, post
from factories import grant, make_resident, make_staff, make_town, make_user, reload
from sqlmodel import select

from deliberate.accounts.models import Role
from deliberate.places.models import Household, Member, Owner, Place


def test_anyone_can_walk_from_community_to_compound_to_building(client, session):
    town = make_town(session)
    home = client.get("/")
    assert town.community.name in home.text
    community = client.get(f"/places/{town.community.id}")
    assert community.status_code == 200
    assert town.compounds[0].name in community.text
    compound = client.get(f"/places/{town.compounds[0].id}")
    assert "1号楼" in compound.text and town.community.name in compound.text
    building = client.get(f"/places/{town.building(0).id}")
    assert building.status_code == 200 and "户数" in building.text


def test_every_public_page_has_a_json_twin_with_the_same_data(client, session):
    town = make_town(session)
    index = client.get("/index.json").json()
    assert index["communities"][0]["name"] == town.community.name
    data = client.get(f"/places/{town.compounds[0].id}.json").json()
    assert data["name"] == town.compounds[0].name
    assert data["kind"] == "compound"
    assert [c["name"] for c in data["children"]] == ["1号楼", "2号楼"]
    assert data["ancestors"][0]["id"] == town.community.id
    assert data["counts"] == {"compounds": 0, "buildings": 2, "households": 4, "residents": 4}
    assert "住户0" not in str(data)  # names of residents are private


def test_a_missing_place_is_404_in_html_and_json(client):
    assert client.get("/places/99999").status_code == 404
    missing = client.get("/places/99999.json")
    assert missing.status_code == 404
    assert missing.json()["error"]["status"] == 404


def test_staff_add_a_compound_a_building_and_a_household_with_its_people(client, session):
    town = make_town(session)
    make_staff(session, town.community)
    login(client, "staff")
    new_compound = f"/places/{town.community.id}/new"
    response = post(client, new_compound, {"name": "新建小区", "address": "幸福路 1 号"}, form_page=new_compound)
    assert response.status_code == 303
    compound = session.exec(select(Place).where(Place.name == "新建小区")).one()
    assert compound.kind == "compound" and compound.path == f"{town.community.path}{compound.id}/"
    new_building = f"/places/{compound.id}/new"
    post(client, new_building, {"name": "8号楼"}, form_page=new_building)
    reload(session)
    building = session.exec(select(Place).where(Place.name == "8号楼")).one()
    assert building.kind == "building"
    new_household = f"/places/{building.id}/households/new"
    response = post(client, new_household, {"number": "3单元502", "area": "96.35"}, form_page=new_household)
    assert response.status_code == 303
    reload(session)
    household = session.exec(select(Household).where(Household.number == "3单元502")).one()
    assert household.area_centi == 9635
    url = f"/households/{household.id}"
    post(client, f"{url}/members", {"name": "赵大爷", "birth_year": "1944"}, form_page=url)
    post(client, f"{url}/owners", {"name": "赵大爷"}, form_page=url)
    page = client.get(url)
    assert "赵大爷" in page.text and "1944" in page.text and "96.35" in page.text
    reload(session)
    assert session.exec(select(Member).where(Member.household_id == household.id)).one().birth_year == 1944
    assert session.exec(select(Owner).where(Owner.household_id == household.id)).one().name == "赵大爷"


def test_bad_household_input_is_explained_and_nothing_is_saved(client, session):
    town = make_town(session)
    make_staff(session, town.community)
    login(client, "staff")
    url = f"/places/{town.building(0).id}/households/new"
    response = post(client, url, {"number": "1单元101", "area": "12.345"}, form_page=url)
    assert response.status_code == 422
    assert "本楼已有房号" in response.text and "最多两位小数" in response.text
    assert len(session.exec(select(Household)).all()) == len(town.households)


def test_a_name_used_by_a_sibling_is_refused(client, session):
    town = make_town(session)
    make_staff(session, town.community)
    login(client, "staff")
    url = f"/places/{town.compounds[0].id}/new"
    response = post(client, url, {"name": "1号楼"}, form_page=url)
    assert response.status_code == 422 and "已经有名为" in response.text


def test_staff_edit_a_place(client, session):
    town = make_town(session)
    make_staff(session, town.community)
    login(client, "staff")
    url = f"/places/{town.compounds[0].id}/edit"
    assert post(client, url, {"name": "和平里小区", "description": "老旧小区"}, form_page=url).status_code == 303
    assert "和平里小区" in client.get(f"/places/{town.compounds[0].id}").text


def test_a_resident_cannot_see_the_register_even_of_their_own_building(client, session):
    town = make_town(session)
    make_resident(session, "resident", town.households[0])
    login(client, "resident")
    assert client.get(f"/places/{town.building(0).id}/households").status_code == 403
    assert client.get(f"/households/{town.households[0].id}").status_code == 403


def test_staff_of_one_community_cannot_reach_another_by_changing_the_id(client, session):
    town = make_town(session)
    other = make_town(session, "另一社区")
    make_staff(session, town.community)
    login(client, "staff")
    assert client.get(f"/places/{town.building(0).id}/households").status_code == 200
    foreign_household = other.households[0]
    assert client.get(f"/places/{other.building(0).id}/households").status_code == 403
    assert client.get(f"/households/{foreign_household.id}").status_code == 403
    url = f"/households/{town.households[0].id}"
    response = post(client, f"/households/{foreign_household.id}/members", {"name": "x", "birth_year": "1990"},
                    form_page=url)
    assert response.status_code == 403
    assert post(client, f"/places/{other.community.id}/edit", {"name": "hacked"}, form_page=url).status_code == 403


def test_a_building_leader_sees_their_own_building_register_only(client, session):
    town = make_town(session)
    leader = make_user(session, "leader")
    grant(session, leader, Role.BUILDING_LEADER, town.building(0))
    login(client, "leader")
    assert client.get(f"/places/{town.building(0).id}/households").status_code == 200
    assert client.get(f"/places/{town.building(1).id}/households").status_code == 403
    url = f"/places/{town.building(0).id}/households/new"
    assert client.get(url).status_code == 403


def test_anonymous_visitors_are_asked_to_log_in_for_staff_pages(client, session):
    town = make_town(session)
    response = client.get(f"/places/{town.building(0).id}/households")
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_the_register_is_paginated(client, session, settings):
    town = make_town(session)
    make_staff(session, town.community)
    from deliberate.places.actions import do_create_household

    for n in range(settings.page_size + 5):
        do_create_household(session, building=town.building(0), number=f"9单元{n:03d}", area_centi=5000)
    session.commit()
    login(client, "staff")
    url = f"/places/{town.community.id}/households"
    first = client.get(url)
    assert "第 1 页，共 2 页" in first.text
    second = client.get(url + "?page=2")
    assert second.status_code == 200 and "第 2 页，共 2 页" in second.text
    assert client.get(url + "?page=abc").status_code == 400

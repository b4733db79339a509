"""A new account claims a household; staff of that community approve or reject it."""

from __future__ import annotations

from client_helpers import login, post
from factories import grant, make_resident, make_staff, make_town, make_user, reload
from sqlmodel import select

from deliberate.accounts.models import ClaimStatus, ResidencyClaim, Role
from deliberate.accounts.people import load_person
from deliberate.places.models import Member
from deliberate.policy import Act, may


def _claim(client, household, *, name="李明", year="1980"):
    return post(client, "/claim", {"household_id": str(household.id), "name": name, "birth_year": year,
                                   "note": "租户"}, form_page="/account")


def test_newcomer_claims_a_household_and_staff_approve_it(client, app, session):
    town = make_town(session)
    staff = make_staff(session, town.community)
    make_user(session, "newbie")
    login(client, "newbie")
    building = town.building(0)
    page = client.get(f"/claim?place={building.id}")
    assert "1单元101" in page.text
    assert _claim(client, town.households[0]).status_code == 303
    claim = session.exec(select(ResidencyClaim)).one()
    assert claim.status == ClaimStatus.PENDING

    from starlette.testclient import TestClient

    staff_client = TestClient(app, follow_redirects=False)
    login(staff_client, "staff")
    queue = staff_client.get(f"/places/{town.community.id}/claims")
    assert queue.status_code == 200 and "李明" in queue.text
    # 李明 is not on the register: the staff confirm they approve it all the same.
    response = post(staff_client, f"/claims/{claim.id}/decide", {"decision": "approve", "confirm_mismatch": "yes"},
                    form_page=f"/places/{town.community.id}/claims")
    assert response.status_code == 303
    reload(session)
    claim = session.get(ResidencyClaim, claim.id)
    assert claim.status == ClaimStatus.APPROVED
    member = session.get(Member, claim.member_id)
    assert member.user_id == claim.user_id and member.name == "李明"
    person = load_person(session, session.get(type(staff), claim.user_id))
    assert may(person, Act.ACT_AS_RESIDENT, building)
    assert may(person, Act.ACT_AS_RESIDENT, town.community)
    assert not may(person, Act.ACT_AS_RESIDENT, town.building(1))
    # The new resident now sees their home on the account page.
    assert "已核实" in client.get("/account").text


def test_approval_links_the_existing_register_entry_instead_of_adding_a_duplicate(client, session):
    town = make_town(session)
    staff = make_user(session, "staff")
    make_user(session, "newbie")
    login(client, "newbie")
    _claim(client, town.households[0], name="住户0", year="1960")
    claim = session.exec(select(ResidencyClaim)).one()
    from deliberate.accounts.actions import do_approve_claim

    do_approve_claim(session, claim, by=staff)
    session.commit()
    members = session.exec(select(Member).where(Member.household_id == town.households[0].id)).all()
    assert len(members) == 1 and members[0].user_id == claim.user_id


def test_rejecting_needs_a_reason_that_the_claimant_then_sees(client, app, session):
    town = make_town(session)
    make_staff(session, town.community)
    make_user(session, "newbie")
    login(client, "newbie")
    _claim(client, town.households[1])
    claim = session.exec(select(ResidencyClaim)).one()
    from starlette.testclient import TestClient

    staff_client = TestClient(app, follow_redirects=False)
    login(staff_client, "staff")
    queue = f"/places/{town.community.id}/claims"
    no_reason = post(staff_client, f"/claims/{claim.id}/decide", {"decision": "reject"}, form_page=queue)
    assert no_reason.status_code == 422
    assert "请填写理由" in no_reason.text
    rejected = post(staff_client, f"/claims/{claim.id}/decide",
                    {"decision": "reject", "reason": "名册中没有此人"}, form_page=queue)
    assert rejected.status_code == 303
    again = post(staff_client, f"/claims/{claim.id}/decide", {"decision": "approve"}, form_page=queue)
    assert again.status_code == 409
    assert "名册中没有此人" in client.get("/account").text


def test_staff_of_another_community_cannot_see_or_decide_the_claim(client, app, session):
    town = make_town(session)
    other_town = make_town(session, "另一社区")
    make_staff(session, other_town.community, "outsider")
    make_user(session, "newbie")
    login(client, "newbie")
    _claim(client, town.households[0])
    claim = session.exec(select(ResidencyClaim)).one()
    from starlette.testclient import TestClient

    staff_client = TestClient(app, follow_redirects=False)
    login(staff_client, "outsider")
    assert staff_client.get(f"/places/{town.community.id}/claims").status_code == 403
    response = post(staff_client, f"/claims/{claim.id}/decide", {"decision": "approve"},
                    form_page=f"/places/{other_town.community.id}/claims")
    assert response.status_code == 403
    reload(session)
    assert session.get(ResidencyClaim, claim.id).status == ClaimStatus.PENDING


def test_claiming_the_same_household_twice_is_a_409(client, session):
    town = make_town(session)
    make_user(session, "newbie")
    login(client, "newbie")
    assert _claim(client, town.households[0]).status_code == 303
    second = _claim(client, town.households[0])
    assert second.status_code == 409
    assert "已认领过" in second.text


def test_a_claim_with_a_bad_birth_year_is_explained(client, session):
    town = make_town(session)
    make_user(session, "newbie")
    login(client, "newbie")
    response = _claim(client, town.households[0], year="19x6")
    assert response.status_code == 422
    assert "出生年份" in response.text
    assert session.exec(select(ResidencyClaim)).all() == []


def test_removing_a_member_from_the_register_ends_their_residency(client, session):
    town = make_town(session)
    staff = make_staff(session, town.community)
    resident = make_resident(session, "resident", town.households[0], by=staff)
    claim = session.exec(select(ResidencyClaim).where(ResidencyClaim.user_id == resident.id)).one()
    login(client, "staff")
    household_url = f"/households/{town.households[0].id}"
    response = post(client, f"{household_url}/members/{claim.member_id}/delete", form_page=household_url)
    assert response.status_code == 303
    reload(session)
    assert session.get(ResidencyClaim, claim.id).status == ClaimStatus.REVOKED
    assert load_person(session, resident).home_paths == ()


def test_admin_grants_and_revokes_a_council_seat_but_staff_cannot(client, app, session):
    town = make_town(session)
    admin = make_user(session, "admin")
    grant(session, admin, Role.ADMIN, town.community)
    make_staff(session, town.community)
    make_user(session, "councillor", name="议事员")
    compound = town.compounds[0]
    login(client, "staff")
    assert client.get(f"/places/{compound.id}/roles").status_code == 403
    from starlette.testclient import TestClient

    admin_client = TestClient(app, follow_redirects=False)
    login(admin_client, "admin")
    roles_url = f"/places/{compound.id}/roles"
    response = post(admin_client, roles_url, {"username": "councillor", "role": "council"}, form_page=roles_url)
    assert response.status_code == 303
    page = admin_client.get(roles_url)
    assert "议事员" in page.text and "议事会成员" in page.text
    bad = post(admin_client, roles_url, {"username": "councillor", "role": "building_leader"}, form_page=roles_url)
    assert bad.status_code == 422 and "楼栋长只能在楼栋上任命" in bad.text
    from deliberate.accounts.models import RoleGrant

    seat = session.exec(select(RoleGrant).where(RoleGrant.role == "council")).one()
    assert post(client, f"/roles/{seat.id}/revoke", form_page="/account").status_code == 403
    assert post(admin_client, f"/roles/{seat.id}/revoke", form_page=roles_url).status_code == 303
    reload(session)
    assert session.exec(select(RoleGrant).where(RoleGrant.role == "council")).all() == []

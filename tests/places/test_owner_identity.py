"""An owner's identity beyond the name: carried by the register import, set by staff on the household page, used to
list the owners whose names collide, and never shown, exported or put in a URL (only its keyed hash is kept)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from client_helpers import csrf_token, login, post
from factories import make_resident, make_staff, make_town, make_user, reload
from sqlmodel import select

from deliberate.clock import utcnow
from deliberate.places.actions import do_add_owner
from deliberate.places.csv_import import ImportFailed, parse_register
from deliberate.places.models import Owner
from deliberate.places.rules import identity_secret, owner_identity
from deliberate.voting import actions as votes

SECRET = identity_secret("a test secret")
REGISTER = (
    "楼栋,房号,面积,姓名,出生年份,业主,居住,身份证后四位\n"
    "1号楼,9单元101,89.50,张伟,1970,是,是,1234\n"
    "2号楼,9单元101,90.00,张伟,1982,是,是,5678\n"  # another 张伟
    "1号楼,9单元102,75.00,王芳,1965,是,否,001x\n"
    "2号楼,9单元102,75.00,王芳,1965,是,否,001X\n"  # the same 王芳: one buyer of two units
    "2号楼,9单元102,75.00,刘小明,2015,否,是,9999\n"  # not an owner: the digits are not kept
)


def _plan(town, text=REGISTER):
    return parse_register(text.encode(), scope=town.compounds[0], buildings=town.buildings, current_year=2026,
                          identity_secret=SECRET)


def _identities(plan):
    return {(h.building.name, h.number, o.name): o.identity for h in plan.households for o in h.owners}


def test_the_import_turns_birth_year_and_id_tail_into_an_identity_and_keeps_no_digits(session):
    town = make_town(session)
    found = _identities(_plan(town))
    assert found[("1号楼", "9单元101", "张伟")] != found[("2号楼", "9单元101", "张伟")]
    assert found[("1号楼", "9单元102", "王芳")] == found[("2号楼", "9单元102", "王芳")]
    assert found[("1号楼", "9单元101", "张伟")] == owner_identity(SECRET, 1970, "1234")
    assert all("1234" not in i and "5678" not in i and len(i) == 64 for i in found.values())
    assert owner_identity(identity_secret("another secret"), 1970, "1234") != owner_identity(SECRET, 1970, "1234")


@pytest.mark.parametrize(("row", "problem"), [
    ("1号楼,9单元101,89.50,张伟,1970,是,是,12345", "身份证号后四位无效"),
    ("1号楼,9单元101,89.50,张伟,1970,是,是,12a4", "身份证号后四位无效"),
    ("1号楼,9单元101,89.50,李老板,,是,否,1234", "请填写业主“李老板”的出生年份"),
])
def test_a_bad_id_tail_is_explained_by_its_line(session, row, problem):
    town = make_town(session)
    with pytest.raises(ImportFailed) as refused:
        _plan(town, "楼栋,房号,面积,姓名,出生年份,业主,居住,身份证后四位\n" + row + "\n")
    assert [e.line for e in refused.value.errors] == [2]
    assert problem in refused.value.errors[0].message


def _upload(client, url, text):
    return client.post(url, data={"csrf_token": csrf_token(client, url)},
                       files={"file": ("register.csv", text.encode(), "text/csv")})


def test_staff_import_owners_with_their_identity_column(client, app, session):
    town = make_town(session)
    make_staff(session, town.community)
    login(client, "staff")
    assert _upload(client, f"/places/{town.compounds[0].id}/import", REGISTER).status_code == 303
    reload(session)
    secret = identity_secret(app.state.settings.secret_key)
    owners = {(o.household_id, o.name): o.identity for o in session.exec(select(Owner)).all()}
    assert sorted(owners.values()).count(owner_identity(secret, 1965, "001X")) == 2
    assert owner_identity(secret, 1970, "1234") in owners.values()
    assert len(owners) == 4  # 刘小明 is no owner
    # Re-imported with a corrected tail, the owner's identity follows the file.
    fixed = REGISTER.replace("张伟,1982,是,是,5678", "张伟,1982,是,是,5679")
    assert _upload(client, f"/places/{town.compounds[0].id}/import", fixed).status_code == 303
    reload(session)
    assert owner_identity(secret, 1982, "5679") in {o.identity for o in session.exec(select(Owner)).all()}


def _staff_with_two_zhang_wei(client, session):
    town = make_town(session)
    make_staff(session, town.community)
    first = do_add_owner(session, town.households[0], name="张伟")
    second = do_add_owner(session, town.households[2], name="张伟")
    session.commit()
    login(client, "staff")
    return town, first, second


def _identity_form(client, owner, data):
    return post(client, f"/households/{owner.household_id}/owners/{owner.id}/identity", data,
                form_page=f"/households/{owner.household_id}")


def test_staff_set_an_owners_identity_on_the_household_page(client, app, session):
    town, first, _second = _staff_with_two_zhang_wei(client, session)
    page = client.get(f"/households/{first.household_id}")
    assert "未登记身份" in page.text and 'name="id_tail"' in page.text
    refused = _identity_form(client, first, {"owner_birth_year": "1970", "id_tail": "12a4"})
    assert refused.status_code == 422
    assert "身份证号后四位无效" in refused.text and 'value="1970"' in refused.text and "12a4" not in refused.text
    done = _identity_form(client, first, {"owner_birth_year": "1970", "id_tail": "1234"})
    assert done.status_code == 303
    reload(session)
    stored = session.get(Owner, first.id).identity
    assert stored == owner_identity(identity_secret(app.state.settings.secret_key), 1970, "1234")
    page = client.get(f"/households/{first.household_id}")
    assert "身份已登记" in page.text and stored not in page.text and "1234" not in page.text


def test_staff_confirm_two_owners_of_one_name_are_one_person_or_two(client, session):
    town, first, second = _staff_with_two_zhang_wei(client, session)
    url = f"/households/{first.household_id}/owners/{first.id}/link"
    same = post(client, url, {"other": str(second.id), "same": "yes"}, form_page=f"/households/{first.household_id}")
    assert same.status_code == 303
    reload(session)
    assert session.get(Owner, first.id).identity == session.get(Owner, second.id).identity != ""
    assert "已确认为同一人" in client.get(f"/households/{first.household_id}").text
    apart = post(client, url, {"other": str(second.id), "same": "no"}, form_page=f"/households/{first.household_id}")
    assert apart.status_code == 303
    reload(session)
    one, two = session.get(Owner, first.id).identity, session.get(Owner, second.id).identity
    assert one and two and one != two


def test_an_owner_of_another_community_cannot_be_linked(client, session):
    town, first, _second = _staff_with_two_zhang_wei(client, session)
    far = make_town(session, name="远方社区")
    stranger = do_add_owner(session, far.households[0], name="张伟")
    session.commit()
    response = post(client, f"/households/{first.household_id}/owners/{first.id}/link",
                    {"other": str(stranger.id), "same": "yes"}, form_page=f"/households/{first.household_id}")
    assert response.status_code == 403
    reload(session)
    assert session.get(Owner, stranger.id).identity == ""


def test_staff_see_every_name_that_owners_share_before_a_roll_is_drawn(client, app, session):
    town, first, second = _staff_with_two_zhang_wei(client, session)
    do_add_owner(session, town.households[1], name="王芳", identity="c" * 64)
    do_add_owner(session, town.households[3], name="王芳", identity="c" * 64)
    session.commit()
    page = client.get(f"/places/{town.compounds[0].id}/owner-names")
    assert page.status_code == 200
    assert "张伟" in page.text and "2 位未登记身份" in page.text and "现按 1 人计" in page.text
    assert "王芳" not in page.text  # one person, as staff confirmed
    _identity_form(client, first, {"owner_birth_year": "1970", "id_tail": "1234"})
    _identity_form(client, second, {"owner_birth_year": "1982", "id_tail": "5678"})
    page = client.get(f"/places/{town.compounds[0].id}/owner-names")
    assert "身份 A" in page.text and "身份 B" in page.text and "现按 2 人计" in page.text
    # Residents never see it.
    resident = make_resident(session, "neighbour", town.households[0])
    other = type(client)(app, follow_redirects=False)
    login(other, resident.username)
    assert other.get(f"/places/{town.compounds[0].id}/owner-names").status_code == 403


def _owners_vote(session, town):
    return votes.do_create_vote(
        session, place=town.compounds[0], title="维修资金使用", question="是否同意？", form="yes_no",
        rule="owners_ordinary", electorate_kind="owners", secret=False, closes_at=utcnow() + timedelta(days=7),
        options=[], by=make_user(session, "creator"),
    )


def test_an_owners_vote_in_preparation_warns_of_colliding_names(client, session):
    town, _first, _second = _staff_with_two_zhang_wei(client, session)
    make_staff(session, town.compounds[0], "compound_staff")
    vote = _owners_vote(session, town)
    session.commit()
    page = client.get(f"/votes/{vote.id}")
    assert "有 1 组同名业主需要核对" in page.text and 'name="owners_checked"' in page.text
    assert f"/places/{town.compounds[0].id}/owner-names" in page.text
    assert "同名业主需要核对" not in type(client)(client.app).get(f"/votes/{vote.id}").text  # not for the public


def test_no_identity_material_reaches_a_page_an_export_or_a_url(client, app, session):
    town, first, second = _staff_with_two_zhang_wei(client, session)
    _identity_form(client, first, {"owner_birth_year": "1970", "id_tail": "4321"})
    _identity_form(client, second, {"owner_birth_year": "1970", "id_tail": "8765"})
    reload(session)
    stored = {session.get(Owner, first.id).identity, session.get(Owner, second.id).identity}
    vote = _owners_vote(session, town)
    votes.do_open(session, vote, town.compounds[0])
    session.commit()
    urls = [f"/households/{first.household_id}", f"/households/{second.household_id}",
            f"/places/{town.compounds[0].id}/owner-names", f"/places/{town.compounds[0].id}/households",
            f"/places/{town.compounds[0].id}", f"/places/{town.compounds[0].id}.json",
            f"/votes/{vote.id}", f"/votes/{vote.id}.json"]
    votes.do_close(session, vote, now=utcnow() + timedelta(days=8))
    session.commit()
    urls.append(f"/votes/{vote.id}/ballots.json")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        for secret in [*stored, "4321", "8765", "1970:"]:
            assert secret not in response.text, (url, secret)
        for link in response.text.split('href="')[1:]:
            assert not any(s in link.split('"')[0] for s in stored)


def test_an_owners_vote_with_colliding_names_opens_only_once_staff_say_they_checked(client, session):
    town, _first, _second = _staff_with_two_zhang_wei(client, session)
    vote = _owners_vote(session, town)
    session.commit()
    url = f"/votes/{vote.id}"
    refused = post(client, f"{url}/open", {}, form_page=url)
    assert refused.status_code == 422 and "我已核对同名业主" in refused.text
    session.rollback()
    assert session.get(type(vote), vote.id).status == "draft"
    opened = post(client, f"{url}/open", {"owners_checked": "yes"}, form_page=url, follow_redirects=False)
    assert opened.status_code == 303
    page = client.get(url).text
    assert "投票已开始" in page, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))[:1500]

"""At the door: signing in the registered, residents who came unregistered and guests; counts public, names not;
the name search finds what was typed (never a wildcard) and lists a few, not the register."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from factories import reload
from sqlmodel import select

from deliberate.meetings import actions, rules
from deliberate.meetings.models import Access, Attendance
from deliberate.places.models import Member


def _registered(cast, meeting, *names):  # type: ignore[no-untyped-def]
    for name in names:
        actions.do_register(cast.session, meeting, cast.building, cast.person(name), cast.people[name],
                            now=meeting.noticed_at)
    cast.session.commit()


def test_staff_sign_in_registrants_walk_ins_and_guests_and_only_counts_are_public(cast, session):
    meeting = cast.past_meeting()
    _registered(cast, meeting, "author", "neighbour")
    url = f"/meetings/{meeting.id}/sign-in"
    staff = cast.client("staff")
    page = staff.get(url)
    assert page.status_code == 200 and "author" in page.text and "neighbour" in page.text
    assert cast.post(staff, url, {"intent": "registrant", "user": cast.people["author"].id}).status_code == 303
    member = session.exec(select(Member).where(Member.name == "住户1")).one()  # lives in the building, no account
    found = staff.get(f"{url}?q=住户1")
    assert "住户1" in found.text and f'name="member" value="{member.id}"' in found.text
    assert cast.post(staff, url, {"intent": "member", "member": member.id}).status_code == 303
    assert cast.post(staff, url, {"intent": "guest", "name": "物业公司 周经理"}).status_code == 303
    reload(session)
    present = session.exec(select(Attendance).order_by(Attendance.id)).all()
    assert [(a.name, a.walk_in, a.guest) for a in present] == [
        ("author", False, False), ("住户1", True, False), ("物业公司 周经理", True, True)]
    assert present[0].household_id == cast.town.households[0].id  # the author's only home
    assert present[1].household_id == member.household_id
    assert "实到 3 人（来宾 1 人）" in staff.get(url).text
    public = cast.client().get(f"/meetings/{meeting.id}")
    assert "实到 3 人" in public.text and "物业公司 周经理" not in public.text and "住户1" not in public.text
    assert cast.client().get(f"/meetings/{meeting.id}.json").json()["counts"]["attended"] == 3


def test_each_person_signs_in_once(cast, session):
    meeting = cast.past_meeting()
    _registered(cast, meeting, "author")
    staff = cast.client("staff")
    url = f"/meetings/{meeting.id}/sign-in"
    assert cast.post(staff, url, {"intent": "registrant", "user": cast.people["author"].id}).status_code == 303
    again = cast.post(staff, url, {"intent": "registrant", "user": cast.people["author"].id})
    assert again.status_code == 409 and "已经签到了" in again.text
    # The author is also in the register: found by name, they are the same person.
    author_member = session.exec(select(Member).where(Member.user_id == cast.people["author"].id)).one()
    assert cast.post(staff, url, {"intent": "member", "member": author_member.id}).status_code == 409


def test_a_mistaken_sign_in_can_be_taken_back(cast, session):
    meeting = cast.past_meeting()
    staff = cast.client("staff")
    url = f"/meetings/{meeting.id}/sign-in"
    cast.post(staff, url, {"intent": "guest", "name": "错登的人"})
    reload(session)
    entry = session.exec(select(Attendance)).one()
    assert cast.post(staff, url, {"intent": "undo", "attendance": entry.id}).status_code == 303
    reload(session)
    assert session.exec(select(Attendance)).all() == []


def test_a_resident_with_several_homes_is_signed_in_for_the_one_chosen(cast, session):
    from deliberate.accounts import actions as accounts

    neighbour = cast.people["neighbour"]
    other_home = cast.town.households[0]
    claim = accounts.do_claim(session, user=neighbour, household=other_home, name="neighbour", birth_year=1970,
                              note="")
    accounts.do_approve_claim(session, claim, by=cast.people["staff"], mismatch_confirmed=True)
    session.commit()
    meeting = cast.past_meeting()
    _registered(cast, meeting, "neighbour")
    staff = cast.client("staff")
    page = staff.get(f"/meetings/{meeting.id}/sign-in")
    assert f'id="f-household-{neighbour.id}"' in page.text
    assert cast.post(staff, f"/meetings/{meeting.id}/sign-in", {
        "intent": "registrant", "user": neighbour.id, "household": other_home.id}).status_code == 303
    reload(session)
    assert session.exec(select(Attendance.household_id)).one() == other_home.id


def test_the_door_is_for_staff_the_council_and_building_leaders(cast):
    meeting = cast.past_meeting()
    url = f"/meetings/{meeting.id}/sign-in"
    assert cast.client("neighbour").get(url).status_code == 403
    assert cast.post(cast.client("neighbour"), url, {"intent": "guest", "name": "x"}).status_code == 403
    for name in ("staff", "council", "leader"):
        assert cast.client(name).get(url).status_code == 200, name
    assert cast.client().get(url).status_code == 303


def test_sign_in_opens_two_hours_before_the_start(cast):
    meeting = cast.meeting(starts_in=timedelta(days=5))
    staff = cast.client("staff")
    refused = cast.post(staff, f"/meetings/{meeting.id}/sign-in", {"intent": "guest", "name": "早到的人"})
    assert refused.status_code == 409 and "会议开始前两小时" in refused.text


def _register_of(cast, session, *names: str) -> None:  # type: ignore[no-untyped-def]
    from deliberate.places import actions as places

    for name in names:
        places.do_add_member(session, cast.town.households[0], name=name, birth_year=1980)
    session.commit()


def _listed(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The names the door's search lists (each with its sign-in button)."""
    walk_ins = page.text.split('id="walkin-h"', 1)[1].split('id="present-h"', 1)[0]
    return re.findall(r"<tr><td>([^<]*)</td>", walk_ins)


@pytest.mark.parametrize("query", ["%", "_", "\\", "%%", "__", "\\\\", "_%"])
def test_wildcards_typed_in_the_name_search_list_nobody_who_does_not_have_them(cast, session, query):
    _register_of(cast, session, "王小明", "李华", "张伟")
    meeting = cast.past_meeting()
    page = cast.client("staff").get(f"/meetings/{meeting.id}/sign-in", params={"q": query})
    assert page.status_code == 200
    assert _listed(page) == []


@pytest.mark.parametrize(("query", "listed"), [
    ("王_", ["王_明"]), ("%华", ["李%华"]), ("\\伟", ["张\\伟"]), ("_明", ["王_明"]), ("小", ["王小明"]),
])
def test_a_name_search_finds_the_characters_typed_and_only_them(cast, session, query, listed):
    _register_of(cast, session, "王小明", "王_明", "李华", "李%华", "张伟", "张\\伟")
    meeting = cast.past_meeting()
    page = cast.client("staff").get(f"/meetings/{meeting.id}/sign-in", params={"q": query})
    assert _listed(page) == listed


def test_a_name_search_needs_a_chinese_character_or_two_others(cast, session):
    _register_of(cast, session, "Wang Xiaoming")
    meeting = cast.past_meeting()
    staff = cast.client("staff")
    short = staff.get(f"/meetings/{meeting.id}/sign-in", params={"q": "W"})
    assert _listed(short) == [] and "请至少输入姓名中的一个汉字，或两个字母、数字。" in short.text
    assert _listed(staff.get(f"/meetings/{meeting.id}/sign-in", params={"q": "Wa"})) == ["Wang Xiaoming"]


def test_a_name_search_lists_thirty_people_at_most_and_says_there_are_more(cast, session):
    _register_of(cast, session, *[f"陈{n:02d}" for n in range(35)])
    meeting = cast.past_meeting()
    page = cast.client("staff").get(f"/meetings/{meeting.id}/sign-in", params={"q": "陈"})
    assert len(_listed(page)) == rules.SEARCH_LIMIT == 30
    assert "找到的人较多，只列出前 30 位" in page.text


@pytest.mark.parametrize("query", ["", "_", "%", "\\", "%%", "__"])
def test_the_invitees_search_lists_nobody_for_wildcards_or_nothing(cast, query):
    meeting = cast.meeting(access=Access.INVITED)
    page = cast.client("staff").get(f"/meetings/{meeting.id}/invitees", params={"q": query})
    assert page.status_code == 200 and 'name="intent" value="invite"' not in page.text
    found = cast.client("staff").get(f"/meetings/{meeting.id}/invitees", params={"q": "ne"})
    assert found.text.count('name="intent" value="invite"') == 2  # neighbour, neighbour2

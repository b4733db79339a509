"""Registering for a meeting: who may, seats and the waiting list, cancelling, closing at the start, once each."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from factories import make_resident, reload
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from deliberate.accounts.people import load_person
from deliberate.meetings import actions
from deliberate.meetings.access import access_meeting
from deliberate.meetings.actions import MeetingError
from deliberate.meetings.models import Access, Registration, RegistrationStatus


def _statuses(session, meeting) -> dict[str, str]:  # type: ignore[no-untyped-def]
    reload(session)
    rows = session.exec(select(Registration).where(Registration.meeting_id == meeting.id)).all()
    names = {user.id: name for name, user in _people(session).items()}
    return {names[r.user_id]: r.status for r in rows}


def _people(session):  # type: ignore[no-untyped-def]
    from deliberate.accounts.models import User

    return {u.username: u for u in session.exec(select(User)).all()}


def test_past_capacity_residents_wait_in_order_and_a_cancellation_promotes_the_first(cast, session):
    meeting = cast.meeting(capacity=1)
    url = f"/meetings/{meeting.id}"
    first = cast.client("author")
    assert cast.post(first, f"{url}/register").status_code == 303
    assert "报名成功" in first.get(url).text
    second, third = cast.client("neighbour"), cast.client("neighbour2")
    assert cast.post(second, f"{url}/register").status_code == 303
    assert "候补名单第 1 位" in second.get(url).text
    assert cast.post(third, f"{url}/register").status_code == 303
    assert "候补名单第 2 位" in third.get(url).text
    assert _statuses(session, meeting) == {"author": "registered", "neighbour": "waiting", "neighbour2": "waiting"}
    assert "已报名 1 人，名额 1 人，还剩 0 个" in cast.client().get(url).text
    assert cast.post(first, f"{url}/unregister").status_code == 303
    assert _statuses(session, meeting) == {"author": "cancelled", "neighbour": "registered", "neighbour2": "waiting"}
    assert "您已报名" in second.get(url).text and "候补名单第 1 位" in third.get(url).text
    # Coming back puts one at the end of the waiting list, not back in the seat.
    assert cast.post(first, f"{url}/register").status_code == 303
    assert _statuses(session, meeting)["author"] == "waiting"
    assert "候补名单第 2 位" in first.get(url).text


def test_a_larger_capacity_lets_the_waiting_list_in(cast, session):
    meeting = cast.meeting(capacity=1)
    for name in ("author", "neighbour", "neighbour2"):
        actions.do_register(session, meeting, cast.building, cast.person(name), cast.people[name])
    session.commit()
    actions.do_edit(session, meeting, cast.building, cast.people["staff"], cast.draft_of(meeting, capacity=2))
    session.commit()
    assert _statuses(session, meeting) == {"author": "registered", "neighbour": "registered",
                                           "neighbour2": "waiting"}


def test_a_residents_meeting_refuses_others_with_403_and_says_why(cast):
    meeting = cast.meeting(access=Access.RESIDENTS)
    refused = cast.post(cast.client("outsider"), f"/meetings/{meeting.id}/register")
    assert refused.status_code == 403 and "只接受本地核实居民报名" in refused.text
    page = cast.client("outsider").get(f"/meetings/{meeting.id}")
    assert "只接受本地核实居民报名" in page.text and "我要参加，报名" not in page.text
    assert cast.post(cast.client("neighbour"), f"/meetings/{meeting.id}/register").status_code == 303


def test_an_invited_only_meeting_takes_the_invitees_that_staff_chose_from_the_residents(cast, session):
    meeting = cast.meeting(access=Access.INVITED)
    url = f"/meetings/{meeting.id}"
    refused = cast.post(cast.client("neighbour"), f"{url}/register")
    assert refused.status_code == 403 and "只限受邀人员" in refused.text
    staff = cast.client("staff")
    search = staff.get(f"{url}/invitees?q=neighbour")
    assert search.status_code == 200 and "neighbour2" in search.text
    assert cast.client("neighbour").get(f"{url}/invitees").status_code == 403
    assert cast.post(staff, f"{url}/invitees", {"user": cast.people["neighbour"].id}).status_code == 303
    outsider = cast.post(staff, f"{url}/invitees", {"user": cast.people["staff"].id})
    assert outsider.status_code == 422 and "只能邀请本地核实居民" in outsider.text
    assert cast.post(cast.client("neighbour"), f"{url}/register").status_code == 303
    assert _statuses(session, meeting) == {"neighbour": "registered"}
    assert cast.post(staff, f"{url}/invitees", {"user": cast.people["neighbour"].id, "intent": "remove"}
                     ).status_code == 303
    assert _statuses(session, meeting) == {"neighbour": "cancelled"}


def test_an_open_meeting_takes_anyone_with_an_account_and_login_comes_first(cast):
    meeting = cast.meeting(access=Access.OPEN)
    assert cast.post(cast.client("outsider"), f"/meetings/{meeting.id}/register").status_code == 303
    anonymous = cast.client()
    assert "登录后报名" in anonymous.get(f"/meetings/{meeting.id}").text
    response = cast.post(anonymous, f"/meetings/{meeting.id}/register")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_registration_closes_when_the_meeting_starts(cast, session):
    meeting = cast.past_meeting()
    response = cast.post(cast.client("neighbour"), f"/meetings/{meeting.id}/register")
    assert response.status_code == 409 and "报名已截止" in response.text
    assert cast.post(cast.client("neighbour"), f"/meetings/{meeting.id}/unregister").status_code == 409
    assert "报名已截止" in cast.client("neighbour").get(f"/meetings/{meeting.id}").text
    reload(session)
    assert session.exec(select(Registration)).all() == []


def test_registering_twice_keeps_one_registration(cast, session):
    meeting = cast.meeting()
    client = cast.client("neighbour")
    assert cast.post(client, f"/meetings/{meeting.id}/register").status_code == 303
    again = cast.post(client, f"/meetings/{meeting.id}/register", )
    assert again.status_code == 303 and "您已经报名了" in client.get(f"/meetings/{meeting.id}").text
    assert _statuses(session, meeting) == {"neighbour": "registered"}
    session.add(Registration(meeting_id=meeting.id, user_id=cast.people["neighbour"].id,
                             status=RegistrationStatus.REGISTERED, queued_at=meeting.created_at))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def _register_at_once(database, meeting_id: int, user_ids: list[int]) -> list[BaseException]:  # type: ignore[no-untyped-def]
    from deliberate.accounts.models import User

    errors: list[BaseException] = []

    def register(user_id: int) -> None:
        try:
            with database.writing() as s:
                user = s.get(User, user_id)
                person = load_person(s, user)
                meeting, place = access_meeting(s, person, meeting_id, for_update=True)  # as the form's handler
                actions.do_register(s, meeting, place, person, user)
        except BaseException as error:  # noqa: BLE001 - asserted by the caller
            errors.append(error)

    threads = [threading.Thread(target=register, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_requests_of_one_person_leave_one_registration(cast, session, database):
    meeting = cast.meeting(capacity=5)
    errors = _register_at_once(database, meeting.id, [cast.people["neighbour"].id] * 8)
    assert errors == []
    reload(session)
    assert session.exec(select(func.count()).select_from(Registration)).one() == 1


def test_concurrent_registrations_never_overfill_the_seats(cast, session, database):
    extra = [make_resident(session, f"r{n}", cast.town.households[n % 4]) for n in range(6)]
    meeting = cast.meeting(capacity=3)
    errors = _register_at_once(database, meeting.id, [u.id for u in extra])
    assert errors == []
    reload(session)
    statuses = session.exec(select(Registration.status).where(Registration.meeting_id == meeting.id)).all()
    assert sorted(statuses) == ["registered"] * 3 + ["waiting"] * 3


def test_a_resident_of_several_homes_says_which_household_they_speak_for(cast, session):
    from deliberate.accounts import actions as accounts

    neighbour = cast.people["neighbour"]
    second_home = cast.town.households[0]
    claim = accounts.do_claim(session, user=neighbour, household=second_home, name="neighbour", birth_year=1970,
                              note="")
    accounts.do_approve_claim(session, claim, by=cast.people["staff"], mismatch_confirmed=True)
    session.commit()
    meeting = cast.meeting()
    client = cast.client("neighbour")
    page = client.get(f"/meetings/{meeting.id}")
    assert 'name="household"' in page.text
    assert cast.post(client, f"/meetings/{meeting.id}/register", {"household": cast.town.households[6].id}
                     ).status_code == 422
    assert cast.post(client, f"/meetings/{meeting.id}/register", {"household": second_home.id}).status_code == 303
    reload(session)
    assert session.exec(select(Registration.household_id)).one() == second_home.id


def test_cancelled_meetings_take_no_registrations(cast, session):
    meeting = cast.meeting()
    actions.do_cancel(session, meeting, cast.people["staff"], "改期")
    session.commit()
    with pytest.raises(MeetingError) as refused:
        actions.do_register(session, meeting, cast.building, cast.person("neighbour"), cast.people["neighbour"])
    assert refused.value.status == 409


def test_my_meetings_lists_what_i_registered_for(cast):
    meeting = cast.meeting(title="楼道清理恳谈会", starts_in=timedelta(days=4))
    client = cast.client("neighbour")
    cast.post(client, f"/meetings/{meeting.id}/register")
    page = client.get("/meetings/mine")
    assert page.status_code == 200 and "楼道清理恳谈会" in page.text and "已报名" in page.text
    assert cast.client().get("/meetings/mine").status_code == 303

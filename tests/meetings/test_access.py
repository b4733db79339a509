"""Who may do what with a meeting, answered once (meetings/access.py): every need × everyone the building has."""

from __future__ import annotations

import pytest
from factories import reload
from sqlmodel import select

from deliberate.accounts import actions as accounts
from deliberate.accounts.models import RoleGrant
from deliberate.meetings import actions
from deliberate.meetings.access import Own, access_attendance, access_meeting, access_minutes
from deliberate.policy import Act
from deliberate.refusal import Forbidden, NotFound

EVERYONE = (None, "author", "neighbour", "outsider", "staff", "council", "leader", "supervisor")
ALLOWED = {
    None: set(EVERYONE),
    Act.MANAGE_MEETINGS: {"staff", "council"},  # and the organiser, whoever they are now
    Act.SIGN_IN_ATTENDEES: {"staff", "council", "leader"},
    Own.CHAIR: {"neighbour"},
}


@pytest.mark.parametrize("need", list(ALLOWED), ids=str)
@pytest.mark.parametrize("who", EVERYONE, ids=str)
def test_each_need_is_allowed_to_exactly_those_it_names(cast, session, need, who):
    meeting = cast.meeting(chair="neighbour")
    person = cast.person(who) if who else None
    if who in ALLOWED[need]:
        assert access_meeting(session, person, meeting.id, need)[0].id == meeting.id
    else:
        with pytest.raises(Forbidden):
            access_meeting(session, person, meeting.id, need)


def test_the_organiser_still_manages_the_meeting_after_losing_the_role_that_let_them_call_it(cast, session):
    meeting = cast.meeting(by="council", chair="council")
    grant = session.exec(select(RoleGrant).where(RoleGrant.user_id == cast.people["council"].id)).one()
    accounts.do_revoke_role(session, grant)
    session.commit()
    organiser = cast.person("council")
    for need in (Act.MANAGE_MEETINGS, Act.SIGN_IN_ATTENDEES, Own.CHAIR):
        access_meeting(session, organiser, meeting.id, need)
    assert cast.client("council").get(f"/meetings/{meeting.id}/edit").status_code == 200
    assert cast.client("council").get(f"/places/{cast.building.id}/meetings/new").status_code == 403


@pytest.mark.parametrize("ident", [None, "", "abc", "0", "-1", "1.5", str(2**31), "99999"])
def test_what_is_no_meeting_is_404(cast, session, ident):
    cast.meeting()
    with pytest.raises(NotFound):
        access_meeting(session, cast.person("staff"), ident)


def test_draft_minutes_are_known_only_to_those_who_manage_the_meeting_and_its_chair(cast, session):
    meeting = cast.past_meeting(chair="neighbour")
    with pytest.raises(NotFound):
        access_minutes(session, cast.person("staff"), meeting.id)  # none yet
    actions.do_save_minutes(session, meeting, cast.people["staff"], attendees="", summary="", records={},
                            submit=False)
    session.commit()
    for who in ("staff", "council", "neighbour"):
        assert access_minutes(session, cast.person(who), meeting.id)[2].meeting_id == meeting.id
    for who in (None, "author", "leader"):
        with pytest.raises(NotFound):
            access_minutes(session, cast.person(who) if who else None, meeting.id)


def test_a_sign_in_is_taken_back_only_at_its_own_meeting(cast, session):
    held, other = cast.past_meeting(), cast.past_meeting(title="另一次会")
    entry = actions.do_sign_in(session, held, cast.building, cast.people["staff"], guest_name="来宾")
    session.commit()
    reload(session)
    assert access_attendance(session, held, entry.id).id == entry.id
    with pytest.raises(NotFound):
        access_attendance(session, other, entry.id)

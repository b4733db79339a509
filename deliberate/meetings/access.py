"""Loading a meeting (its minutes, a sign-in at its door) and proving in the same call that this person may act.

One condition per line, so that the tests prove each branch. Anyone may look at a meeting. Managing it
(editing, cancelling, invitees, minutes) is the policy's `MANAGE_MEETINGS` on its place, or having organised
it; signing people in at the door is `SIGN_IN_ATTENDEES` there, or having organised it; approving or returning
the minutes is for its chair alone. Minutes are known only once published, except to those who manage the
meeting or chair it. Who may register is `registration_refusal`: the page shows it, the action enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from deliberate.accounts.people import Person
from deliberate.db import get_or_refuse
from deliberate.i18n import gettext as _
from deliberate.meetings import rules
from deliberate.meetings.models import Attendance, Invitation, Meeting, Minutes, MinutesStatus
from deliberate.places.models import Place
from deliberate.policy import Act, may
from deliberate.refusal import Forbidden, NotFound


class Own(StrEnum):
    CHAIR = "chair"  # approve or send back the minutes: the meeting's own chair, whatever their roles


Need = Act | Own | None


def _organises(person: Person | None, meeting: Meeting) -> bool:
    if person is None or meeting.organiser_id is None:
        return False
    return person.user_id == meeting.organiser_id


def chairs(person: Person | None, meeting: Meeting) -> bool:
    if person is None or meeting.chair_id is None:
        return False
    return person.user_id == meeting.chair_id


def manages(person: Person | None, meeting: Meeting, place: Place) -> bool:
    """Staff of the place or above, its own council, or whoever organised the meeting."""
    if may(person, Act.MANAGE_MEETINGS, place):
        return True
    return _organises(person, meeting)


def signs_in(person: Person | None, meeting: Meeting, place: Place) -> bool:
    """Those who manage meetings of the place, its building leaders, or whoever organised the meeting."""
    if may(person, Act.SIGN_IN_ATTENDEES, place):
        return True
    return _organises(person, meeting)


def allowed(person: Person | None, meeting: Meeting, place: Place, need: Need) -> bool:
    if need is None:
        return True
    if need is Act.MANAGE_MEETINGS:
        return manages(person, meeting, place)
    if need is Act.SIGN_IN_ATTENDEES:
        return signs_in(person, meeting, place)
    if need is Own.CHAIR:
        return chairs(person, meeting)
    return may(person, need, place)


@dataclass(frozen=True)
class Can:
    """What the reader may do with this meeting, for the pages to offer."""

    manage: bool
    sign_in: bool
    chair: bool


def can(person: Person | None, meeting: Meeting, place: Place) -> Can:
    return Can(manage=manages(person, meeting, place), sign_in=signs_in(person, meeting, place),
               chair=chairs(person, meeting))


def access_meeting(session: Session, person: Person | None, ident: Any, need: Need = None, *,
                   for_update: bool = False) -> tuple[Meeting, Place]:
    """The meeting and its place, if this person may `need` there (None: look at it); else 404 or 403. With
    `for_update` its row is locked for the transaction: seats are counted, and the minutes decided, one at a time."""
    meeting = get_or_refuse(session, Meeting, ident, for_update=for_update)
    place = session.get(Place, meeting.place_id)
    assert place is not None
    if not allowed(person, meeting, place, need):
        raise Forbidden()
    return meeting, place


def access_minutes(session: Session, person: Person | None, ident: Any, need: Need = None, *,
                   for_update: bool = False) -> tuple[Meeting, Place, Minutes]:
    """A meeting's minutes: public once published; a draft only for those who manage the meeting or chair it,
    and to anyone else as absent as no minutes at all."""
    meeting, place = access_meeting(session, person, ident, need, for_update=for_update)
    minutes = session.get(Minutes, meeting.id)
    if minutes is None:
        raise NotFound(_("会议纪要还没有发布。"))
    if minutes.status != MinutesStatus.PUBLISHED and not _sees_drafts(person, meeting, place):
        raise NotFound(_("会议纪要还没有发布。"))
    return meeting, place, minutes


def _sees_drafts(person: Person | None, meeting: Meeting, place: Place) -> bool:
    if manages(person, meeting, place):
        return True
    return chairs(person, meeting)


def access_attendance(session: Session, meeting: Meeting, ident: Any) -> Attendance:
    """A sign-in at this meeting's door (to take it back); 404 for another meeting's."""
    entry = get_or_refuse(session, Attendance, ident)
    if entry.meeting_id != meeting.id:
        raise NotFound()
    return entry


def is_invited(session: Session, meeting: Meeting, user_id: int | None) -> bool:
    if user_id is None:
        return False
    return session.exec(select(Invitation.id).where(col(Invitation.meeting_id) == meeting.id,
                                                    col(Invitation.user_id) == user_id)).first() is not None


def registration_refusal(session: Session, meeting: Meeting, place: Place, person: Person | None,
                         now: datetime) -> tuple[int, str] | None:
    """Why this person may not register now, with the status to answer (409: the meeting's state, 403: who
    they are); None when they may."""
    return rules.registration_refusal(
        status=meeting.status, starts_at=meeting.starts_at, now=now, access=meeting.access,
        lives_here=may(person, Act.ACT_AS_RESIDENT, place),
        invited=is_invited(session, meeting, person.user_id if person else None),
    )

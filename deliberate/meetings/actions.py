"""The only writers of meetings: scheduling, invitations, registration, sign-in and minutes.

Each action that counts seats or decides the minutes works on the meeting's row as its caller locked it for the
transaction (`access.access_meeting(..., for_update=True)`, as every form's handler loads it), so that fifty
registrations arriving at once take the seats one at a time, and the minutes' moves are made once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, insert, literal, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from deliberate.accounts.models import ClaimStatus, ResidencyClaim, User
from deliberate.accounts.people import Person, load_person
from deliberate.clock import utcnow
from deliberate.db import UTCDateTime
from deliberate.i18n import gettext as _
from deliberate.meetings import queries, rules
from deliberate.meetings.access import is_invited, registration_refusal
from deliberate.meetings.models import (
    Access,
    AgendaItem,
    Attendance,
    Invitation,
    ItemMove,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    Registration,
    RegistrationStatus,
)
from deliberate.meetings.queries import ProposalMeeting as ProposalMeeting
from deliberate.meetings.queries import meetings_for_proposal as meetings_for_proposal
from deliberate.meetings.rules import MeetingError, refuse
from deliberate.places.models import Household, Member, Place
from deliberate.proposals import actions as proposals
from deliberate.proposals import plans
from deliberate.proposals.access import actors_for, resolve
from deliberate.proposals.models import Notification, NotificationKind, Proposal, ProposalEvent
from deliberate.proposals.rules import Action as Move
from deliberate.proposals.rules import Stage

__all__ = ["ItemRecord", "MeetingDraft", "MeetingError", "ProposalMeeting", "meetings_for_proposal"]

CHINA = ZoneInfo("Asia/Shanghai")  # the time written into timeline events
MAX_AGENDA_ITEMS = 20

# Decisions that move a proposal, as the proposal loop's own moves.
REVIEW_MOVES = {ItemMove.ACCEPT: Move.ACCEPT, ItemMove.REQUEST_CHANGES: Move.REQUEST_CHANGES,
                ItemMove.REJECT: Move.REJECT}
LOOP_MOVES = {**REVIEW_MOVES, ItemMove.PUBLISH_PLAN: Move.PUBLISH_PLAN}


@dataclass(frozen=True)
class MeetingDraft:
    kind: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    room: str
    online_url: str
    capacity: int | None
    access: str
    chair_id: int
    proposal_ids: tuple[int, ...] = ()
    items: tuple[str, ...] = ()  # free-text agenda items
    urgent_reason: str = ""


# Scheduling ------------------------------------------------------------------------------------


def _about(meeting: Meeting) -> str:
    """How a timeline event names the meeting."""
    when = meeting.starts_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    where = meeting.room or _("网上会议")
    return f"{rules.kind_labels()[meeting.kind]}「{meeting.title}」 · {when} · {where}"


def do_schedule(session: Session, *, place: Place, by: User, draft: MeetingDraft, now: datetime | None = None
                ) -> Meeting:
    """A meeting announced now; too short a notice is refused unless it is urgent and says why."""
    now = now or utcnow()
    if draft.kind not in rules.kinds_for(place.kind):
        raise MeetingError(_("这里不能召开这类会议。"), 422)
    refuse(rules.timing_error(draft.starts_at, draft.ends_at, now), 422)
    required = rules.notice_days(draft.kind, queries.notice_periods_of(session, place))
    refuse(rules.notice_error(draft.kind, draft.starts_at, now, draft.urgent_reason, required), 422)
    meeting = Meeting(place_id=place.id, organiser_id=by.id, noticed_at=now, created_at=now,
                      updated_at=now, notice_days=required, kind=draft.kind, title=draft.title,
                      starts_at=draft.starts_at, ends_at=draft.ends_at)
    _fill(meeting, draft, now)
    session.add(meeting)
    session.flush()
    _set_agenda(session, meeting, place, draft, by)
    _tell_residents(session, meeting, place, by, now)
    return meeting


def _tell_residents(session: Session, meeting: Meeting, place: Place, by: User, now: datetime) -> None:
    """The verified residents of the meeting's place and the places inside it hear that it was called, in one
    INSERT … SELECT (a community's meeting tells thousands); invitees of an invited-only one when invited."""
    if meeting.access == Access.INVITED:
        return
    residents = (
        select(ResidencyClaim.user_id).distinct()
        .join(Household, col(Household.id) == ResidencyClaim.household_id)
        .join(Place, col(Place.id) == Household.building_id)
        .where(col(ResidencyClaim.status) == ClaimStatus.APPROVED, col(Place.path).startswith(place.path),
               col(ResidencyClaim.user_id) != by.id)
    ).subquery()
    told = sa_select(residents.c.user_id, literal(NotificationKind.MEETING, String), literal(meeting.id, Integer),
                     literal(now, UTCDateTime))
    session.execute(insert(Notification).from_select(["user_id", "kind", "meeting_id", "created_at"], told),
                    execution_options={"synchronize_session": False})


def _fill(meeting: Meeting, draft: MeetingDraft, noticed_at: datetime) -> None:
    meeting.kind, meeting.title, meeting.description = draft.kind, draft.title, draft.description
    meeting.starts_at, meeting.ends_at = draft.starts_at, draft.ends_at
    meeting.room, meeting.online_url = draft.room, draft.online_url
    meeting.capacity, meeting.access, meeting.chair_id = draft.capacity, draft.access, draft.chair_id
    met = rules.notice(draft.kind, noticed_at, draft.starts_at, meeting.notice_days).met
    meeting.urgent_reason = "" if met else draft.urgent_reason.strip()


def _set_agenda(session: Session, meeting: Meeting, place: Place, draft: MeetingDraft, by: User) -> None:
    """The agenda as drafted: proposals first, then free items. Items kept keep what the minutes say of them;
    a proposal newly on the agenda is told on its timeline."""
    if len(draft.proposal_ids) + len(draft.items) > MAX_AGENDA_ITEMS:
        raise MeetingError(_("议程最多 %(n)s 项。", n=MAX_AGENDA_ITEMS), 422)
    wanted = _agenda_proposals(session, place, draft.proposal_ids)
    existing = queries.agenda_of(session, meeting)
    by_proposal = {item.proposal_id: item for item in existing if item.proposal_id is not None}
    by_title = {item.title: item for item in existing if item.proposal_id is None}
    kept: set[int | None] = set()
    position = 0
    for proposal in wanted:
        position += 1
        item = by_proposal.get(proposal.id)
        if item is None:
            item = AgendaItem(meeting_id=meeting.id, position=position, title=proposal.title[:200],
                              proposal_id=proposal.id)
            session.add(item)
            session.flush()
            proposals.record(session, proposal, action="meeting_scheduled", to_stage=proposal.stage, by=by,
                             reason=_about(meeting), subject=("meeting", meeting.id))
        item.position = position
        kept.add(item.id)
    for title in dict.fromkeys(draft.items):
        position += 1
        item = by_title.get(title) or AgendaItem(meeting_id=meeting.id, position=position, title=title)
        item.position = position
        session.add(item)
        session.flush()
        kept.add(item.id)
    for item in existing:
        if item.id not in kept:
            session.delete(item)
    session.flush()


def _agenda_proposals(session: Session, place: Place, ids: tuple[int, ...]) -> list[Proposal]:
    if not ids:
        return []
    found = {p.id: p for p in session.exec(
        select(Proposal).join(Place, col(Place.id) == Proposal.place_id)
        .where(col(Proposal.id).in_(ids), col(Place.path).startswith(place.path))
    ).all()}
    if set(ids) - set(found):
        raise MeetingError(_("议程中的提案须是本地或下属地点的提案。"), 422)
    return [found[i] for i in dict.fromkeys(ids)]


def do_edit(session: Session, meeting: Meeting, place: Place, by: User, draft: MeetingDraft,
            now: datetime | None = None) -> Meeting:
    """Change what was announced (the meeting's row locked). A new time is a new announcement: its notice counts
    from now. A larger capacity lets the waiting list in."""
    now = now or utcnow()
    refuse(queries.change_refusal(session, meeting, now))
    if draft.kind not in rules.kinds_for(place.kind):
        raise MeetingError(_("这里不能召开这类会议。"), 422)
    moved = (draft.starts_at, draft.ends_at) != (meeting.starts_at, meeting.ends_at)
    noticed_at = meeting.noticed_at
    if moved:
        refuse(rules.timing_error(draft.starts_at, draft.ends_at, now), 422)
        noticed_at = now
    required = meeting.notice_days  # announced under the place's rule of then, unless announced again now
    if moved or draft.kind != meeting.kind:
        required = rules.notice_days(draft.kind, queries.notice_periods_of(session, place))
    refuse(rules.notice_error(draft.kind, draft.starts_at, noticed_at, draft.urgent_reason, required), 422)
    meeting.notice_days = required
    _fill(meeting, draft, noticed_at)
    meeting.noticed_at = noticed_at
    meeting.sequence += 1
    meeting.updated_at = now
    session.add(meeting)
    session.flush()
    if moved:
        for _item, proposal in queries.agenda_proposals(session, meeting):
            proposals.record(session, proposal, action="meeting_rescheduled", to_stage=proposal.stage, by=by,
                             reason=_about(meeting), subject=("meeting", meeting.id))
    _set_agenda(session, meeting, place, draft, by)
    _promote(session, meeting, now)
    return meeting


def do_cancel(session: Session, meeting: Meeting, by: User, reason: str, now: datetime | None = None) -> None:
    """Cancel (the meeting's row locked) with a reason the page shows to everyone who registered; the proposals on
    the agenda are told."""
    now = now or utcnow()
    refuse(queries.change_refusal(session, meeting, now))
    if now >= meeting.starts_at:
        raise MeetingError(_("会议已经开始，不能取消。"))
    if not reason.strip():
        raise MeetingError(_("请写明取消的原因，报名的居民会在会议页面看到。"), 422)
    meeting.status, meeting.cancelled_at, meeting.cancelled_by_id = MeetingStatus.CANCELLED, now, by.id
    meeting.cancel_reason = reason.strip()
    meeting.sequence += 1
    meeting.updated_at = now
    session.add(meeting)
    session.flush()
    for _item, proposal in queries.agenda_proposals(session, meeting):
        proposals.record(session, proposal, action="meeting_cancelled", to_stage=proposal.stage, by=by,
                         reason=f"{_about(meeting)} · {meeting.cancel_reason}", subject=("meeting", meeting.id))


# Invitees --------------------------------------------------------------------------------------


def do_invite(session: Session, meeting: Meeting, place: Place, user: User, by: User) -> bool:
    """Invite a verified resident of the place; True when newly invited."""
    if not queries.homes_for(session, user, place):
        raise MeetingError(_("只能邀请本地核实居民；其他人可以在签到时按来宾登记。"), 422)
    if is_invited(session, meeting, user.id):
        return False
    try:
        with session.begin_nested():
            session.add(Invitation(meeting_id=meeting.id, user_id=user.id, invited_by_id=by.id))
    except IntegrityError:
        return False
    session.add(Notification(user_id=user.id, kind=NotificationKind.MEETING, meeting_id=meeting.id))
    return True


def do_uninvite(session: Session, meeting: Meeting, user: User, now: datetime | None = None) -> None:
    """Withdraw an invitation (the meeting's row locked); a registration that rested on it ends, and the waiting
    list moves up."""
    invitation = session.exec(select(Invitation).where(col(Invitation.meeting_id) == meeting.id,
                                                       col(Invitation.user_id) == user.id)).first()
    if invitation is None:
        return
    session.delete(invitation)
    if meeting.access == Access.INVITED:
        _end_registration(session, meeting, user, now or utcnow())
    session.flush()


# Registration ----------------------------------------------------------------------------------


def _household(session: Session, user: User, place: Place, household_id: int | None) -> int | None:
    """The household the person speaks for: the one chosen among their homes here, or their only one."""
    homes = queries.homes_for(session, user, place)
    if household_id is None:
        return homes[0].id if len(homes) == 1 else None
    if household_id not in {h.id for h in homes}:
        raise MeetingError(_("请选择您在本地的一户。"), 422)
    return household_id


def do_register(session: Session, meeting: Meeting, place: Place, person: Person, user: User, *,
                household_id: int | None = None, now: datetime | None = None) -> tuple[Registration, bool]:
    """A seat, or a place on the waiting list; once per person however many requests arrive at once. The seats
    are counted on the meeting's row as the caller locked it. Returns the registration and whether it is new."""
    now = now or utcnow()
    refusal = registration_refusal(session, meeting, place, person, now)
    if refusal:
        raise MeetingError(refusal[1], refusal[0])
    household = _household(session, user, place, household_id)
    existing = queries.registration_of(session, meeting, user)
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        return existing, False
    status = rules.seat_for(meeting.capacity, queries.registered_count(session, meeting))
    if existing is not None:
        existing.status, existing.queued_at, existing.household_id = status, now, household
        existing.cancelled_at, existing.updated_at = None, now
        session.add(existing)
        session.flush()
        return existing, True
    registration = Registration(meeting_id=meeting.id, user_id=user.id, household_id=household, status=status,
                                queued_at=now, created_at=now, updated_at=now)
    try:
        with session.begin_nested():
            session.add(registration)
    except IntegrityError:  # the same person's other request got there first
        found = queries.registration_of(session, meeting, user)
        assert found is not None
        return found, False
    return registration, True


def do_unregister(session: Session, meeting: Meeting, user: User, now: datetime | None = None) -> bool:
    """Cancel one's registration before the start (the meeting's row locked); the first waiting takes the seat."""
    now = now or utcnow()
    refuse(rules.cancellation_refusal(status=meeting.status, starts_at=meeting.starts_at, now=now))
    return _end_registration(session, meeting, user, now)


def _end_registration(session: Session, meeting: Meeting, user: User, now: datetime) -> bool:
    registration = queries.registration_of(session, meeting, user)
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return False
    registration.status, registration.cancelled_at, registration.updated_at = RegistrationStatus.CANCELLED, now, now
    session.add(registration)
    session.flush()
    _promote(session, meeting, now)
    return True


def _promote(session: Session, meeting: Meeting, now: datetime) -> list[Registration]:
    if meeting.status == MeetingStatus.CANCELLED:
        return []
    waiting = queries.waiting_list(session, meeting)
    count = rules.promotions(meeting.capacity, queries.registered_count(session, meeting), len(waiting))
    for registration in waiting[:count]:
        registration.status, registration.updated_at = RegistrationStatus.REGISTERED, now
        session.add(registration)
    session.flush()
    return waiting[:count]


# Sign-in ---------------------------------------------------------------------------------------


def do_sign_in(session: Session, meeting: Meeting, place: Place, by: User, *, user: User | None = None,
               member: Member | None = None, guest_name: str = "", household_id: int | None = None,
               walk_in: bool = False, now: datetime | None = None) -> Attendance:
    """Sign someone in: an account (from the registration list or by name), a person of the register who has
    no account, or a guest by name. Each person once."""
    now = now or utcnow()
    refuse(rules.sign_in_refusal(status=meeting.status, starts_at=meeting.starts_at, now=now,
                                 minutes_published=queries.minutes_published(session, meeting)))
    entry = Attendance(meeting_id=meeting.id, signed_in_by_id=by.id, signed_in_at=now, walk_in=walk_in, name="")
    if member is not None:
        _as_member(session, entry, member, place)
    elif user is not None:
        entry.user_id, entry.name = user.id, user.display_name
        entry.household_id = _household(session, user, place, household_id)
        entry.member_id = _member_of(session, user, entry.household_id)
    else:
        entry.name = guest_name.strip()
        if not entry.name:
            raise MeetingError(_("请填写来宾姓名。"), 422)
        entry.walk_in = True
    if _already_signed_in(session, meeting, entry):
        raise MeetingError(_("%(name)s 已经签到了。", name=entry.name))
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:
        raise MeetingError(_("%(name)s 已经签到了。", name=entry.name)) from None
    return entry


def _as_member(session: Session, entry: Attendance, member: Member, place: Place) -> None:
    household = session.get(Household, member.household_id)
    building = session.get(Place, household.building_id) if household is not None else None
    if building is None or not building.path.startswith(place.path):
        raise MeetingError(_("只能为本地登记的居民签到；其他人请按来宾登记。"), 422)
    entry.member_id, entry.household_id, entry.user_id, entry.name = (
        member.id, member.household_id, member.user_id, member.name)


def _member_of(session: Session, user: User, household_id: int | None) -> int | None:
    if household_id is None:
        return None
    return session.exec(select(Member.id).where(col(Member.household_id) == household_id,
                                                col(Member.user_id) == user.id)).first()


def _already_signed_in(session: Session, meeting: Meeting, entry: Attendance) -> bool:
    conditions = []
    if entry.user_id is not None:
        conditions.append(col(Attendance.user_id) == entry.user_id)
    if entry.member_id is not None:
        conditions.append(col(Attendance.member_id) == entry.member_id)
    if not conditions:
        return False
    return session.exec(select(Attendance.id).where(col(Attendance.meeting_id) == meeting.id,
                                                    or_(*conditions))).first() is not None


def do_undo_sign_in(session: Session, meeting: Meeting, entry: Attendance) -> None:
    """Take back a sign-in made by mistake, until the minutes are published."""
    if queries.minutes_published(session, meeting):
        raise MeetingError(_("会议纪要已发布，签到名单不能再改。"))
    session.delete(entry)
    session.flush()


# Minutes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRecord:
    discussion: str
    decision: str
    move: str = ItemMove.NONE


def do_save_minutes(session: Session, meeting: Meeting, by: User, *, attendees: str, summary: str,
                    records: dict[int, ItemRecord], submit: bool, now: datetime | None = None) -> Minutes:
    """Save the draft (the meeting's row locked); with `submit`, hand it to the chair. A decision that would move
    a proposal is checked against the proposal's state machine now, and made when the chair publishes."""
    now = now or utcnow()
    minutes = queries.minutes_of(session, meeting)
    refuse(rules.minutes_refusal(status=meeting.status, starts_at=meeting.starts_at, now=now,
                                 published=minutes is not None and minutes.status == MinutesStatus.PUBLISHED))
    items = queries.agenda_of(session, meeting)
    for item in items:
        record = records.get(item.id, ItemRecord(item.discussion, item.decision, item.move))
        if record.move and item.proposal_id is None:
            raise MeetingError(_("只有提案议题的决定才能改变提案进度。"), 422)
        item.discussion, item.decision, item.move = record.discussion, record.decision, record.move
        session.add(item)
    for item in items:
        if item.move:
            check_move(session, meeting, item)
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, created_at=now)
    minutes.attendees, minutes.summary, minutes.drafted_by_id, minutes.updated_at = attendees, summary, by.id, now
    if submit:
        minutes.status, minutes.submitted_at, minutes.return_note = MinutesStatus.SUBMITTED, now, ""
    else:
        minutes.status = MinutesStatus.DRAFT
    session.add(minutes)
    session.flush()
    return minutes


def check_move(session: Session, meeting: Meeting, item: AgendaItem) -> None:
    """Refuse (IllegalTransition, or MeetingError) a decision the proposal's state machine would refuse
    if the chair made it now."""
    proposal = session.get(Proposal, item.proposal_id)
    if proposal is None:
        raise MeetingError(_("议程中的提案已不存在。"))
    if item.move in (ItemMove.REJECT, ItemMove.REQUEST_CHANGES) and not item.decision.strip():
        raise MeetingError(_("驳回提案或请作者修改时，请在“决定”中写明理由，它会公开在提案页面上。"), 422)
    place = session.get(Place, proposal.place_id)
    assert place is not None
    resolve(actors_for(_chair_person(session, meeting), proposal, place), Stage(proposal.stage),
            LOOP_MOVES[item.move], reason=item.decision)


def _chair_person(session: Session, meeting: Meeting) -> Person | None:
    chair = session.get(User, meeting.chair_id) if meeting.chair_id else None
    return load_person(session, chair) if chair is not None else None


def do_return_minutes(session: Session, meeting: Meeting, note: str, now: datetime | None = None) -> None:
    """The chair sends the draft back, saying what to change."""
    minutes = queries.minutes_of(session, meeting)
    if minutes is None or minutes.status != MinutesStatus.SUBMITTED:
        raise MeetingError(_("纪要还没有提交审批。"))
    minutes.status, minutes.return_note, minutes.updated_at = MinutesStatus.DRAFT, note.strip(), now or utcnow()
    session.add(minutes)
    session.flush()


def do_approve_minutes(session: Session, meeting: Meeting, chair: User, now: datetime | None = None) -> Minutes:
    """The chair approves (the meeting's row locked: the moves are made once): the minutes become public, each
    proposal on the agenda links them on its timeline, and the decisions move the proposals through the loop's
    own functions (all of it, or nothing)."""
    now = now or utcnow()
    minutes = queries.minutes_of(session, meeting)
    if minutes is None or minutes.status != MinutesStatus.SUBMITTED:
        raise MeetingError(_("纪要还没有提交审批。"))
    if chair.id != meeting.chair_id:
        raise MeetingError(_("只有会议主持人可以批准纪要。"), 403)
    person = load_person(session, chair)
    for item, proposal in queries.agenda_proposals(session, meeting):
        decided = f" · {_('决定：')}{item.decision}" if item.decision and not item.move else ""
        proposals.record(session, proposal, action="minutes_published", to_stage=proposal.stage, by=chair,
                         reason=_about(meeting) + decided, subject=("meeting", meeting.id))
        if item.move:
            event = _apply(session, item, proposal, person, chair, now)
            item.event_id = event.id
            session.add(item)
    minutes.status, minutes.approved_by_id, minutes.published_at, minutes.updated_at = (
        MinutesStatus.PUBLISHED, chair.id, now, now)
    session.add(minutes)
    session.flush()
    return minutes


def _apply(session: Session, item: AgendaItem, proposal: Proposal, person: Person, chair: User,
           now: datetime) -> ProposalEvent:
    place = session.get(Place, proposal.place_id)
    assert place is not None
    if item.move == ItemMove.PUBLISH_PLAN:
        return plans.do_publish(session, proposal, place, person, chair, now=now)
    return proposals.do_review(session, proposal, place, person, chair, REVIEW_MOVES[item.move], item.decision)

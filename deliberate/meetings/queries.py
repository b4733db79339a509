"""What the pages of meetings read: agendas, counts, lists and searches, and one page object per screen (its fields
are the template's names; `as_json` is the page's `.json` twin). Each page reads its lists in a fixed number of
queries, however many meetings, registrants or sign-ins there are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from deliberate.accounts.models import ClaimStatus, ResidencyClaim, Role, RoleGrant, User
from deliberate.accounts.people import Person
from deliberate.db import Page, paginate
from deliberate.i18n import gettext as _
from deliberate.meetings import rules
from deliberate.meetings.access import Can, can, registration_refusal
from deliberate.meetings.models import (
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    Minutes,
    MinutesStatus,
    Registration,
    RegistrationStatus,
)
from deliberate.places import actions as places
from deliberate.places import settings
from deliberate.places.models import Household, Member, Place
from deliberate.policy import Act, may
from deliberate.proposals.models import Proposal
from deliberate.proposals.rules import TERMINAL, Stage, stage_labels

UrlFor = Callable[..., Any]
CANDIDATE_LIMIT = 200  # open proposals offered for an agenda
MINE_LIMIT = 200


# The agenda ------------------------------------------------------------------------------------


def agenda_of(session: Session, meeting: Meeting) -> list[AgendaItem]:
    return list(session.exec(
        select(AgendaItem).where(col(AgendaItem.meeting_id) == meeting.id)
        .order_by(col(AgendaItem.position), col(AgendaItem.id))
    ).all())


def agenda(session: Session, meeting: Meeting) -> list[tuple[AgendaItem, Proposal | None]]:
    """The items with the proposal each is about (None for a free-text item)."""
    items = agenda_of(session, meeting)
    ids = [i.proposal_id for i in items if i.proposal_id is not None]
    found = {p.id: p for p in session.exec(select(Proposal).where(col(Proposal.id).in_(ids))).all()} if ids else {}
    return [(item, found.get(item.proposal_id) if item.proposal_id is not None else None) for item in items]


def agenda_proposals(session: Session, meeting: Meeting) -> list[tuple[AgendaItem, Proposal]]:
    """The items about a proposal, with it, in the agenda's order."""
    rows = session.exec(
        select(AgendaItem, Proposal).join(Proposal, col(Proposal.id) == AgendaItem.proposal_id)
        .where(col(AgendaItem.meeting_id) == meeting.id).order_by(col(AgendaItem.position))
    ).all()
    return [(item, proposal) for item, proposal in rows]


def agenda_candidates(session: Session, place: Place, on_agenda: list[AgendaItem] | None = None) -> list[Proposal]:
    """Proposals that can go on a meeting's agenda here: open ones of the place and the places within it,
    and whatever the meeting already has (`on_agenda`)."""
    closed = [s.value for s in (*TERMINAL, Stage.DRAFT)]
    open_ones = list(session.exec(
        select(Proposal).join(Place, col(Place.id) == Proposal.place_id)
        .where(col(Place.path).startswith(place.path), col(Proposal.stage).notin_(closed))
        .order_by(col(Proposal.id).desc()).limit(CANDIDATE_LIMIT)
    ).all())
    have = {p.id for p in open_ones}
    kept = [i.proposal_id for i in on_agenda or [] if i.proposal_id and i.proposal_id not in have]
    if kept:
        open_ones += list(session.exec(select(Proposal).where(col(Proposal.id).in_(kept))).all())
    return open_ones


def chair_candidates(session: Session, place: Place, organiser: User) -> list[User]:
    """Who may chair: the organiser, staff of the place or above, council members of the place or above,
    and the building leaders within it."""
    above = [f"/{'/'.join(str(i) for i in place.ancestor_ids[: n + 1])}/" for n in range(len(place.ancestor_ids))]
    rows = session.exec(
        select(User, RoleGrant.role, Place.path).join(RoleGrant, col(RoleGrant.user_id) == User.id)
        .join(Place, col(Place.id) == RoleGrant.place_id)
        .where(or_(col(Place.path).in_(above), col(Place.path).startswith(place.path)))
    ).all()
    found = {organiser.id: organiser}
    for user, role, path in rows:
        if path in above and role in (Role.STAFF, Role.ADMIN, Role.COUNCIL):
            found[user.id] = user
        elif path.startswith(place.path) and role == Role.BUILDING_LEADER:
            found[user.id] = user
    return sorted(found.values(), key=lambda u: (u.id != organiser.id, u.display_name, u.id))


# Registrations, invitations, sign-ins ---------------------------------------------------------


def registration_of(session: Session, meeting: Meeting, user: User | None) -> Registration | None:
    if user is None:
        return None
    return session.exec(select(Registration).where(col(Registration.meeting_id) == meeting.id,
                                                   col(Registration.user_id) == user.id)).first()


def registered_count(session: Session, meeting: Meeting) -> int:
    """Seats taken: counted by whoever holds the meeting's row lock, so that no two take the last one."""
    return session.exec(select(func.count()).select_from(Registration).where(
        col(Registration.meeting_id) == meeting.id, col(Registration.status) == RegistrationStatus.REGISTERED)).one()


def waiting_list(session: Session, meeting: Meeting) -> list[Registration]:
    return list(session.exec(
        select(Registration).where(col(Registration.meeting_id) == meeting.id,
                                   col(Registration.status) == RegistrationStatus.WAITING)
        .order_by(col(Registration.queued_at), col(Registration.id))
    ).all())


def waiting_position(session: Session, meeting: Meeting, registration: Registration | None) -> int | None:
    """Where on the waiting list this registration stands (1 is next), or None when it is not waiting."""
    if registration is None or registration.status != RegistrationStatus.WAITING:
        return None
    ahead = session.exec(select(func.count()).select_from(Registration).where(
        col(Registration.meeting_id) == meeting.id, col(Registration.status) == RegistrationStatus.WAITING,
        or_(col(Registration.queued_at) < registration.queued_at,
            (col(Registration.queued_at) == registration.queued_at) & (col(Registration.id) < registration.id)),
    )).one()
    return ahead + 1


@dataclass(frozen=True)
class Counts:
    registered: int
    waiting: int
    attended: int
    guests: int

    def seats_left(self, capacity: int | None) -> int | None:
        return None if capacity is None else max(0, capacity - self.registered)


def counts(session: Session, meeting: Meeting) -> Counts:
    by_status = dict(session.exec(
        select(Registration.status, func.count()).where(col(Registration.meeting_id) == meeting.id)
        .group_by(col(Registration.status))
    ).all())
    guest = case((col(Attendance.user_id).is_(None) & col(Attendance.member_id).is_(None), 1), else_=0)
    attended, guests = session.exec(
        select(func.count(), func.coalesce(func.sum(guest), 0)).where(col(Attendance.meeting_id) == meeting.id)
    ).one()
    return Counts(registered=by_status.get(RegistrationStatus.REGISTERED, 0),
                  waiting=by_status.get(RegistrationStatus.WAITING, 0), attended=attended, guests=int(guests))


def registrations(session: Session, meeting: Meeting) -> list[tuple[Registration, User]]:
    """Everyone registered or waiting, seats first, each list in order of registering."""
    rows = session.exec(
        select(Registration, User).join(User, col(User.id) == Registration.user_id)
        .where(col(Registration.meeting_id) == meeting.id, col(Registration.status) != RegistrationStatus.CANCELLED)
        .order_by(col(Registration.status), col(Registration.queued_at), col(Registration.id))
    ).all()
    return [(registration, user) for registration, user in rows]


def _homes_statement(place: Place) -> Select[int, Household]:
    """Verified homes within the place, with whose they are (as proposals' `home_households` reads them)."""
    return (
        select(col(ResidencyClaim.user_id), Household).join(Place, col(Place.id) == Household.building_id)
        .join(ResidencyClaim, col(ResidencyClaim.household_id) == Household.id)
        .where(col(ResidencyClaim.status) == ClaimStatus.APPROVED, col(Place.path).startswith(place.path))
        .order_by(col(Household.id))
    )


def homes_for(session: Session, user: User, place: Place) -> list[Household]:
    """The user's verified households within the place."""
    return [h for _u, h in session.exec(_homes_statement(place).where(col(ResidencyClaim.user_id) == user.id)).all()]


def homes_of(session: Session, user_ids: list[int], place: Place) -> dict[int, list[Household]]:
    """Each user's verified households within the place, in one query."""
    homes: dict[int, list[Household]] = {i: [] for i in user_ids}
    if user_ids:
        for user_id, household in session.exec(_homes_statement(place).where(
                col(ResidencyClaim.user_id).in_(user_ids))).all():
            homes[user_id].append(household)
    return homes


def invitees(session: Session, meeting: Meeting) -> list[User]:
    return list(session.exec(
        select(User).join(Invitation, col(Invitation.user_id) == User.id)
        .where(col(Invitation.meeting_id) == meeting.id).order_by(col(Invitation.id))
    ).all())


def attendance(session: Session, meeting: Meeting) -> list[Attendance]:
    return list(session.exec(
        select(Attendance).where(col(Attendance.meeting_id) == meeting.id)
        .order_by(col(Attendance.signed_in_at), col(Attendance.id))
    ).all())


def household_names(session: Session, ids: list[int]) -> dict[int, str]:
    """Each household named as people say it: building and room."""
    if not ids:
        return {}
    rows = session.exec(
        select(Household, Place).join(Place, col(Place.id) == Household.building_id).where(col(Household.id).in_(ids))
    ).all()
    return {h.id: f"{b.name} {h.number}" for h, b in rows}


# Finding people by name ------------------------------------------------------------------------


@dataclass(frozen=True)
class Search:
    """A search by name: what was typed, and whether it was long enough to look for and found more than shown."""

    q: str  # as typed, trimmed, to show back
    term: str  # what is looked for: "" when nothing is
    found: list[Any]
    more: bool  # more people match than are listed

    @property
    def too_short(self) -> bool:
        return bool(self.q) and not self.term


def _like(column: Any, term: str) -> ColumnElement[bool]:
    """The name contains the term as typed: `%`, `_` and the escape character match only themselves."""
    return col(column).contains(term, autoescape=True)


def _search(session: Session, raw: str, statement: Callable[[str], Any]) -> Search:
    q = raw.strip()[:rules.SEARCH_MAX]
    term = rules.search_term(q)
    if not term:
        return Search(q, "", [], False)
    rows = [tuple(row) for row in session.exec(statement(term).limit(rules.SEARCH_LIMIT + 1)).all()]
    return Search(q, term, rows[:rules.SEARCH_LIMIT], len(rows) > rules.SEARCH_LIMIT)


def residents_matching(session: Session, meeting: Meeting, place: Place, raw: str) -> Search:
    """Verified residents of the place with an account and not yet invited, found by name, with their home."""
    def statement(term: str) -> Any:
        invited = select(Invitation.user_id).where(col(Invitation.meeting_id) == meeting.id)
        return (
            select(User, Household, Place).join(ResidencyClaim, col(ResidencyClaim.user_id) == User.id)
            .join(Household, col(Household.id) == ResidencyClaim.household_id)
            .join(Place, col(Place.id) == Household.building_id)
            .where(col(ResidencyClaim.status) == ClaimStatus.APPROVED, col(Place.path).startswith(place.path),
                   col(User.id).notin_(invited), or_(_like(User.display_name, term), _like(ResidencyClaim.name, term)))
            .order_by(col(User.display_name), col(User.id))
        )
    return _search(session, raw, statement)


def members_matching(session: Session, place: Place, raw: str) -> Search:
    """People of the register living in the place, found by name, for signing in those who came unregistered."""
    def statement(term: str) -> Any:
        return (
            select(Member, Household, Place).join(Household, col(Household.id) == Member.household_id)
            .join(Place, col(Place.id) == Household.building_id)
            .where(col(Place.path).startswith(place.path), _like(Member.name, term))
            .order_by(col(Member.name), col(Member.id))
        )
    return _search(session, raw, statement)


# Minutes ---------------------------------------------------------------------------------------


def minutes_of(session: Session, meeting: Meeting) -> Minutes | None:
    return session.get(Minutes, meeting.id)


def minutes_published(session: Session, meeting: Meeting) -> bool:
    minutes = minutes_of(session, meeting)
    return minutes is not None and minutes.status == MinutesStatus.PUBLISHED


def change_refusal(session: Session, meeting: Meeting, now: datetime) -> str | None:
    """Why the meeting may no longer be edited or cancelled."""
    return rules.change_refusal(status=meeting.status, ends_at=meeting.ends_at, now=now,
                                minutes_published=minutes_published(session, meeting))


def published_minutes(session: Session, meeting_ids: list[int]) -> set[int]:
    if not meeting_ids:
        return set()
    return set(session.exec(select(Minutes.meeting_id).where(
        col(Minutes.meeting_id).in_(meeting_ids), col(Minutes.status) == MinutesStatus.PUBLISHED)).all())


def attendees_line(found: Counts) -> str:
    """A first line for the minutes' attendance, from the sign-in: the names stay with the staff."""
    return _("实到 %(n)s 人（其中来宾 %(guests)s 人）。", n=found.attended, guests=found.guests)


# Calendars and lists ---------------------------------------------------------------------------


def _places_clause(place: Place, within: bool) -> ColumnElement[bool]:
    """The place, the places that contain it, and with `within` the places inside it."""
    clause: ColumnElement[bool] = col(Meeting.place_id).in_(place.ancestor_ids)
    if within:
        clause = or_(clause, col(Place.path).startswith(place.path))
    return clause


def _meetings(place: Place, within: bool) -> Select[Meeting, Place]:
    return select(Meeting, Place).join(Place, col(Place.id) == Meeting.place_id).where(_places_clause(place, within))


def upcoming(session: Session, place: Place, now: datetime, *, within: bool = False) -> list[tuple[Meeting, Place]]:
    """Meetings not yet over, soonest first, cancelled ones included so that no one waits for them in vain."""
    rows = session.exec(_meetings(place, within).where(col(Meeting.ends_at) >= now)
                        .order_by(col(Meeting.starts_at), col(Meeting.id))).all()
    return [(meeting, where) for meeting, where in rows]


def past_statement(place: Place, now: datetime, *, within: bool = False) -> Select[Meeting, Place]:
    return (_meetings(place, within).where(col(Meeting.ends_at) < now)
            .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc()))


def feed(session: Session, place: Place, since: datetime, *, within: bool = False) -> list[tuple[Meeting, Place]]:
    rows = session.exec(_meetings(place, within).where(col(Meeting.ends_at) >= since)
                        .order_by(col(Meeting.starts_at), col(Meeting.id))).all()
    return [(meeting, where) for meeting, where in rows]


@dataclass(frozen=True)
class ProposalMeeting:
    """A meeting whose agenda holds a proposal, as the proposal's page lists it."""

    meeting: Meeting
    item: AgendaItem
    minutes_published: bool


def meetings_for_proposal(session: Session, proposal: Proposal) -> list[ProposalMeeting]:
    rows = session.exec(
        select(Meeting, AgendaItem).join(AgendaItem, col(AgendaItem.meeting_id) == Meeting.id)
        .where(col(AgendaItem.proposal_id) == proposal.id).order_by(col(Meeting.starts_at).desc())
    ).all()
    published = published_minutes(session, [m.id for m, _item in rows])
    return [ProposalMeeting(meeting, item, meeting.id in published) for meeting, item in rows]


# Pages -----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Labelled:
    """The names every meetings page shows things by, in the reader's language."""

    kind_labels: dict[str, str] = field(default_factory=rules.kind_labels)
    access_labels: dict[str, str] = field(default_factory=rules.access_labels)
    move_labels: dict[str, str] = field(default_factory=rules.move_labels)
    stage_labels: dict[Stage, str] = field(default_factory=stage_labels)


def summary(meeting: Meeting, place: Place, url: UrlFor) -> dict[str, Any]:
    return {
        "id": meeting.id, "title": meeting.title, "kind": meeting.kind, "status": meeting.status,
        "place": {"id": place.id, "name": place.name, "kind": place.kind},
        "starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "room": meeting.room or None,
        "online_url": meeting.online_url or None, "url": str(url("meetings:detail", id=meeting.id)),
        "ical": str(url("meetings:ical", id=meeting.id)),
    }


@dataclass(frozen=True)
class PlaceMeetings(Labelled):
    """A place's calendar: what is coming and, a page at a time, what was held."""

    place: Place
    trail: list[Place]  # the places containing it
    upcoming: list[tuple[Meeting, Place]]
    past: list[tuple[Meeting, Place]]
    page: Page[Any]
    published: set[int]  # meetings whose minutes are public
    within: bool  # the places inside it too
    can_manage: bool

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        return {
            "place": {"id": self.place.id, "name": self.place.name}, "includes_places_within": self.within,
            "upcoming": [summary(m, p, url) for m, p in self.upcoming],
            "past": [{**summary(m, p, url), "minutes_published": m.id in self.published} for m, p in self.past],
            "past_page": self.page.as_json(),
        }


def place_meetings(session: Session, place: Place, person: Person | None, now: datetime, *, within: bool,
                   number: int, size: int) -> PlaceMeetings:
    page = paginate(session, past_statement(place, now, within=within), number=number, size=size)
    past = [(meeting, where) for meeting, where in page.items]
    return PlaceMeetings(
        place=place, trail=places.ancestors(session, place), upcoming=upcoming(session, place, now, within=within),
        past=past, page=page, published=published_minutes(session, [m.id for m, _p in past]), within=within,
        can_manage=may(person, Act.MANAGE_MEETINGS, place),
    )


@dataclass(frozen=True)
class MyMeetings(Labelled):
    upcoming: list[tuple[Meeting, Place, Registration]]  # soonest first
    past: list[tuple[Meeting, Place, Registration]]  # latest first


def my_meetings(session: Session, user: User, now: datetime) -> MyMeetings:
    rows = session.exec(
        select(Meeting, Place, Registration).join(Registration, col(Registration.meeting_id) == Meeting.id)
        .join(Place, col(Place.id) == Meeting.place_id)
        .where(col(Registration.user_id) == user.id, col(Registration.status) != RegistrationStatus.CANCELLED)
        .order_by(col(Meeting.starts_at).desc()).limit(MINE_LIMIT)
    ).all()
    mine = [(meeting, place, registration) for meeting, place, registration in rows]
    return MyMeetings(upcoming=[r for r in mine if r[0].ends_at >= now][::-1],
                      past=[r for r in mine if r[0].ends_at < now])


@dataclass(frozen=True)
class MeetingForm(Labelled):
    """Scheduling a meeting (`meeting` None) or changing one."""

    place: Place
    trail: list[Place]
    meeting: Meeting | None
    chairs: list[User]
    candidates: list[Proposal]  # what the agenda may hold
    kinds: list[rules.Kind]
    agenda: list[AgendaItem] = field(default_factory=list)  # the meeting's, as it stands
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notice_days: dict[rules.Kind, int] = field(default_factory=lambda: dict(rules.NOTICE_DAYS))

    @property
    def chair_ids(self) -> set[int]:
        return {u.id for u in self.chairs if u.id is not None}

    @property
    def candidate_ids(self) -> set[int]:
        return {p.id for p in self.candidates}

    def filled(self, values: dict[str, Any], errors: dict[str, str] | None = None) -> MeetingForm:
        return replace(self, values=values, errors=errors or {})


def notice_periods_of(session: Session, place: Place) -> dict[rules.Kind, int]:
    """The notice each kind of meeting asks for at this place: its settings, or those of the places containing it."""
    return rules.notice_periods(settings.values(session, place, rules.SETTINGS))


def meeting_form(session: Session, place: Place, organiser: User, meeting: Meeting | None = None) -> MeetingForm:
    """The form; `organiser` heads the chairs offered (whoever schedules it, or whoever did)."""
    items = agenda_of(session, meeting) if meeting is not None else []
    return MeetingForm(
        place=place, trail=[*places.ancestors(session, place), place], meeting=meeting,
        chairs=chair_candidates(session, place, organiser), candidates=agenda_candidates(session, place, items),
        kinds=rules.kinds_for(place.kind), agenda=items, notice_days=notice_periods_of(session, place),
    )


def edit_form(session: Session, meeting: Meeting, place: Place, editor: User, now: datetime) -> MeetingForm:
    """The form to change a meeting, refused (409) once it may no longer change."""
    rules.refuse(change_refusal(session, meeting, now))
    organiser = session.get(User, meeting.organiser_id) if meeting.organiser_id else None
    return meeting_form(session, place, organiser or editor, meeting)


@dataclass(frozen=True)
class MeetingPage(Labelled):
    meeting: Meeting
    place: Place
    trail: list[Place]
    agenda: list[tuple[AgendaItem, Proposal | None]]
    counts: Counts
    notice: rules.Notice
    minutes: Minutes | None
    published: bool
    can: Can
    chair: User | None
    organiser: User | None
    registration: Registration | None  # the reader's own
    position: int | None  # on the waiting list
    refusal: tuple[int, str] | None  # why the reader may not register
    homes: list[Household]  # the reader's here, to say which they speak for
    started: bool
    ended: bool
    seats_left: int | None  # None: no limit

    def as_json(self, url: UrlFor) -> dict[str, Any]:
        m, notice = self.meeting, self.notice
        return {
            **summary(m, self.place, url), "description": m.description, "capacity": m.capacity, "access": m.access,
            "notice": {"required_days": notice.required_days, "given_days": notice.given_days, "met": notice.met,
                       "noticed_at": m.noticed_at, "urgent_reason": m.urgent_reason or None},
            "cancelled": {"at": m.cancelled_at, "reason": m.cancel_reason} if m.cancelled else None,
            "agenda": [{"title": item.title, "proposal_id": item.proposal_id} for item, _p in self.agenda],
            "counts": {"registered": self.counts.registered, "waiting": self.counts.waiting,
                       "attended": self.counts.attended},
            "minutes": str(url("meetings:minutes", id=m.id)) if self.published else None,
        }


def _user(session: Session, user_id: int | None) -> User | None:
    return session.get(User, user_id) if user_id is not None else None


def meeting_page(session: Session, meeting: Meeting, place: Place, person: Person | None, user: User | None,
                 now: datetime) -> MeetingPage:
    minutes = minutes_of(session, meeting)
    registration = registration_of(session, meeting, user)
    found = counts(session, meeting)
    return MeetingPage(
        meeting=meeting, place=place, trail=[*places.ancestors(session, place), place],
        agenda=agenda(session, meeting), counts=found,
        notice=rules.notice(meeting.kind, meeting.noticed_at, meeting.starts_at, meeting.notice_days), minutes=minutes,
        published=minutes is not None and minutes.status == MinutesStatus.PUBLISHED,
        can=can(person, meeting, place), chair=_user(session, meeting.chair_id),
        organiser=_user(session, meeting.organiser_id), registration=registration,
        position=waiting_position(session, meeting, registration),
        refusal=registration_refusal(session, meeting, place, person, now) if user else None,
        homes=homes_for(session, user, place) if user else [],
        started=now >= meeting.starts_at, ended=now >= meeting.ends_at, seats_left=found.seats_left(meeting.capacity),
    )


@dataclass(frozen=True)
class NoticePage(Labelled):
    """会议通知, to print for the bulletin board."""

    meeting: Meeting
    place: Place
    trail: list[Place]
    agenda: list[tuple[AgendaItem, Proposal | None]]
    notice: rules.Notice
    chair: User | None


def notice_page(session: Session, meeting: Meeting, place: Place) -> NoticePage:
    return NoticePage(meeting=meeting, place=place, trail=[*places.ancestors(session, place), place],
                      agenda=agenda(session, meeting),
                      notice=rules.notice(meeting.kind, meeting.noticed_at, meeting.starts_at, meeting.notice_days),
                      chair=_user(session, meeting.chair_id))


@dataclass(frozen=True)
class InviteesPage(Labelled):
    meeting: Meeting
    place: Place
    trail: list[Place]
    invited: list[User]
    search: Search  # residents not yet invited


def invitees_page(session: Session, meeting: Meeting, place: Place, query: str) -> InviteesPage:
    return InviteesPage(meeting=meeting, place=place, trail=[*places.ancestors(session, place), place],
                        invited=invitees(session, meeting), search=residents_matching(session, meeting, place, query))


@dataclass(frozen=True)
class SignInPage(Labelled):
    """The door: registrants to sign in, the register searched for those who came unregistered, who is here."""

    meeting: Meeting
    place: Place
    trail: list[Place]
    present: list[Attendance]
    registered: list[tuple[Registration, User]]
    homes: dict[int, list[Household]]  # each registrant's here
    households: dict[int, str]  # the households spoken for, named
    counts: Counts
    signed_users: set[int]  # accounts signed in
    signed_members: set[int]  # people of the register signed in
    search: Search  # people of the register
    refusal: str | None  # why no one can be signed in now


def sign_in_page(session: Session, meeting: Meeting, place: Place, query: str, now: datetime) -> SignInPage:
    present = attendance(session, meeting)
    registered = registrations(session, meeting)
    return SignInPage(
        meeting=meeting, place=place, trail=[*places.ancestors(session, place), place], present=present,
        registered=registered, homes=homes_of(session, [user.id for _r, user in registered], place),
        signed_users={a.user_id for a in present if a.user_id},
        signed_members={a.member_id for a in present if a.member_id},
        households=household_names(session, [a.household_id for a in present if a.household_id]),
        counts=counts(session, meeting), search=members_matching(session, place, query),
        refusal=rules.sign_in_refusal(status=meeting.status, starts_at=meeting.starts_at, now=now,
                                      minutes_published=minutes_published(session, meeting)),
    )


@dataclass(frozen=True)
class MinutesPage(Labelled):
    meeting: Meeting
    place: Place
    trail: list[Place]
    agenda: list[tuple[AgendaItem, Proposal | None]]
    chair: User | None
    minutes: Minutes
    counts: Counts
    can: Can
    approver: User | None


def minutes_page(session: Session, meeting: Meeting, place: Place, minutes: Minutes,
                 person: Person | None) -> MinutesPage:
    return MinutesPage(
        meeting=meeting, place=place, trail=[*places.ancestors(session, place), place],
        agenda=agenda(session, meeting), chair=_user(session, meeting.chair_id), minutes=minutes,
        counts=counts(session, meeting), can=can(person, meeting, place),
        approver=_user(session, minutes.approved_by_id),
    )


@dataclass(frozen=True)
class MinutesForm(Labelled):
    """Drafting the minutes: what was said and decided on each item, and what a decision does to its proposal."""

    meeting: Meeting
    place: Place
    trail: list[Place]
    agenda: list[tuple[AgendaItem, Proposal | None]]
    chair: User | None
    minutes: Minutes | None
    values: dict[str, str]
    typed: dict[int, Any] = field(default_factory=dict)  # the items' records as typed, sent back to be fixed
    errors: dict[str, str] = field(default_factory=dict)

    def again(self, values: dict[str, str], typed: dict[int, Any], error: str) -> MinutesForm:
        return replace(self, values=values, typed=typed, errors={"minutes": error})


def minutes_form(session: Session, meeting: Meeting, place: Place, now: datetime) -> MinutesForm:
    """The draft as it stands (or a first one), refused (409) before the meeting or once published."""
    minutes = minutes_of(session, meeting)
    rules.refuse(rules.minutes_refusal(status=meeting.status, starts_at=meeting.starts_at, now=now,
                                       published=minutes is not None and minutes.status == MinutesStatus.PUBLISHED))
    values = ({"attendees": minutes.attendees, "summary": minutes.summary} if minutes
              else {"attendees": attendees_line(counts(session, meeting)), "summary": ""})
    return MinutesForm(meeting=meeting, place=place, trail=[*places.ancestors(session, place), place],
                       agenda=agenda(session, meeting), chair=_user(session, meeting.chair_id), minutes=minutes,
                       values=values)


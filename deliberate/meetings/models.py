"""Consultation meetings (协商议事会): agenda, invitees, registrations, sign-in at the door, and minutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from deliberate.clock import utcnow
from deliberate.db import UTCDateTime, fk


def _created() -> Column[datetime]:
    return Column(UTCDateTime, nullable=False)


def _text() -> Column[str]:
    return Column(Text, nullable=False, default="")


class MeetingStatus:
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Access:
    """Who may register and attend."""

    OPEN = "open"  # anyone with an account
    RESIDENTS = "residents"  # verified residents of the meeting's place
    INVITED = "invited"  # the invitees only

    ALL = (OPEN, RESIDENTS, INVITED)


class Meeting(SQLModel, table=True):
    __table_args__ = (Index("ix_meeting_place_starts", "place_id", "starts_at"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    place_id: int = Field(sa_column=fk("place.id", ondelete="RESTRICT", index=False))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    description: str = Field(default="", sa_column=_text())
    starts_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    ends_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    room: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    online_url: str = Field(default="", sa_column=Column(String(500), nullable=False, default=""))
    capacity: int | None = Field(default=None, sa_column=Column(Integer))  # None: no limit
    access: str = Field(default=Access.RESIDENTS, sa_column=Column(String(12), nullable=False))
    chair_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True))
    organiser_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True))
    status: str = Field(default=MeetingStatus.SCHEDULED, sa_column=Column(String(12), nullable=False))
    # When the current time was announced, and the notice the kind asked for then: kept so that the page
    # says whether the notice was met even after the rules change.
    noticed_at: datetime = Field(sa_column=_created())
    notice_days: int = Field(sa_column=Column(Integer, nullable=False))
    urgent_reason: str = Field(default="", sa_column=_text())  # set when held at shorter notice
    sequence: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))  # iCal SEQUENCE
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    cancel_reason: str = Field(default="", sa_column=_text())
    cancelled_by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True,
                                                                   index=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())

    @property
    def cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED


class ItemMove:
    """What a decision on a proposal's agenda item does to the proposal when the minutes are published."""

    NONE = ""
    ACCEPT = "accept"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    PUBLISH_PLAN = "publish_plan"

    ALL = (NONE, ACCEPT, REQUEST_CHANGES, REJECT, PUBLISH_PLAN)


class AgendaItem(SQLModel, table=True):
    """One item of the agenda: free text, or a proposal. The minutes say what was said and decided on it."""

    __tablename__ = "meeting_agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "proposal_id", name="uq_agenda_proposal"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    meeting_id: int = Field(sa_column=fk("meeting.id"))
    position: int = Field(sa_column=Column(Integer, nullable=False))
    title: str = Field(sa_column=Column(String(200), nullable=False))
    proposal_id: int | None = Field(default=None, sa_column=fk("proposal.id", ondelete="SET NULL", nullable=True))
    discussion: str = Field(default="", sa_column=_text())
    decision: str = Field(default="", sa_column=_text())
    move: str = Field(default=ItemMove.NONE, sa_column=Column(String(20), nullable=False, default=""))
    # The proposal's timeline event the decision made, once the minutes are published.
    event_id: int | None = Field(default=None, sa_column=fk("proposal_event.id", ondelete="SET NULL",
                                                            nullable=True, index=False))


class Invitation(SQLModel, table=True):
    __tablename__ = "meeting_invitation"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_invitation_user"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    meeting_id: int = Field(sa_column=fk("meeting.id", index=False))
    user_id: int = Field(sa_column=fk("user.id"))
    invited_by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True,
                                                                 index=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class RegistrationStatus:
    REGISTERED = "registered"
    WAITING = "waiting"  # past capacity: promoted in order as places free up
    CANCELLED = "cancelled"


class Registration(SQLModel, table=True):
    """One person's registration; one row per person and meeting, reused when they register again."""

    __tablename__ = "meeting_registration"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id", name="uq_registration_user"),
        Index("ix_registration_meeting_status", "meeting_id", "status", "queued_at"),
    )

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    meeting_id: int = Field(sa_column=fk("meeting.id", index=False))
    user_id: int = Field(sa_column=fk("user.id"))
    household_id: int | None = Field(default=None, sa_column=fk("household.id", ondelete="SET NULL",
                                                                nullable=True, index=False))
    status: str = Field(sa_column=Column(String(12), nullable=False))
    queued_at: datetime = Field(sa_column=_created())  # when they (last) registered: the waiting list's order
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class Attendance(SQLModel, table=True):
    """Someone signed in at the door: an account, a person of the register, or a guest by name."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id", name="uq_attendance_user"),
        UniqueConstraint("meeting_id", "member_id", name="uq_attendance_member"),
    )

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    meeting_id: int = Field(sa_column=fk("meeting.id", index=False))
    user_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True))
    member_id: int | None = Field(default=None, sa_column=fk("member.id", ondelete="SET NULL", nullable=True))
    household_id: int | None = Field(default=None, sa_column=fk("household.id", ondelete="SET NULL",
                                                                nullable=True, index=False))
    name: str = Field(sa_column=Column(String(50), nullable=False))
    walk_in: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    signed_in_by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True,
                                                                   index=False))
    signed_in_at: datetime = Field(default_factory=utcnow, sa_column=_created())

    @property
    def guest(self) -> bool:
        return self.user_id is None and self.member_id is None


class MinutesStatus:
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for the chair
    PUBLISHED = "published"


class Minutes(SQLModel, table=True):
    """会议纪要: drafted by the organiser or staff, public once the chair approves it. The per-item
    record (what was said, what was decided) lives on the agenda items."""

    __tablename__ = "meeting_minutes"

    meeting_id: int = Field(sa_column=Column(Integer, ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True))
    status: str = Field(default=MinutesStatus.DRAFT, sa_column=Column(String(12), nullable=False))
    attendees: str = Field(default="", sa_column=_text())  # who attended, as the minutes publish it
    summary: str = Field(default="", sa_column=_text())
    return_note: str = Field(default="", sa_column=_text())  # the chair's, when sent back
    drafted_by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True,
                                                                 index=False))
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    approved_by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True,
                                                                  index=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())

"""Proposals and their record: co-signs, followers, events, plans with versions, works, supervision, ratings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from deliberate.clock import utcnow
from deliberate.db import UTCDateTime, fk


def _created() -> Column[Any]:
    return Column(UTCDateTime, nullable=False)


class Proposal(SQLModel, table=True):
    __table_args__ = (
        Index("ix_proposal_place_created", "place_id", "created_at", "id"),
        Index("ix_proposal_place_cosigns", "place_id", "cosign_count", "id"),
        Index("ix_proposal_place_stage", "place_id", "stage"),  # the tracking page's sections
    )

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    place_id: int = Field(sa_column=fk("place.id", ondelete="RESTRICT", index=False))
    author_id: int = Field(sa_column=fk("user.id", ondelete="RESTRICT"))
    title: str = Field(sa_column=Column(String(120), nullable=False))
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # Markdown source
    category: str = Field(sa_column=Column(String(20), nullable=False, index=True))
    stage: str = Field(sa_column=Column(String(20), nullable=False, index=True))
    cosign_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    cosigners_needed: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    merged_into_id: int | None = Field(default=None, sa_column=fk("proposal.id", ondelete="SET NULL", nullable=True))
    # Deadlines of the current stage, kept so that lists and the tracking page can sort and filter by them.
    submitted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    review_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    rating_ends_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    plan_due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))  # plans to be published by
    stage_changed_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # The published satisfaction rate at closing, as a percentage ("87.50"); empty until closed.
    satisfaction: str = Field(default="", sa_column=Column(String(8), nullable=False, default=""))
    # Responsible for the works, shown to everyone once a plan is approved.
    responsible: str = Field(default="", sa_column=Column(String(100), nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class Cosign(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="uq_cosign_user"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    proposal_id: int = Field(sa_column=fk("proposal.id"))
    user_id: int = Field(sa_column=fk("user.id"))
    household_id: int | None = Field(default=None, sa_column=fk("household.id", ondelete="SET NULL", nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class Follow(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="uq_follow_user"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    proposal_id: int = Field(sa_column=fk("proposal.id"))
    user_id: int = Field(sa_column=fk("user.id"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class ProposalEvent(SQLModel, table=True):
    """One step on a proposal's timeline: who did what, when, from which stage to which, and why."""

    __tablename__ = "proposal_event"

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    proposal_id: int = Field(sa_column=fk("proposal.id"))
    actor_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True))
    action: str = Field(sa_column=Column(String(24), nullable=False))
    from_stage: str = Field(sa_column=Column(String(20), nullable=False))
    to_stage: str = Field(sa_column=Column(String(20), nullable=False))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # What the event is about beyond the proposal: ("plan", 3), ("vote", 7), ("milestone", 2), …
    subject_kind: str = Field(default="", sa_column=Column(String(20), nullable=False, default=""))
    subject_id: int | None = Field(default=None, sa_column=Column(Integer))
    at: datetime = Field(default_factory=utcnow, sa_column=_created())


class NotificationKind:
    EVENT = "event"  # a step of a followed proposal (event_id)
    REPLY = "reply"  # an answer in a conversation one took part in (comment_id)
    COMMENT = "comment"  # a new comment on a followed proposal or its plans (comment_id)
    HIDDEN = "hidden"  # one's own comment was hidden by staff (comment_id)
    VOTE_WITHDRAWN = "withdrawn"  # a vote one was on the roll of was withdrawn (vote_id)
    VOTE = "vote"  # a vote one may cast has opened (vote_id)
    MEETING = "meeting"  # a meeting was called where one lives, or one was invited to it (meeting_id)


class Notification(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    user_id: int = Field(sa_column=fk("user.id"))
    kind: str = Field(default=NotificationKind.EVENT,
                      sa_column=Column(String(10), nullable=False, default=NotificationKind.EVENT))
    proposal_id: int | None = Field(default=None, sa_column=fk("proposal.id", nullable=True))
    event_id: int | None = Field(default=None, sa_column=fk("proposal_event.id", nullable=True))
    comment_id: int | None = Field(default=None, sa_column=fk("comment.id", nullable=True))
    vote_id: int | None = Field(default=None, sa_column=fk("vote.id", ondelete="CASCADE", nullable=True))
    meeting_id: int | None = Field(default=None, sa_column=fk("meeting.id", nullable=True))
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # Set when the mail sender has dealt with it (sent, or passed over); NULL means still to do.
    emailed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class Photo(SQLModel, table=True):
    """An uploaded picture or scanned document, kept in the database so that every server process sees it."""

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    proposal_id: int = Field(sa_column=fk("proposal.id"))
    # What it illustrates: "proposal", "progress", "cost", "inspection", "acceptance".
    owner_kind: str = Field(sa_column=Column(String(12), nullable=False))
    owner_id: int | None = Field(default=None, sa_column=Column(Integer))
    content_type: str = Field(sa_column=Column(String(40), nullable=False))
    size: int = Field(sa_column=Column(Integer, nullable=False))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    uploaded_by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class PlanStatus:
    DRAFT = "draft"
    DISCLOSED = "disclosed"  # 公示中 or 公示期满
    APPROVED = "approved"
    REJECTED = "rejected"

    ALL = (DRAFT, DISCLOSED, APPROVED, REJECTED)


class Plan(SQLModel, table=True):
    """An alternative plan for an accepted proposal; its text lives in versions, the newest is current."""

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    proposal_id: int = Field(sa_column=fk("proposal.id"))
    status: str = Field(default=PlanStatus.DRAFT, sa_column=Column(String(12), nullable=False))
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    disclosure_starts_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    disclosure_ends_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    vote_id: int | None = Field(default=None, sa_column=fk("vote.id", ondelete="SET NULL", nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class PlanVersion(SQLModel, table=True):
    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_version"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    plan_id: int = Field(sa_column=fk("plan.id", index=False))
    number: int = Field(sa_column=Column(Integer, nullable=False))
    title: str = Field(sa_column=Column(String(120), nullable=False))
    description: str = Field(sa_column=Column(Text, nullable=False))  # what will be done, Markdown
    responsible: str = Field(sa_column=Column(String(100), nullable=False))
    schedule: str = Field(default="", sa_column=Column(String(500), nullable=False, default=""))
    # Cost lines as JSON: [{"item": "…", "amount_centi": 123400}, …]
    cost_lines: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    # Funding split (三三制), in fen: residents' own share, sponsoring units, government.
    residents_centi: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    units_centi: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    government_centi: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    edited_by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True))
    note: str = Field(default="", sa_column=Column(String(300), nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class Milestone(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    proposal_id: int = Field(sa_column=fk("proposal.id"))
    title: str = Field(sa_column=Column(String(120), nullable=False))
    responsible: str = Field(default="", sa_column=Column(String(100), nullable=False, default=""))
    due_on: date = Field(sa_column=Column(Date, nullable=False, index=True))
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class ProgressUpdate(SQLModel, table=True):
    __tablename__ = "progress_update"
    __table_args__ = (CheckConstraint("percent BETWEEN 0 AND 100", name="ck_progress_percent"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    proposal_id: int = Field(sa_column=fk("proposal.id"))
    milestone_id: int | None = Field(default=None, sa_column=fk("milestone.id", ondelete="SET NULL", nullable=True))
    text: str = Field(sa_column=Column(Text, nullable=False))
    percent: int = Field(sa_column=Column(Integer, nullable=False))
    by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class CostItem(SQLModel, table=True):
    """Money spent, disclosed with its document (invoice, bid, receipt) as a photo."""

    __tablename__ = "cost_item"
    __table_args__ = (CheckConstraint("amount_centi >= 0", name="ck_cost_amount"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    proposal_id: int = Field(sa_column=fk("proposal.id"))
    description: str = Field(sa_column=Column(String(200), nullable=False))
    amount_centi: int = Field(sa_column=Column(Integer, nullable=False))
    payee: str = Field(default="", sa_column=Column(String(100), nullable=False, default=""))
    document_id: int | None = Field(default=None, sa_column=fk("photo.id", ondelete="SET NULL", nullable=True))
    by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class InspectionKind:
    INSPECTION = "inspection"  # a supervisor's report during the works
    ACCEPTANCE_PASSED = "acceptance_passed"  # 验收通过
    ACCEPTANCE_FAILED = "acceptance_failed"  # 验收不通过, with findings

    ALL = (INSPECTION, ACCEPTANCE_PASSED, ACCEPTANCE_FAILED)


class Inspection(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    proposal_id: int = Field(sa_column=fk("proposal.id"))
    kind: str = Field(sa_column=Column(String(20), nullable=False))
    findings: str = Field(sa_column=Column(Text, nullable=False))
    by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class ProposalRating(SQLModel, table=True):
    __tablename__ = "proposal_rating"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id", name="uq_rating_user"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    proposal_id: int = Field(sa_column=fk("proposal.id"))
    user_id: int = Field(sa_column=fk("user.id"))
    rating: str = Field(sa_column=Column(String(20), nullable=False))
    comment: str = Field(default="", sa_column=Column(String(500), nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_created())

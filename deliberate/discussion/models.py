"""Threads of comments on proposals, plans and votes, the helpful marks, reports, and the moderation log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from deliberate.clock import utcnow
from deliberate.db import UTCDateTime, fk


def _at(nullable: bool = False) -> Column[Any]:
    return Column(UTCDateTime, nullable=nullable)


class Stance:
    FOR = "for"
    AGAINST = "against"
    NEUTRAL = "neutral"
    ALL = (FOR, AGAINST, NEUTRAL)


class Comment(SQLModel, table=True):
    """One comment in the thread of a subject ("proposal", or "vote" for a vote on no proposal, with its id).

    A proposal's plans and the vote on them have no threads of their own: one matter, one conversation. A
    comment written from a plan's or the vote's page is in the proposal's thread, labelled with what it is
    about (`about_kind` "plan" or "vote", `about_id`); an answer carries the label of the comment it answers.

    `parent_id` places it in the tree (at most MAX_DEPTH deep); `reply_to_id` is the comment it answers,
    which differs from the parent only when the answer had to be placed one level up."""

    __table_args__ = (Index("ix_comment_subject", "subject_kind", "subject_id", "id"),
                      Index("ix_comment_about", "about_kind", "about_id"))

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    subject_kind: str = Field(sa_column=Column(String(12), nullable=False))
    subject_id: int = Field(sa_column=Column(Integer, nullable=False))
    about_kind: str = Field(default="", sa_column=Column(String(12), nullable=False, default=""))
    about_id: int | None = Field(default=None, sa_column=Column(Integer))
    place_id: int = Field(sa_column=fk("place.id"))
    parent_id: int | None = Field(default=None, sa_column=fk("comment.id", nullable=True))
    reply_to_id: int | None = Field(default=None, sa_column=fk("comment.id", ondelete="SET NULL", nullable=True,
                                                               index=False))
    depth: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    author_id: int = Field(sa_column=fk("user.id"))
    body: str = Field(sa_column=Column(Text, nullable=False))
    stance: str = Field(default="", sa_column=Column(String(8), nullable=False, default=""))
    helpful_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True))
    edited_at: datetime | None = Field(default=None, sa_column=_at(nullable=True))
    deleted_at: datetime | None = Field(default=None, sa_column=_at(nullable=True))
    hidden_at: datetime | None = Field(default=None, sa_column=_at(nullable=True))
    hidden_by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True,
                                                                index=False))
    hidden_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Helpful(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("comment_id", "user_id", name="uq_helpful"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    comment_id: int = Field(sa_column=fk("comment.id"))
    user_id: int = Field(sa_column=fk("user.id"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at())


class ReportStatus:
    OPEN = "open"
    HIDDEN = "hidden"  # the comment was hidden
    DISMISSED = "dismissed"


class CommentReport(SQLModel, table=True):
    """A person's report of a comment; staff of the place hide the comment or dismiss the report."""

    __tablename__ = "comment_report"
    __table_args__ = (UniqueConstraint("comment_id", "reporter_id", name="uq_comment_report"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    comment_id: int = Field(sa_column=fk("comment.id"))
    place_id: int = Field(sa_column=fk("place.id"))
    reporter_id: int = Field(sa_column=fk("user.id"))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default=ReportStatus.OPEN, sa_column=Column(String(10), nullable=False, index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_at())
    resolved_at: datetime | None = Field(default=None, sa_column=_at(nullable=True))
    resolved_by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True,
                                                                  index=False))


class ModerationEntry(SQLModel, table=True):
    """The moderation log: every report, hiding, restoring and dismissal, who did it and why."""

    __tablename__ = "moderation_entry"

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    comment_id: int = Field(sa_column=fk("comment.id"))
    place_id: int = Field(sa_column=fk("place.id"))
    actor_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True))
    action: str = Field(sa_column=Column(String(12), nullable=False))  # report, hide, restore, dismiss
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    at: datetime = Field(default_factory=utcnow, sa_column=_at())


class DiscussionRules(SQLModel, table=True):
    """A place's blocked words, one per line; they apply to the place and everything inside it."""

    __tablename__ = "discussion_rules"

    place_id: int = Field(sa_column=Column(Integer, ForeignKey("place.id", ondelete="CASCADE"), primary_key=True))
    blocked_words: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_at())
    updated_by_id: int | None = Field(default=None, sa_column=fk("user.id", ondelete="SET NULL", nullable=True,
                                                                 index=False))

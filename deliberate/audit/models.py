"""The audit log: one row for every change of a proposal's stage or a vote's status, never changed after."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from deliberate.clock import utcnow
from deliberate.db import UTCDateTime


class AuditEntry(SQLModel, table=True):
    """Who moved what from which state to which, when, in which place. The database refuses to update a row
    (a trigger, migration 0009); the site has no page that edits or deletes one."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_place_at", "place_id", "id"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    place_id: int = Field(sa_column=Column(Integer, ForeignKey("place.id", ondelete="RESTRICT"), nullable=False))
    subject_kind: str = Field(sa_column=Column(String(12), nullable=False))  # "proposal" or "vote"
    subject_id: int = Field(sa_column=Column(Integer, nullable=False))
    before: str = Field(default="", sa_column=Column(String(24), nullable=False, default=""))  # "" when created
    after: str = Field(sa_column=Column(String(24), nullable=False))
    # The account that made the request; none for the clock (a vote opened or closed at its time).
    actor_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))

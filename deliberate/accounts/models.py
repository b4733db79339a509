"""People who log in, their sessions, their roles and their claims on a household."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from deliberate.clock import utcnow
from deliberate.db import UTCDateTime


class User(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    username: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    display_name: str = Field(sa_column=Column(String(50), nullable=False))
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    locale: str | None = Field(default=None, sa_column=Column(String(10)))
    email: str | None = Field(default=None, sa_column=Column(String(254)))
    email_notifications: bool = Field(default=True, nullable=False)
    is_active: bool = Field(default=True, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class WebSession(SQLModel, table=True):
    """A login. The cookie holds a random token; only its SHA-256 is stored here, beside the account and the times.
    Nothing else about the browser is kept: no messages, no form tokens (see deliberate/web/sessions.py)."""

    __tablename__ = "web_session"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), index=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    last_seen_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True)
    )


class LoginFailure(SQLModel, table=True):
    """One failed login, keyed by account ("user:name") or by address ("addr:1.2.3.4")."""

    __tablename__ = "login_failure"

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    key: str = Field(sa_column=Column(String(120), nullable=False, index=True))
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False, index=True))


class Role:
    STAFF = "staff"
    COUNCIL = "council"
    BUILDING_LEADER = "building_leader"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    ALL = (STAFF, COUNCIL, BUILDING_LEADER, SUPERVISOR, ADMIN)


class RoleGrant(SQLModel, table=True):
    """A role held on one place: roles are never global."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("user_id", "role", "place_id", name="uq_role_grant"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    role: str = Field(sa_column=Column(String(20), nullable=False))
    place_id: int = Field(
        sa_column=Column(Integer, ForeignKey("place.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    granted_by_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class ClaimStatus:
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"  # the member was removed from the register


class ResidencyClaim(SQLModel, table=True):
    """An account's claim to live in a household, decided by staff of its community."""

    __tablename__ = "residency_claim"

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    household_id: int = Field(
        sa_column=Column(Integer, ForeignKey("household.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(sa_column=Column(String(50), nullable=False))
    birth_year: int = Field(sa_column=Column(Integer, nullable=False))
    note: str = Field(default="", sa_column=Column(String(500), nullable=False, default=""))
    status: str = Field(
        default=ClaimStatus.PENDING, sa_column=Column(String(16), nullable=False, index=True)
    )
    reason: str = Field(default="", sa_column=Column(String(500), nullable=False, default=""))
    member_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("member.id", ondelete="SET NULL"))
    )
    decided_by_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    )
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # What the register said when staff decided (accounts.rules.RegisterMatch), and whether the staff who approved
    # a claim the register does not bear out confirmed that they approve it all the same.
    register_match: str = Field(default="", sa_column=Column(String(16), nullable=False, default=""))
    mismatch_confirmed: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))

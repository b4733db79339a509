"""Votes, their frozen rolls, and ballots: open ones tied to the roll, secret ones not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from deliberate.clock import utcnow
from deliberate.db import UTCDateTime


class VoteStatus:
    DRAFT = "draft"  # being prepared; no roll yet
    OPEN = "open"  # roll frozen, ballots accepted until closes_at
    CLOSED = "closed"  # counted, waiting for the council to certify
    CERTIFIED = "certified"  # published as a notice
    WITHDRAWN = "withdrawn"  # called off before its result was certified, with a reason; ballots not counted

    ALL = (DRAFT, OPEN, CLOSED, CERTIFIED, WITHDRAWN)
    DECIDING = (DRAFT, OPEN, CLOSED)  # while the vote is in one of these, it alone decides its matter


class ElectorateKind:
    ADULTS = "adults"  # every resident aged 18+
    HOUSEHOLDS = "households"  # one vote per household (户代表)
    OWNERS = "owners"  # owners, by head and by area, counted as the court's interpretation says
    COUNCIL = "council"  # the members of this place's council
    REPRESENTATIVES = "representatives"  # resident representatives: the building leaders within

    ALL = (ADULTS, HOUSEHOLDS, OWNERS, COUNCIL, REPRESENTATIVES)


class Channel:
    ONLINE = "online"
    PAPER = "paper"


class Vote(SQLModel, table=True):
    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    place_id: int = Field(
        sa_column=Column(Integer, ForeignKey("place.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    title: str = Field(sa_column=Column(String(200), nullable=False))
    question: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    form: str = Field(sa_column=Column(String(16), nullable=False))
    rule: str = Field(sa_column=Column(String(24), nullable=False))
    electorate: str = Field(sa_column=Column(String(20), nullable=False))
    secret: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    results_while_open: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    # The place's rule when the vote was created (规则设置), kept: owners who do not vote join the majority.
    non_voters_with_majority: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False,
                                                                           server_default="0"))
    status: str = Field(default=VoteStatus.DRAFT, sa_column=Column(String(12), nullable=False, index=True))
    # What is being decided, for votes on a plan of the proposal loop ("plan", id); empty otherwise.
    subject_kind: str = Field(default="", sa_column=Column(String(20), nullable=False, default=""))
    subject_id: int | None = Field(default=None, sa_column=Column(Integer))
    opens_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    closes_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    certified_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    certified_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    created_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    # The heads on the roll and the heads who voted, kept when the vote closes (the statistics sum these).
    roll_heads: int | None = Field(default=None, sa_column=Column(Integer))
    voted_heads: int | None = Field(default=None, sa_column=Column(Integer))
    # The certified result as published (the tally's JSON), so the notice never changes afterwards.
    result_json: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    withdrawn_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    withdrawal_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class VoteOption(SQLModel, table=True):
    __tablename__ = "vote_option"
    __table_args__ = (UniqueConstraint("vote_id", "position", name="uq_vote_option_position"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    vote_id: int = Field(
        sa_column=Column(Integer, ForeignKey("vote.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    position: int = Field(sa_column=Column(Integer, nullable=False))
    label: str = Field(sa_column=Column(String(200), nullable=False))


class RollEntry(SQLModel, table=True):
    """One voter on a vote's roll, drawn when the vote opened and never changed afterwards
    (but for recording that this voter has voted)."""

    __tablename__ = "roll_entry"
    __table_args__ = (
        UniqueConstraint("vote_id", "voter_key", name="uq_roll_voter"),
        CheckConstraint("heads >= 1", name="ck_roll_heads"),
        CheckConstraint("area_centi >= 0", name="ck_roll_area"),
    )

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    vote_id: int = Field(
        sa_column=Column(Integer, ForeignKey("vote.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    voter_key: str = Field(sa_column=Column(String(120), nullable=False))
    label: str = Field(sa_column=Column(String(300), nullable=False))
    # Who may cast this voter's ballot online: an account, or any verified member of a household.
    user_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id"), index=True))
    household_ids: str = Field(default="", sa_column=Column(String(2000), nullable=False, default=""))
    owner_name: str = Field(default="", sa_column=Column(String(100), nullable=False, default=""))
    heads: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    area_centi: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    has_voted: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, default=False))
    channel: str | None = Field(default=None, sa_column=Column(String(8)))
    entered_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))


class Ballot(SQLModel, table=True):
    """An open ballot: who chose what. One per roll entry, enforced by the database."""

    __table_args__ = (UniqueConstraint("roll_entry_id", name="uq_ballot_roll_entry"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    vote_id: int = Field(
        sa_column=Column(Integer, ForeignKey("vote.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    roll_entry_id: int = Field(
        sa_column=Column(Integer, ForeignKey("roll_entry.id", ondelete="CASCADE"), nullable=False)
    )
    choice: str = Field(sa_column=Column(Text, nullable=False))  # JSON: "yes", "A", ["A", "B"], null
    channel: str = Field(sa_column=Column(String(8), nullable=False))
    paper_serial: str = Field(default="", sa_column=Column(String(40), nullable=False, default=""))
    entered_by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    cast_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    changes: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))


class SecretBallot(SQLModel, table=True):
    """A secret ballot as published: what was chosen and with what weight, found only by its receipt.
    Nothing here names the voter, the roll entry, the household or the time it was cast. Ballots reach
    this table only through the urn's mixing (`voting.urn`), in shuffled batches; the key is the random
    receipt and the table has no rowid (on SQLite), so that not even the order of rows follows the order
    of voting."""

    __tablename__ = "secret_ballot"
    __table_args__ = {"sqlite_with_rowid": False}

    receipt: str = Field(sa_column=Column(String(24), primary_key=True))
    vote_id: int = Field(
        sa_column=Column(Integer, ForeignKey("vote.id", ondelete="CASCADE"), nullable=False, primary_key=True)
    )
    choice: str = Field(sa_column=Column(Text, nullable=False))
    heads: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    area_centi: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    paper_serial: str = Field(default="", sa_column=Column(String(40), nullable=False, default=""))


class SealedBallot(SQLModel, table=True):
    """A secret ballot in the urn: cast (so counted, whatever happens next) but sealed, waiting to be mixed
    with others before it is published. The row is written in the same transaction that marks the voter
    on the roll, so it carries nothing readable: its key is random and its content is encrypted with a key
    that is not in the database (`voting.urn`)."""

    __tablename__ = "sealed_ballot"
    __table_args__ = {"sqlite_with_rowid": False}

    token: str = Field(sa_column=Column(String(32), primary_key=True))
    vote_id: int = Field(
        sa_column=Column(Integer, ForeignKey("vote.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class PaperSerial(SQLModel, table=True):
    """The serials of the paper ballots entered for a vote, one of each: the database refuses a second.
    A serial is kept as a keyed digest (the urn's key, which is not in the database), so that for a secret vote
    the row written beside the voter's mark on the roll cannot be matched with the serial the published ballot
    carries. No rowid, no time: nothing here keeps the order of entry either."""

    __tablename__ = "paper_serial"
    __table_args__ = {"sqlite_with_rowid": False}

    vote_id: int = Field(
        sa_column=Column(Integer, ForeignKey("vote.id", ondelete="CASCADE"), nullable=False, primary_key=True)
    )
    digest: str = Field(sa_column=Column(String(64), primary_key=True))


class PaperCorrection(SQLModel, table=True):
    """A paper ballot voided and entered again before the close: who, when, why, and what changed. For a secret
    vote only the serials are kept, never the voter or the choice."""

    __tablename__ = "paper_correction"

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    vote_id: int = Field(
        sa_column=Column(Integer, ForeignKey("vote.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    by_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("user.id")))
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    old_serial: str = Field(default="", sa_column=Column(String(40), nullable=False, default=""))
    new_serial: str = Field(default="", sa_column=Column(String(40), nullable=False, default=""))
    # Open votes only: whose ballot it was and is, and what it said and says.
    old_voter: str = Field(default="", sa_column=Column(String(300), nullable=False, default=""))
    new_voter: str = Field(default="", sa_column=Column(String(300), nullable=False, default=""))
    old_choice: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    new_choice: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))

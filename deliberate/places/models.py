"""Community ⊃ compound ⊃ building ⊃ household, with the people of each household."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, ForeignKey, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from deliberate.clock import utcnow
from deliberate.db import UTCDateTime


class PlaceKind:
    COMMUNITY = "community"
    COMPOUND = "compound"
    BUILDING = "building"

    ALL = (COMMUNITY, COMPOUND, BUILDING)
    CHILD = {COMMUNITY: COMPOUND, COMPOUND: BUILDING}


class Place(SQLModel, table=True):
    """A community, compound or building. `path` ("/1/5/23/") lists the ids from the root."""

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    kind: str = Field(sa_column=Column(String(16), nullable=False, index=True))
    parent_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("place.id"), index=True),
    )
    path: str = Field(default="", sa_column=Column(String(255), nullable=False, index=True))
    name: str = Field(sa_column=Column(String(100), nullable=False))
    address: str = Field(default="", sa_column=Column(String(200), nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(String(2000), nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root community down to and including this place."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @property
    def community_id(self) -> int:
        return self.ancestor_ids[0]

    def contains(self, other: Place) -> bool:
        return other.path.startswith(self.path)


class Household(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("building_id", "number", name="uq_household_number"),)

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    building_id: int = Field(
        sa_column=Column(Integer, ForeignKey("place.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    number: str = Field(sa_column=Column(String(50), nullable=False))
    # Exclusive floor area (专有部分面积) in hundredths of a square metre: exact on every database.
    area_centi: int = Field(default=0, sa_column=Column(Integer, nullable=False, default=0))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))

    @property
    def area(self) -> Decimal:
        return Decimal(self.area_centi) / 100


class Member(SQLModel, table=True):
    """A person living in a household; birth year decides the 18+ rule."""

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    household_id: int = Field(
        sa_column=Column(Integer, ForeignKey("household.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(sa_column=Column(String(50), nullable=False))
    birth_year: int = Field(sa_column=Column(Integer, nullable=False))
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )


class Owner(SQLModel, table=True):
    """An owner of a household's unit; the developer's unsold units are marked as such."""

    id: int = Field(default=None, primary_key=True)  # set by the database when the row is flushed
    household_id: int = Field(
        sa_column=Column(Integer, ForeignKey("household.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(sa_column=Column(String(100), nullable=False))
    # Who this owner is beyond the name (places.rules.owner_identity): a keyed hash of the birth year and the ID
    # number's last four characters, or a token staff gave to owners they confirmed to be one person. Never the
    # digits themselves; "" when not known (the owner is then told apart by name alone).
    identity: str = Field(default="", sa_column=Column(String(64), nullable=False, default="", index=True))
    is_developer: bool = Field(default=False, nullable=False)
    user_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), index=True),
    )

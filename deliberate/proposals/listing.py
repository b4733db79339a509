"""The proposals of a place and of the places inside it: filters, Chinese search, keyset pages.

Drafts are never listed. Pages are keyset pages: a cursor names the last row shown by its sort value
and id, and the next page starts below it, so a page deep in the list costs no more than the first one.
"""

from __future__ import annotations

import base64
import binascii
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from deliberate.db import MAX_ID
from deliberate.numbers import digits
from deliberate.places.models import Place
from deliberate.proposals.models import Proposal
from deliberate.proposals.rules import TERMINAL, Category, Stage

MAX_QUERY = 50  # characters of the search box
MAX_CURSOR = 100  # characters of an `after=` cursor; real ones are about 50
FAR_FUTURE = datetime(9999, 12, 31, tzinfo=UTC)  # above every created_at: where the first page starts
OPEN = "open"  # the stage filter for every stage still in progress
OPEN_STAGES: tuple[str, ...] = tuple(s.value for s in Stage if s is not Stage.DRAFT and s not in TERMINAL)


class Sort(StrEnum):
    NEWEST = "newest"  # created_at desc, id desc
    COSIGNS = "cosigns"  # cosign_count desc, id desc


class BadListing(ValueError):
    """A filter or cursor that cannot be used; the handler answers 400 naming which."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class Filters:
    stage: str = ""  # "" for every stage, a Stage value, or OPEN
    category: str = ""  # "" for every category, or a Category value
    q: str = ""
    sort: Sort = Sort.NEWEST

    @property
    def terms(self) -> list[str]:
        """Whitespace-separated search terms, all of which must appear (full-width spaces separate too)."""
        return self.q.split()

    def as_params(self) -> dict[str, str]:
        """The filters as a query string keeps them: only those set, so links stay short."""
        params = {"stage": self.stage, "category": self.category, "q": self.q}
        params = {key: value for key, value in params.items() if value}
        if self.sort is not Sort.NEWEST:
            params["sort"] = self.sort.value
        return params


def parse_filters(stage: str = "", category: str = "", q: str = "", sort: str = "") -> Filters:
    """Filters from the query string; BadListing names the first value that is not one we know."""
    stage, category, sort = stage.strip(), category.strip(), sort.strip()
    if stage and stage != OPEN and stage not in set(Stage):
        raise BadListing("stage")
    if category and category not in set(Category):
        raise BadListing("category")
    if len(q) > MAX_QUERY:
        raise BadListing("q")
    if sort and sort not in set(Sort):
        raise BadListing("sort")
    # Control characters separate terms like spaces do (PostgreSQL refuses a NUL in a parameter).
    q = " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in q).split())
    return Filters(stage=stage, category=category, q=q, sort=Sort(sort or Sort.NEWEST))


# Cursors ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """The last row of a page: its sort value and id."""

    sort: Sort
    value: datetime | int
    id: int


def cursor_of(proposal: Proposal, sort: Sort) -> Cursor:
    assert proposal.id is not None
    value = proposal.created_at if sort is Sort.NEWEST else proposal.cosign_count
    return Cursor(sort, value, proposal.id)


def encode_cursor(cursor: Cursor) -> str:
    value = cursor.value.isoformat() if isinstance(cursor.value, datetime) else str(cursor.value)
    raw = f"{cursor.sort.value}|{value}|{cursor.id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(text: str, sort: Sort) -> Cursor:
    """The cursor `encode_cursor` made for this sort, or BadListing("after")."""
    if not text or len(text) > MAX_CURSOR:
        raise BadListing("after")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        kind, value, ident = raw.split("|")
        if kind != sort.value or not digits(ident) or not 0 < int(ident) <= MAX_ID:
            raise ValueError(raw)
        return Cursor(sort, _sort_value(sort, value), int(ident))
    except (binascii.Error, UnicodeDecodeError, ValueError, OverflowError):
        raise BadListing("after") from None


def _sort_value(sort: Sort, text: str) -> datetime | int:
    if sort is Sort.COSIGNS:
        if not digits(text) or int(text) > MAX_ID:
            raise ValueError(text)
        return int(text)
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise ValueError(text)
    return when.astimezone(UTC)  # OverflowError at the ends of the calendar


# Queries ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListPage:
    proposals: list[Proposal]
    where: dict[int, str]  # by place id, where each proposal listed is: "1区 › 1号楼" below the place listed
    next: Cursor | None  # where the next page starts; None on the last page


def like_pattern(term: str) -> str:
    """`%term%` with the user's own % and _ (and the escape character) taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(filters: Filters) -> list[Any]:
    conditions: list[Any] = [col(Proposal.stage) != Stage.DRAFT.value]
    if filters.stage == OPEN:
        conditions.append(col(Proposal.stage).in_(OPEN_STAGES))
    elif filters.stage:
        conditions.append(col(Proposal.stage) == filters.stage)
    if filters.category:
        conditions.append(col(Proposal.category) == filters.category)
    for term in filters.terms:
        pattern = like_pattern(term)
        # Case-insensitive substring: lower() LIKE on SQLite, ILIKE on PostgreSQL. No word splitting is
        # needed for Chinese, and two-character words such as 停车 are found (trigram indexes would not).
        conditions.append(or_(col(Proposal.title).ilike(pattern, escape="\\"),
                              col(Proposal.body).ilike(pattern, escape="\\")))
    return conditions


def _sort_column(sort: Sort) -> Any:
    return col(Proposal.created_at) if sort is Sort.NEWEST else col(Proposal.cosign_count)


def start(sort: Sort) -> Cursor:
    """A cursor above every row: the first page is the page after it, and runs the deep pages' query."""
    return Cursor(sort, FAR_FUTURE if sort is Sort.NEWEST else MAX_ID, MAX_ID)


def _after(cursor: Cursor) -> Any:
    """Rows after the cursor in (value desc, id desc) order: `v < last OR (v = last AND id < last_id)`.

    The leading `v <= last` says the same once more: it is the range on the index (place_id, sort value,
    id) that makes SQLite read each place's rows off that index, in order, and stop each place once
    its rows can no longer reach the page. Without it SQLite may pick the other index or scan the table.
    """
    value = _sort_column(cursor.sort)
    return and_(value <= cursor.value,
                or_(value < cursor.value, and_(value == cursor.value, col(Proposal.id) < cursor.id)))


def place_ids_within(session: Session, place: Place) -> list[int]:
    """The place and the places inside it (their paths start with its path).

    Read first and passed as a list: PostgreSQL then filters the proposals by an array instead of a
    join, which measured faster (bench/proposals_list.py); SQLite runs the same either way.
    """
    return list(session.exec(select(Place.id).where(col(Place.path).startswith(place.path))).all())


def ordered(place_ids: list[int], filters: Filters, *, after: Cursor | None = None) -> SelectOfScalar[Proposal]:
    """The listed proposals of these places after the cursor, in the sort's order (add a LIMIT)."""
    return (
        select(Proposal)
        .where(col(Proposal.place_id).in_(place_ids), *_conditions(filters), _after(after or start(filters.sort)))
        .order_by(_sort_column(filters.sort).desc(), col(Proposal.id).desc())
    )


def page_of(session: Session, place: Place, filters: Filters, *, size: int, after: Cursor | None = None) -> ListPage:
    """One page of the listed proposals of the place and the places inside it."""
    statement = ordered(place_ids_within(session, place), filters, after=after).limit(size + 1)
    rows = list(session.exec(statement).all())
    shown = rows[:size]
    following = cursor_of(shown[-1], filters.sort) if len(rows) > size else None
    return ListPage(proposals=shown, where=_where(session, place, {p.place_id for p in shown}), next=following)


def _where(session: Session, listed: Place, place_ids: set[int]) -> dict[int, str]:
    """Names of the places from below the one listed down to each of these (its own name for itself)."""
    if not place_ids:
        return {}
    rows = session.exec(select(Place.id, Place.path, Place.name).where(col(Place.id).in_(place_ids))).all()
    above = set(listed.ancestor_ids)
    ancestors = {ident: [int(part) for part in path.strip("/").split("/") if part] for ident, path, _name in rows}
    below = {i for ids in ancestors.values() for i in ids if i not in above}
    names = dict(session.exec(select(Place.id, Place.name).where(col(Place.id).in_(below))).all()) if below else {}
    return {
        ident: " › ".join(names.get(i, "") for i in ancestors[ident] if i in below) or name
        for ident, _path, name in rows
    }

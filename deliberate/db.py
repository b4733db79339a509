"""The database engine, its SQLite pragmas, and the column types every model shares."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, DateTime, Engine, ForeignKey, Integer, create_engine, event, func
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, select

from deliberate.data_version import DataVersion
from deliberate.numbers import digits
from deliberate.refusal import NotFound
from deliberate.settings import Settings

T = TypeVar("T")

IMMEDIATE = "deliberate_begin_immediate"


def from_centi(value: int) -> Decimal:
    """An amount (fen) or area (0.01 m²) stored as a whole number of hundredths, read back exactly."""
    return Decimal(value) / 100


def to_centi(value: str | Decimal) -> int:
    """The whole number of hundredths of an amount or area written with at most two decimals."""
    return int(Decimal(value) * 100)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER; a larger number would be a database error, not a miss


def parse_id(raw: Any) -> int | None:
    """An id named in a URL or a form, or None when it cannot be one (absent, malformed, out of range)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and digits(raw) and len(raw) <= 10:
        value = int(raw)
    else:
        return None
    return value if 0 < value <= MAX_ID else None


def get_or_refuse(session: Session, model: type[T], raw: Any, message: str = "", *, for_update: bool = False) -> T:
    """The row with this id, or NotFound (404) for anything that is not one; with `for_update`, locked for the
    rest of the transaction (SELECT … FOR UPDATE: two requests cannot both act on what they read)."""
    ident = parse_id(raw)
    if ident is None:
        raise NotFound(message)
    if for_update:
        statement = select(model).where(model.id == ident).with_for_update()  # type: ignore[attr-defined]
        row = session.exec(statement.execution_options(populate_existing=True)).first()
    else:
        row = session.get(model, ident)
    if row is None:
        raise NotFound(message)
    return row


@dataclass(frozen=True)
class Page(Generic[T]):
    """One numbered page of a short list (registers, queues), and how many there are."""

    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def as_json(self) -> dict[str, int]:
        return {"page": self.number, "pages": self.pages, "size": self.size, "total": self.total}


def paginate(session: Session, statement: Any, *, number: int, size: int) -> Page[Any]:
    total = session.exec(select(func.count()).select_from(statement.order_by(None).subquery())).one()
    items = list(session.exec(statement.limit(size).offset((number - 1) * size)).all())
    return Page(items=items, number=number, size=size, total=total)


def fk(target: str, *, ondelete: str = "CASCADE", nullable: bool = False, index: bool = True) -> Column[Any]:
    """An integer column referring to `target` ("table.id"), indexed, and gone with its row unless told."""
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


def make_engine(settings: Settings) -> Engine:
    if settings.is_sqlite:
        return _sqlite_engine(settings)
    return create_engine(settings.database_url, pool_pre_ping=True, pool_size=settings.pool_size, max_overflow=0)


def _sqlite_engine(settings: Settings) -> Engine:
    path = settings.database_url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        settings.database_url,
        connect_args={"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000},
        pool_size=settings.pool_size, max_overflow=0,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so that BEGIN is ours to choose.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(settings.sqlite_busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")  # a deleted row (a ballot mixed out of the urn) is zeroed
        cursor.close()

    turn = _TURNS[engine] = WriterTurn(settings.sqlite_busy_timeout_ms / 1000)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer that starts deferred and upgrades later fails at once with SQLITE_BUSY;
        # one that begins IMMEDIATE waits its turn under the busy timeout.
        if conn.get_execution_options().get(IMMEDIATE):
            turn.take(conn.connection.dbapi_connection)
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                turn.give_back(conn.connection.dbapi_connection)
                raise
        else:
            conn.exec_driver_sql("BEGIN")

    for name in ("commit", "rollback"):
        event.listen(engine, name, lambda conn: turn.give_back(conn.connection.dbapi_connection))
    for name in ("checkin", "reset", "close", "invalidate"):  # however the connection leaves, the turn is given
        event.listen(engine.pool, name, lambda dbapi_connection, *_rest: turn.give_back(dbapi_connection))
    return engine


def writer_turn(engine: Engine) -> WriterTurn | None:
    """The turn this SQLite engine's writers take (None on PostgreSQL)."""
    return _TURNS.get(engine)


class WriterTurn:
    """This process's SQLite writers take turns in a lock of its own before BEGIN IMMEDIATE. SQLite's busy
    handler makes waiting writers sleep and poll (up to 100 ms a sleep), so the lock sits idle while they
    sleep and the unlucky ones wait seconds; a waiter here is woken the moment the last writer is done.
    Writers of other processes still meet SQLite's busy timeout, as does one here that waited that long."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._lock = threading.Lock()
        self._holder: int | None = None

    def take(self, connection: object) -> None:
        if self._lock.acquire(timeout=self.timeout):
            self._holder = id(connection)

    def give_back(self, connection: object) -> None:
        if connection is not None and self._holder == id(connection):
            self._holder = None
            self._lock.release()

    @property
    def taken(self) -> bool:
        return self._lock.locked()


_TURNS: weakref.WeakKeyDictionary[Engine, WriterTurn] = weakref.WeakKeyDictionary()


SEALING_KEY = "sealing_key"  # a session's key to the urn of secret ballots (`deliberate.voting.urn`)


class Database:
    """The engine and the two kinds of session handed out: reading and writing."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = make_engine(settings)
        self._writer = self.engine.execution_options(**{IMMEDIATE: True})
        self.version = DataVersion(self.engine)

    def session(self, *, write: bool = False) -> Session:
        return Session(self._writer if write else self.engine, expire_on_commit=False,
                       info={SEALING_KEY: self.settings.sealing_key})

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A short write transaction: committed on success, rolled back on error."""
        with self.session(write=True) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def truncate_wal(self) -> None:
        """SQLite's WAL copied into the database without stopping anyone (PASSIVE), and only once all of it is
        copied truncated, so that nothing of what it held is left in it: TRUNCATE waits for writers and makes
        them wait while it copies, which for a large WAL (a bulk load, a busy hour) would hold every form past
        its busy timeout. If readers kept the passive copy from finishing, the WAL is left for another try."""
        raw = self.engine.raw_connection()  # pysqlite in autocommit (see _sqlite_engine)
        try:
            cursor = raw.cursor()
            _busy, frames, copied = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if frames >= 0 and copied == frames:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()

    def dispose(self) -> None:
        self.version.close()
        self.engine.dispose()

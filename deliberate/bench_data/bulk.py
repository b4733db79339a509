"""Rows written in large executemany batches, parents before children, with progress per table."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Index, Table, insert, text

from deliberate.models import metadata

BATCH = 20_000  # rows per execute
CHECK_KEYS = False  # SQLite: check foreign keys during the load (the ids are right by construction; tests check)
COMMIT_EVERY = 200_000  # rows per transaction: large, but the SQLite WAL can still be checkpointed
# Tables whose secondary (non-unique) indexes are dropped for the load and built again after it. Measured at
# district scale on SQLite: 15 s less CPU in all (222 s against 237 s), comments inserted 2.3x faster, the 18
# indexes built again in 10 s.
DEFERRED: tuple[str, ...] = ("roll_entry", "ballot", "comment", "member", "proposal_event", "cosign", "owner",
                             "household")


class Bulk:
    """Buffers rows per table and inserts them with SQLAlchemy Core. Ids are handed out here (the database
    is empty), so that children can name their parents without reading them back."""

    def __init__(self, engine: Engine, *, quiet: bool = False, deferred: tuple[str, ...] | None = None) -> None:
        self.engine = engine
        self.quiet = quiet
        self.tables: dict[str, Table] = {t.name: t for t in metadata.sorted_tables}
        self.order = list(self.tables)
        self.buffers: dict[str, list[dict[str, Any]]] = {}
        self.last_id: dict[str, int] = {}
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.uncommitted = 0
        self.connection = engine.connect()
        if engine.dialect.name == "sqlite":
            # Outside any transaction (pysqlite is in autocommit here), for this load only.
            raw = self.connection.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            keys = "ON" if CHECK_KEYS else "OFF"
            for pragma in ("synchronous=OFF", "cache_size=-262144", f"foreign_keys={keys}", "temp_store=MEMORY"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()
        else:
            self.connection.execute(text("SET synchronous_commit = off"))
            self.connection.commit()
        self.deferred: list[Index] = [index for name in (DEFERRED if deferred is None else deferred)
                                      for index in self.tables[name].indexes if not index.unique]
        for index in self.deferred:
            index.drop(self.connection)
        self.connection.commit()

    @staticmethod
    def table_names() -> list[str]:
        return [t.name for t in metadata.sorted_tables]

    @staticmethod
    def table(name: str) -> Table:
        return metadata.tables[name]

    def next_id(self, table: str) -> int:
        self.last_id[table] = self.last_id.get(table, 0) + 1
        return self.last_id[table]

    def add(self, table: str, row: dict[str, Any]) -> None:
        buffer = self.buffers.setdefault(table, [])
        buffer.append(row)
        if len(buffer) >= BATCH:
            self.flush(table)

    def flush(self, table: str) -> None:
        """Inserts this table's buffer, after the buffers of every table it may refer to."""
        for earlier in self.order[: self.order.index(table)]:
            if self.buffers.get(earlier):
                self._insert(earlier)
        if self.buffers.get(table):
            self._insert(table)

    def _insert(self, table: str) -> None:
        rows = self.buffers.pop(table)
        started = time.perf_counter()
        self.connection.execute(insert(self.tables[table]), rows)
        self.uncommitted += len(rows)
        if self.uncommitted >= COMMIT_EVERY:
            self.connection.commit()
            self.uncommitted = 0
        self.seconds[table] = self.seconds.get(table, 0.0) + time.perf_counter() - started
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    def flush_all(self) -> None:
        for table in self.order:
            if self.buffers.get(table):
                self._insert(table)
        self.connection.commit()
        self.uncommitted = 0

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Generates and writes one domain's rows, then prints a line per table it filled."""
        before = dict(self.counts)
        started = time.perf_counter()
        yield
        self.flush_all()
        elapsed = time.perf_counter() - started
        for table in self.order:
            added = self.counts.get(table, 0) - before.get(table, 0)
            if added:
                inserting = self.seconds[table]
                self.say(f"  {table:<22} {added:>10,} rows  {added / max(inserting, 1e-9):>10,.0f} rows/s inserting")
        self.say(f"{name}: {elapsed:.1f} s")

    def say(self, line: str) -> None:
        if not self.quiet:
            print(line, file=sys.stderr, flush=True)

    def finish(self) -> None:
        """Ends the load: PostgreSQL's sequences moved past the ids given here, statistics gathered."""
        self.flush_all()
        started = time.perf_counter()
        for index in self.deferred:
            index.create(self.connection)
        self.connection.commit()
        if self.deferred:
            self.say(f"{len(self.deferred)} indexes built again: {time.perf_counter() - started:.1f} s")
        if self.engine.dialect.name == "postgresql":
            for name, last in self.last_id.items():
                if "id" in self.tables[name].c:
                    self.connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), {last})"))
            self.connection.commit()
            self.connection.execute(text("ANALYZE"))
        else:
            self.connection.exec_driver_sql("PRAGMA analysis_limit=1000")
            self.connection.exec_driver_sql("ANALYZE")
            self.connection.commit()
            raw = self.connection.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()  # the pooled connection goes back as the app's pragmas left it
            for pragma in ("synchronous=NORMAL", "cache_size=-2000", "foreign_keys=ON", "temp_store=DEFAULT"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()
        self.connection.commit()
        self.connection.close()

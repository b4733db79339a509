"""Has anything been committed to the database since I last asked? The cheap question a cached page asks.

SQLite: `PRAGMA data_version` on a connection of our own that never writes; its answer changes with every
commit by any other connection, in this process or in another. PostgreSQL: the current snapshot
(`xmin:xmax:in-progress`), which changes with every write transaction that ends anywhere in the cluster.
Two equal answers mean nothing was committed in between; two different ones may be a spurious change (a
transaction elsewhere in the cluster, one rolled back) but never a missed one. None: it cannot tell (an
in-memory database, a lost connection), and whoever asked must not trust what it kept.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine

log = logging.getLogger(__name__)

SQLITE_QUERY = "PRAGMA data_version"
POSTGRESQL_QUERY = "SELECT pg_current_snapshot()::text"


class DataVersion:
    """One connection, used by one caller at a time, opened when first asked and again after a failure."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.query = SQLITE_QUERY if self.sqlite else POSTGRESQL_QUERY
        self.usable = not (self.sqlite and engine.url.database in (None, "", ":memory:"))
        self._connection: Any = None
        self._lock = threading.Lock()

    def current(self) -> object | None:
        if not self.usable:
            return None
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = self._connect()
                cursor = self._connection.cursor()
                cursor.execute(self.query)
                row = cursor.fetchone()
                cursor.close()
                return row[0] if row else None
            except Exception:  # the database went away: serve uncached pages until it is back
                log.warning("could not read the database's data version", exc_info=True)
                self._close()
                return None

    def _connect(self) -> Any:
        cargs, cparams = self.engine.dialect.create_connect_args(self.engine.url)
        if self.sqlite:
            cparams = {**cparams, "check_same_thread": False}  # asked from any thread, one at a time
        connection = self.engine.dialect.dbapi.connect(*cargs, **cparams)  # type: ignore[union-attr]
        if self.sqlite:
            connection.isolation_level = None  # no transaction left open: each pragma sees the latest commit
        else:
            connection.autocommit = True
        return connection

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # already broken
                pass

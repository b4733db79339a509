"""How many PostgreSQL connections the server processes may hold: what `deliberate serve` fits its pools to."""

from __future__ import annotations

from sqlalchemy import text

from deliberate.db import Database
from deliberate.settings import pool_size_for

MARGIN = 5  # for psql, migrations, the cron tick and a backup while the server runs


def free(database: Database) -> int:
    """Connections a new client may still open: max_connections less the superusers' reserve, those in use
    (this one included) and a margin."""
    with database.engine.connect() as connection:
        most = int(connection.execute(text("SHOW max_connections")).scalar_one())
        reserved = int(connection.execute(text("SHOW superuser_reserved_connections")).scalar_one())
        in_use = int(connection.execute(text("SELECT count(*) FROM pg_stat_activity")).scalar_one())
    return most - reserved - in_use - MARGIN


def per_worker(threads: int) -> int:
    """A worker's pool (Settings.pool_size) and its data-version connection (deliberate/data_version.py)."""
    return pool_size_for(threads) + 1


def threads_that_fit(free_connections: int, workers: int, wanted: int) -> int | None:
    """`wanted` request threads per worker if all the workers' connections fit, else the most that do (None:
    not even one)."""
    return next((threads for threads in range(wanted, 0, -1) if workers * per_worker(threads) <= free_connections),
                None)

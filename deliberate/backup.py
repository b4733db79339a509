"""Backups: a consistent copy of a live SQLite database, or pg_dump's archive of a PostgreSQL one; restoring a
SQLite copy in place of the database. Every file appears whole or not at all (written beside, then renamed)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from deliberate.settings import PROJECT_ROOT, Settings

SQLITE_HEADER = b"SQLite format 3\x00"
SEE_README = "see the README's Backups section"


class BackupFailed(RuntimeError):
    """A backup or restore that did not happen, with the sentence the operator reads."""


@dataclass(frozen=True)
class Copy:
    """What a backup holds: its size, the schema's Alembic revision and, for SQLite, each table's rows."""

    path: Path
    size: int
    revision: str | None
    rows: dict[str, int]


def back_up(settings: Settings, target: Path, *, force: bool = False) -> Copy:
    """Copy the database named by the settings to `target`, while the server goes on writing."""
    with _failing_clearly():
        if settings.is_sqlite:
            return _back_up_sqlite(sqlite_path(settings), target, force=force, timeout=_timeout(settings))
        return _back_up_postgresql(settings, target, force=force)


def restore(settings: Settings, source: Path, *, force: bool = False) -> Copy:
    """Put the SQLite backup `source` in place of the database (the server stopped); then migrate it to head."""
    if not settings.is_sqlite:
        raise BackupFailed(f"a PostgreSQL database is restored with pg_restore, not by this command: {SEE_README}")
    with _failing_clearly():
        return _restore_sqlite(source, sqlite_path(settings), force=force, timeout=_timeout(settings))


def inspect(path: Path) -> Copy:
    """The SQLite database at `path`, if it is one and passes SQLite's integrity check."""
    if not path.is_file():
        raise BackupFailed(f"there is no file at {path}")
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise BackupFailed(f"{path} is not a SQLite database")
    try:
        with closing(_read_only(path)) as database:
            problems = [problem for (problem,) in database.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupFailed(f"{path} fails SQLite's integrity check: {'; '.join(problems[:5])}")
            rows = _row_counts(database)
            version = database.execute("SELECT version_num FROM alembic_version").fetchone() \
                if "alembic_version" in rows else None
    except sqlite3.DatabaseError as error:
        raise BackupFailed(f"{path} is damaged: {error}") from None
    return Copy(path, path.stat().st_size, version[0] if version else None, rows)


def schema_revisions() -> tuple[str, set[str]]:
    """The newest Alembic revision this code knows, and all the revisions it knows."""
    scripts = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    known = {script.revision for script in scripts.walk_revisions()}
    return ",".join(scripts.get_heads()), known


def sqlite_path(settings: Settings) -> Path:
    name = make_url(settings.database_url).database
    if not name or name == ":memory:":
        raise BackupFailed("an in-memory database has nothing to back up or restore into")
    return Path(name)


def _back_up_sqlite(source: Path, target: Path, *, force: bool, timeout: float) -> Copy:
    if not source.is_file():
        raise BackupFailed(f"there is no database at {source}")
    _refuse_to_replace(target, force=force)
    with _beside(target) as partial:
        _copy_sqlite(source, partial, timeout=timeout)
        copied = inspect(partial)
        _put_in_place(partial, target, force=force)
    return replace(copied, path=target)


def _restore_sqlite(source: Path, target: Path, *, force: bool, timeout: float) -> Copy:
    _check_revision(inspect(source))
    if _holds_a_database(target) and not force:
        raise BackupFailed(f"{target} already holds a database: stop the server, then add --force to replace it")
    _refuse_while_open(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _beside(target) as partial:
        _copy_sqlite(source, partial, timeout=timeout)
        copied = inspect(partial)
        if target.is_file():  # the server's account must still be able to open it
            partial.chmod(stat.S_IMODE(target.stat().st_mode))
        # The old database's write-ahead log would be replayed onto the new file: it goes first.
        for stale in _companions(target):
            stale.unlink(missing_ok=True)
        _put_in_place(partial, target, force=True)
    return replace(copied, path=target)


def _copy_sqlite(source: Path, target: Path, *, timeout: float) -> None:
    """SQLite's online backup in one step: one read transaction, so one moment's data; writers go on (WAL)."""
    with closing(_read_only(source, timeout=timeout)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, with no -wal beside it


def _check_revision(found: Copy) -> None:
    head, known = schema_revisions()
    if found.revision is None:
        raise BackupFailed(f"{found.path} is not a Deliberate database: it has no Alembic revision")
    if found.revision not in known:
        raise BackupFailed(f"{found.path} has schema revision {found.revision}, which this version of Deliberate "
                           f"does not know (its newest is {head}): restore it with the version that wrote it")


def _refuse_while_open(target: Path) -> None:
    """Refuse when anyone has the database open: a WAL connection holds a shared lock for as long as it lives."""
    if not target.is_file():
        return
    try:
        with closing(sqlite3.connect(target, timeout=0, isolation_level=None)) as probe:
            probe.execute("PRAGMA locking_mode=EXCLUSIVE")
            probe.execute("BEGIN EXCLUSIVE")
            probe.execute("ROLLBACK")
    except sqlite3.Error as error:
        if error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise BackupFailed(f"{target} is in use (is the server running?): stop it before restoring") from None


def _back_up_postgresql(settings: Settings, target: Path, *, force: bool) -> Copy:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupFailed(f"pg_dump is not on PATH: install PostgreSQL's client programs, or {SEE_README}")
    _refuse_to_replace(target, force=force)
    url = make_url(settings.database_url)
    environment = {**os.environ, "PGPASSWORD": url.password} if url.password else None  # not on the command line
    address = url._replace(drivername="postgresql", password=None).render_as_string(hide_password=False)
    revision = _postgresql_revision(settings.database_url)
    with _beside(target) as partial:
        done = subprocess.run([pg_dump, "--format=custom", f"--file={partial}", f"--dbname={address}"],
                              env=environment, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackupFailed(f"pg_dump failed: {done.stderr.strip()}")
        _put_in_place(partial, target, force=force)
    return Copy(target, target.stat().st_size, revision, {})


def _postgresql_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def _row_counts(database: sqlite3.Connection) -> dict[str, int]:
    tables = [name for (name,) in database.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: database.execute(f"SELECT count(*) FROM {_quoted(name)}").fetchone()[0] for name in tables}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read_only(path: Path, *, timeout: float = 5.0) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)


def _companions(database: Path) -> list[Path]:
    return [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _holds_a_database(target: Path) -> bool:
    return any(path.is_file() and path.stat().st_size > 0 for path in (target, *_companions(target)))


def _refuse_to_replace(target: Path, *, force: bool) -> None:
    if target.exists() and not force:
        raise BackupFailed(f"{target} already exists: choose another name, or add --force to replace it")
    if not target.parent.is_dir():
        raise BackupFailed(f"there is no directory {target.parent}")


@contextmanager
def _beside(target: Path) -> Iterator[Path]:
    """A scratch file in the target's directory (so renaming it is atomic), gone afterwards whatever happens;
    readable by its owner alone, like the backup it becomes."""
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
    finally:
        for leftover in (partial, *_companions(partial)):
            leftover.unlink(missing_ok=True)


def _put_in_place(partial: Path, target: Path, *, force: bool) -> None:
    """Durably on disk, then under its name in one step; without `force` never over a file that appeared since."""
    with partial.open("rb") as file:
        os.fsync(file.fileno())
    if force:
        os.replace(partial, target)
    else:
        try:
            os.link(partial, target)  # fails, rather than replaces, if the name is taken
        except FileExistsError:
            raise BackupFailed(f"{target} already exists: choose another name, or add --force to replace it") from None
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


@contextmanager
def _failing_clearly() -> Iterator[None]:
    """What the disk or SQLite says, as the sentence of a failed backup rather than a traceback."""
    try:
        yield
    except sqlite3.Error as error:
        raise BackupFailed(f"SQLite: {error}") from None
    except OSError as error:
        raise BackupFailed(str(error)) from None
    except SQLAlchemyError as error:
        raise BackupFailed(f"the database: {getattr(error, 'orig', None) or error}") from None


def _timeout(settings: Settings) -> float:
    return settings.sqlite_busy_timeout_ms / 1000

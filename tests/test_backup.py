"""`deliberate backup` and `deliberate restore`: a consistent copy of a live database, checked, put in place whole."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from factories import make_town
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate.app import create_app
from deliberate.backup import schema_revisions
from deliberate.cli import db_upgrade, main
from deliberate.db import Database
from deliberate.places.actions import do_create_place
from deliberate.places.models import Place
from deliberate.settings import Settings

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgresql")
sqlite_only = pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite backups; DATABASE_URL is PostgreSQL")
HEAD, _known = schema_revisions()


def sqlite_settings(path: Path) -> Settings:
    return replace(Settings.from_env({}), database_url=f"sqlite:///{path}", secret_key="test-secret-" + "x" * 32,
                   tick_interval_seconds=0)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database at the newest schema, copied for each test (migrating takes a while)."""
    path = tmp_path_factory.mktemp("migrated") / "deliberate.db"
    db_upgrade(sqlite_settings(path))
    return path


@pytest.fixture
def live(migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The database the server would use, named by DATABASE_URL as `deliberate` reads it."""
    path = tmp_path / "data" / "deliberate.db"
    path.parent.mkdir()
    shutil.copyfile(migrated, path)
    settings = sqlite_settings(path)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    return settings


@pytest.fixture
def server(live: Settings) -> Iterator[Database]:
    database = Database(live)
    yield database
    database.dispose()


def deliberate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def use(monkeypatch: pytest.MonkeyPatch, path: Path) -> Settings:
    settings = sqlite_settings(path)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    return settings


def integrity(path: Path) -> list[str]:
    with sqlite3.connect(path) as database:
        return [problem for (problem,) in database.execute("PRAGMA integrity_check")]


def revision(path: Path) -> str:
    with sqlite3.connect(path) as database:
        return str(database.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def backed_up(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str = "backup.db") -> Path:
    target = tmp_path / name
    code, _out, err = deliberate(capsys, "backup", str(target))
    assert code == 0, err
    return target


@sqlite_only
def test_a_backup_taken_while_the_server_writes_holds_every_row_committed_before_it(
        live, server, tmp_path, monkeypatch, capsys):
    committed: list[int] = []
    failures: list[BaseException] = []
    progress = threading.Condition()
    stop = threading.Event()

    def write() -> None:
        try:
            while not stop.is_set():
                with server.writing() as session:
                    place = do_create_place(session, kind="community", name=f"社区{len(committed)}")
                with progress:
                    committed.append(place.id)
                    progress.notify_all()
        except BaseException as error:  # seen by the test, not lost in the thread
            failures.append(error)
            with progress:
                progress.notify_all()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        with progress:
            assert progress.wait_for(lambda: len(committed) >= 30 or failures, timeout=10)
            before = set(committed)
        target = tmp_path / "backup.db"
        code, out, err = deliberate(capsys, "backup", str(target))
        with progress:  # the writer went on after the backup: it never had to stop for it
            assert progress.wait_for(lambda: len(committed) >= len(before) + 10 or failures, timeout=10)
    finally:
        stop.set()
        writer.join(timeout=10)
    assert failures == []
    assert code == 0, err
    assert str(target) in out and f"revision {HEAD}" in out and "place" in out

    fresh = use(monkeypatch, tmp_path / "restored" / "deliberate.db")
    code, out, err = deliberate(capsys, "restore", str(target))
    assert code == 0, err
    path = Path(fresh.database_url.removeprefix("sqlite:///"))
    assert integrity(path) == ["ok"]
    restored = Database(fresh)
    try:
        with restored.session() as session:
            ids = set(session.exec(select(Place.id)).all())
    finally:
        restored.dispose()
    assert before <= ids <= set(committed)


@sqlite_only
def test_backup_refuses_to_overwrite_a_file_unless_forced(live, tmp_path, capsys):
    target = tmp_path / "backup.db"
    target.write_bytes(b"last week's backup")
    code, out, err = deliberate(capsys, "backup", str(target))
    assert code == 1
    assert "already exists" in err and "--force" in err and "Traceback" not in err
    assert target.read_bytes() == b"last week's backup"

    code, out, err = deliberate(capsys, "backup", "--force", str(target))
    assert code == 0, err
    assert integrity(target) == ["ok"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["backup.db", "data"]  # nothing half-written left


@sqlite_only
def test_backup_of_a_missing_database_fails_clearly(tmp_path, monkeypatch, capsys):
    use(monkeypatch, tmp_path / "nowhere.db")
    code, _out, err = deliberate(capsys, "backup", str(tmp_path / "backup.db"))
    assert code == 1
    assert "there is no database at" in err and "Traceback" not in err
    assert not (tmp_path / "backup.db").exists()


@sqlite_only
def test_restore_refuses_a_file_that_is_not_a_sqlite_database(live, tmp_path, capsys):
    junk = tmp_path / "notes.db"
    junk.write_text("这不是数据库\n" * 100, encoding="utf-8")
    code, _out, err = deliberate(capsys, "restore", "--force", str(junk))
    assert code == 1
    assert err == f"deliberate: restore failed: {junk} is not a SQLite database\n"
    assert revision(Path(live.database_url.removeprefix("sqlite:///"))) == HEAD  # the database is untouched


@sqlite_only
def test_restore_refuses_a_damaged_database(live, tmp_path, capsys):
    target = backed_up(capsys, tmp_path)
    data = bytearray(target.read_bytes())
    page = 4096
    data[2 * page:len(data) - page] = b"\xa5" * (len(data) - 3 * page)  # keep the header, wreck the pages
    target.write_bytes(bytes(data))
    code, _out, err = deliberate(capsys, "restore", "--force", str(target))
    assert code == 1
    assert "damaged" in err or "integrity check" in err
    assert "Traceback" not in err


@sqlite_only
def test_restore_refuses_to_replace_a_database_unless_forced(live, tmp_path, capsys):
    target = backed_up(capsys, tmp_path)
    code, _out, err = deliberate(capsys, "restore", str(target))
    assert code == 1
    assert "already holds a database" in err and "--force" in err

    code, out, err = deliberate(capsys, "restore", "--force", str(target))
    assert code == 0, err
    assert "Migrated to the newest schema." in out


@sqlite_only
def test_restore_refuses_a_backup_from_a_newer_version(live, tmp_path, monkeypatch, capsys):
    target = backed_up(capsys, tmp_path)
    with sqlite3.connect(target) as database:
        database.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    use(monkeypatch, tmp_path / "fresh.db")
    code, _out, err = deliberate(capsys, "restore", str(target))
    assert code == 1
    assert "9999_from_the_future" in err and f"its newest is {HEAD}" in err
    assert not (tmp_path / "fresh.db").exists()


@sqlite_only
def test_restore_refuses_while_the_server_has_the_database_open(live, server, tmp_path, capsys):
    target = backed_up(capsys, tmp_path)
    with server.session() as session:  # the pool keeps this connection open, as a running server does
        session.exec(select(Place.id)).all()
    code, _out, err = deliberate(capsys, "restore", "--force", str(target))
    assert code == 1
    assert "in use" in err

    server.dispose()
    code, _out, err = deliberate(capsys, "restore", "--force", str(target))
    assert code == 0, err


@sqlite_only
def test_restore_brings_an_older_backup_up_to_the_newest_schema(tmp_path, monkeypatch, capsys):
    old = use(monkeypatch, tmp_path / "old.db")
    previous = sorted(_known)[-2]
    db_upgrade(old, previous)
    target = backed_up(capsys, tmp_path)
    assert revision(target) == previous

    fresh = tmp_path / "fresh.db"
    use(monkeypatch, fresh)
    code, _out, err = deliberate(capsys, "restore", str(target))
    assert code == 0, err
    assert revision(fresh) == HEAD


@sqlite_only
def test_a_restored_database_serves(live, server, tmp_path, monkeypatch, capsys):
    with server.session() as session:
        make_town(session, "回春里社区")
    server.dispose()
    target = backed_up(capsys, tmp_path)

    fresh = use(monkeypatch, tmp_path / "restored" / "deliberate.db")
    code, _out, err = deliberate(capsys, "restore", str(target))
    assert code == 0, err
    database = Database(fresh)
    try:
        with TestClient(create_app(fresh, database)) as client:
            page = client.get("/")
    finally:
        database.dispose()
    assert page.status_code == 200
    assert "回春里社区" in page.text


def test_restore_on_postgresql_points_at_pg_restore(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    code, _out, err = deliberate(capsys, "restore", str(tmp_path / "backup.dump"))
    assert code == 1
    assert "pg_restore" in err and "README" in err


def test_backup_on_postgresql_without_pg_dump_points_at_the_readme(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/nothing")
    monkeypatch.setenv("PATH", str(tmp_path))
    code, _out, err = deliberate(capsys, "backup", str(tmp_path / "backup.dump"))
    assert code == 1
    assert "pg_dump is not on PATH" in err and "README" in err
    assert not (tmp_path / "backup.dump").exists()


@pytest.mark.skipif(not ON_POSTGRESQL or shutil.which("pg_dump") is None,
                    reason="needs DATABASE_URL on PostgreSQL and pg_dump")
def test_backup_on_postgresql_is_a_pg_dump_archive(settings, database, tmp_path, monkeypatch, capsys):
    with database.session() as session:
        make_town(session, "回春里社区")
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    target = tmp_path / "backup.dump"
    code, out, err = deliberate(capsys, "backup", str(target))
    assert code == 0, err
    assert str(target) in out and f"revision {HEAD}" in out
    assert target.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    code, _out, err = deliberate(capsys, "backup", str(target))
    assert code == 1 and "already exists" in err

    with scratch_database(settings.database_url) as (url, address):  # as the README says to restore
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={address}", str(target)], check=True)
        copy = Database(replace(settings, database_url=url))
        try:
            with copy.session() as session:
                names = set(session.exec(select(Place.name)).all())
        finally:
            copy.dispose()
    assert "回春里社区" in names


@contextmanager
def scratch_database(url: str) -> Iterator[tuple[str, str]]:
    """An empty PostgreSQL database beside `url`'s, dropped afterwards: its SQLAlchemy and libpq addresses."""
    shared = make_url(url)
    scratch = shared.set(database=f"{shared.database}_restored")
    engine = create_engine(shared, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}"'))
            connection.execute(text(f'CREATE DATABASE "{scratch.database}"'))
        yield (scratch.render_as_string(hide_password=False),
               scratch.set(drivername="postgresql").render_as_string(hide_password=False))
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{scratch.database}" WITH (FORCE)'))
    finally:
        engine.dispose()

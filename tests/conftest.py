"""An app on a fresh database per test: a migrated SQLite file, or PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import browser.conftest as browser_reports
import pytest
from argon2 import PasswordHasher
from factories import empty_tables
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session
from starlette.testclient import TestClient

from deliberate.accounts import passwords
from deliberate.app import create_app
from deliberate.cli import db_upgrade
from deliberate.db import Database
from deliberate.settings import Settings


def pytest_configure(config: pytest.Config) -> None:
    """Compile the English catalogue if it is missing or older than its .po (make does this too)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from deliberate.i18n import LOCALE_DIR

    for po in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)


# argon2id at its real cost takes ~0.3 s a hash here, and the suite registers and logs in thousands of people:
# tests hash cheaply, except those that ask for `real_password_hashing`. Production never reads this file.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
REAL_HASHER = passwords._hasher


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", CHEAP_HASHER)
        patch.setattr(passwords, "DUMMY_HASH", CHEAP_HASHER.hash("not-a-real-password"))
        yield


@pytest.fixture
def real_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id as production hashes: the library's recommended parameters."""
    monkeypatch.setattr(passwords, "_hasher", REAL_HASHER)
    monkeypatch.setattr(passwords, "DUMMY_HASH", REAL_HASHER.hash("not-a-real-password"))


def pytest_sessionstart(session: pytest.Session) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        for stale in browser_reports.worker_reports():
            stale.unlink()


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        browser_reports.join_worker_reports()


def _test_settings(tmp_dir: Path) -> Settings:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        if "test" not in (make_url(url).database or ""):
            raise RuntimeError("tests wipe the database: DATABASE_URL must name a database with 'test' in it")
        worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, … under `pytest -n`
        if worker:
            url = _own_database(url, worker)
    else:
        url = f"sqlite:///{tmp_dir / 'test.db'}"  # under `pytest -n` each worker has its own tmp_dir
    # The clock ticks only when a test says so (`ticker.tick`), never on a thread of its own.
    return replace(Settings.from_env({}), database_url=url, secret_key="test-secret-" + "x" * 32,
                   tick_interval_seconds=0)


def _own_database(url: str, worker: str) -> str:
    """A worker's own PostgreSQL database beside DATABASE_URL's (test → test_gw0), created if it is missing."""
    shared = make_url(url)
    own = shared.set(database=f"{shared.database}_{worker}")
    engine = create_engine(shared, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": own.database}).first()
            if found is None:
                connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = _test_settings(tmp_path_factory.mktemp("db"))
    if not settings.is_sqlite:
        database = Database(settings)
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        database.dispose()
    db_upgrade(settings)
    return settings


@pytest.fixture(scope="session")
def database(settings: Settings) -> Iterator[Database]:
    database = Database(settings)
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "database" not in request.fixturenames:
        return
    database: Database = request.getfixturevalue("database")
    empty_tables(database)


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    # A reading session: on SQLite a writer's lock held by the test would block the app under test.
    # Factories still write through it; call `session.rollback()` to see what the app wrote since.
    with database.session() as session:
        yield session


@pytest.fixture
def app(settings: Settings, database: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, database)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as client:
        yield client

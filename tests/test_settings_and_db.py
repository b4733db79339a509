"""Settings refuse unsafe production setups; SQLite runs in WAL with foreign keys and waiting writers."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime

import pytest
from factories import reload
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from deliberate import cli, connections
from deliberate.db import writer_turn
from deliberate.places.actions import do_create_place
from deliberate.places.models import Place
from deliberate.settings import DEFAULT_SECRET, Settings, SettingsError
from deliberate.web.errors import is_busy


def test_production_refuses_the_default_secret():
    settings = Settings.from_env({"DELIBERATE_PRODUCTION": "1"})
    assert settings.secret_key == DEFAULT_SECRET
    with pytest.raises(SettingsError):
        settings.check()
    Settings.from_env({"DELIBERATE_PRODUCTION": "1", "SECRET_KEY": "k" * 40}).check()


def test_production_sets_secure_cookies_by_default():
    assert Settings.from_env({"DELIBERATE_PRODUCTION": "1", "SECRET_KEY": "k" * 40}).cookie_secure
    assert not Settings.from_env({}).cookie_secure


def test_bad_numbers_in_the_environment_are_reported():
    with pytest.raises(SettingsError, match="MAX_BODY_BYTES"):
        Settings.from_env({"MAX_BODY_BYTES": "lots"})


def test_the_cli_refuses_to_serve_production_with_the_default_secret(monkeypatch, capsys):
    monkeypatch.setenv("DELIBERATE_PRODUCTION", "1")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert cli.main(["serve"]) == 2
    assert "SECRET_KEY" in capsys.readouterr().err


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(database):
    if not database.settings.is_sqlite:
        pytest.skip("SQLite only")
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_times_come_back_timezone_aware_in_utc(session):
    place = do_create_place(session, kind="community", name="时区")
    session.commit()
    reload(session)
    stored = session.exec(select(Place)).one()
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == UTC.utcoffset(datetime.now(UTC))
    assert place.id == stored.id


def test_concurrent_writers_wait_their_turn_instead_of_failing(database):
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                with database.writing() as s:
                    count = len(s.exec(select(Place)).all())
                    do_create_place(s, kind="community", name=f"w{n}-{i}-{count}")
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with database.session() as s:
        assert len(s.exec(select(Place)).all()) == 40


def _turn_is_free(database) -> bool:
    """No writer of this process holds its turn: another could begin at once."""
    turn = writer_turn(database.engine)
    assert turn is not None
    return not turn.taken


def test_a_writers_turn_is_given_back_however_its_transaction_ends(database):
    if not database.settings.is_sqlite:
        pytest.skip("the turn is SQLite's: PostgreSQL's writers lock rows")
    with database.writing() as s:
        do_create_place(s, kind="community", name="committed")
        assert not _turn_is_free(database)
    assert _turn_is_free(database)
    with pytest.raises(RuntimeError), database.writing() as s:
        do_create_place(s, kind="community", name="rolled back")
        raise RuntimeError("the action failed")
    assert _turn_is_free(database)
    s = database.session(write=True)
    do_create_place(s, kind="community", name="abandoned")
    s.close()  # never committed nor rolled back by hand: the pool's reset gives the turn back
    assert _turn_is_free(database)
    with database.session() as reading:
        reading.exec(select(Place)).all()  # readers never take the turn
        assert _turn_is_free(database)
    with database.session() as check:
        assert [p.name for p in check.exec(select(Place)).all()] == ["committed"]


def test_the_workers_pools_are_fitted_to_postgresqls_free_connections():
    assert connections.threads_that_fit(1000, 4, 16) == 16
    fitted = connections.threads_that_fit(80, 4, 16)
    assert fitted is not None and fitted < 16 and 4 * connections.per_worker(fitted) <= 80
    assert 4 * connections.per_worker(fitted + 1) > 80
    assert connections.threads_that_fit(10, 4, 16) is None


def test_free_connections_are_read_from_postgresql(database):
    if database.settings.is_sqlite:
        pytest.skip("SQLite has no connection limit")
    with database.engine.connect() as connection:
        most = int(connection.execute(text("SHOW max_connections")).scalar_one())
    assert 0 < connections.free(database) < most


def test_running_out_of_connections_is_busy_not_broken():
    exhausted = OperationalError("connect", {}, Exception('FATAL:  sorry, too many clients already'))
    locked = OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))
    broken = OperationalError("SELECT", {}, Exception("no such table: place"))
    assert is_busy(exhausted) and is_busy(locked) and not is_busy(broken)


def test_serve_gives_each_worker_fewer_threads_when_the_pools_would_not_fit(settings, monkeypatch, capsys):
    monkeypatch.delenv("REQUEST_THREADS", raising=False)
    monkeypatch.setattr(connections, "free", lambda database: 80)
    cli._fit_the_connections(settings, 4)
    assert os.environ["REQUEST_THREADS"] == str(connections.threads_that_fit(80, 4, settings.request_threads))
    assert "80 free connections" in capsys.readouterr().err
    monkeypatch.setattr(connections, "free", lambda database: 10)
    with pytest.raises(SettingsError, match="too few for 4 worker"):
        cli._fit_the_connections(settings, 4)

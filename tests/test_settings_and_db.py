"""Settings refuse unsafe production setups; SQLite runs in WAL with foreign keys and waiting writers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from factories import reload
from sqlalchemy import text
from sqlmodel import select

from deliberate.db import writer_turn
from deliberate.places.actions import do_create_place
from deliberate.places.models import Place
from deliberate.settings import DEFAULT_SECRET, Settings, SettingsError


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
    from deliberate import cli

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

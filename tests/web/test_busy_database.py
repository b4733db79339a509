"""SQLite's one write lock held past the busy timeout: the form is answered 503 in the user's language, with
Retry-After, nothing of it saved, and the same form sent again later succeeds."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from deliberate.accounts.models import WebSession
from deliberate.app import create_app
from deliberate.db import Database
from deliberate.settings import Settings
from tests.client_helpers import csrf_token
from tests.factories import PASSWORD, make_user


@pytest.fixture
def impatient(settings: Settings) -> Iterator[TestClient]:
    if not settings.is_sqlite:
        pytest.skip("PostgreSQL's writers wait on rows, not on one lock for the whole database")
    database = Database(replace(settings, sqlite_busy_timeout_ms=200))
    try:
        with TestClient(create_app(database.settings, database), follow_redirects=False) as client:
            yield client
    finally:
        database.dispose()


def test_a_form_that_cannot_get_the_write_lock_is_told_to_try_again(impatient: TestClient, settings: Settings,
                                                                   session: Session) -> None:
    make_user(session, "wei")
    session.commit()
    token = csrf_token(impatient)
    form = {"username": "wei", "password": PASSWORD, "csrf_token": token}
    holder = sqlite3.connect(settings.database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer, holding the lock for longer than the timeout
        answer = impatient.post("/login", data=form)
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "5"
        assert "没有保存" in answer.text and "database is locked" not in answer.text
        as_json = impatient.post("/login", data=form, headers={"Accept": "application/json"})
        assert as_json.status_code == 503 and as_json.json()["error"]["status"] == 503
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    session.rollback()
    assert session.exec(select(WebSession)).all() == []
    assert impatient.post("/login", data=form).status_code == 303

"""`deliberate bench-data`: the dataset loads into an empty database only, every URL it names answers, a voter
it names can vote, and the same seed gives the same rows."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from client_helpers import login, post
from sqlalchemy import func, select, text
from sqlmodel import Session, col
from starlette.testclient import TestClient

from deliberate.accounts.models import User
from deliberate.app import create_app
from deliberate.bench_data import bulk
from deliberate.bench_data import load as bench
from deliberate.bench_data.sizes import SCALES
from deliberate.cli import db_upgrade, main
from deliberate.db import Database, UTCDateTime
from deliberate.discussion.models import Comment
from deliberate.models import metadata
from deliberate.proposals.models import Proposal
from deliberate.proposals.rules import Stage
from deliberate.settings import Settings
from deliberate.voting import queries
from deliberate.voting.models import Ballot, RollEntry, Vote, VoteStatus
from deliberate.voting.tally import Form, Rule

TINY = SCALES["tiny"]


@pytest.fixture
def paged(settings: Settings) -> Settings:
    """Short pages, so that the tiny dataset's lists have deep pages too."""
    return replace(settings, page_size=3)


@pytest.fixture
def loaded(paged: Settings, database: Database) -> bench.Loaded:
    """The tiny dataset in the suite's fresh database (SQLite file, or PostgreSQL when DATABASE_URL says so)."""
    return bench.load(paged, TINY, seed=7, quiet=True)


@pytest.fixture
def client(paged: Settings, database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(paged, database), follow_redirects=False) as client:
        yield client


def test_every_table_holds_what_the_load_counted(loaded: bench.Loaded, session: Session) -> None:
    for table, count in loaded.counts.items():
        assert session.exec(select(func.count()).select_from(metadata.tables[table])).one()[0] == count, table
    assert loaded.counts["proposal"] == TINY.proposals
    assert loaded.counts["place"] == 1 + TINY.compounds * (1 + TINY.buildings)
    assert loaded.counts["household"] == TINY.households
    assert loaded.counts["vote"] == TINY.votes
    stages = set(session.exec(select(Proposal.stage).distinct()).scalars())
    assert stages == {s.value for s in Stage}
    votes = session.exec(select(Vote)).scalars().all()
    assert {(v.rule, v.form) for v in votes} == {(r.value, f.value) for r in Rule for f in Form}
    assert {v.status for v in votes} == set(VoteStatus.ALL) - {VoteStatus.WITHDRAWN}  # none is withdrawn there
    assert {v.status for v in votes if v.secret} >= {VoteStatus.OPEN, VoteStatus.CLOSED}
    longest = session.exec(select(func.count()).select_from(Comment).where(col(Comment.subject_kind) == "proposal")
                           .group_by(Comment.subject_id).order_by(func.count().desc()).limit(1)).one()[0]
    assert longest >= 200


def test_ids_refer_to_rows_that_exist(loaded: bench.Loaded, database: Database) -> None:
    if not database.settings.is_sqlite:
        pytest.skip("PostgreSQL checked every foreign key as the rows went in")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def test_every_url_answers_and_staff_pages_to_staff(loaded: bench.Loaded, client: TestClient) -> None:
    urls = loaded.urls
    assert set(urls) == {"staff", "voters", "pages", "staff_pages"}
    assert {"community_home", "proposal_list", "proposal_list_deep", "proposal_200_comments", "vote_result_10k",
            "vote_result_1m", "meeting", "proposal_list_deep.json"} <= set(urls["pages"])
    assert "after=" in urls["pages"]["proposal_list_deep"]
    for name, path in urls["pages"].items():
        assert client.get(path).status_code == 200, name
    assert client.get(urls["staff_pages"]["staff_tracking"]).status_code in (302, 303, 403)
    login(client, urls["staff"]["username"], urls["staff"]["password"])
    for name, path in urls["staff_pages"].items():
        assert client.get(path).status_code == 200, name


def test_a_listed_voter_casts_a_ballot_that_counts(loaded: bench.Loaded, client: TestClient,
                                                    session: Session) -> None:
    voter = loaded.urls["voters"][0]
    vote_id = int(voter["vote"].rsplit("/", 1)[1])
    vote = session.get(Vote, vote_id)
    assert vote is not None and vote.status == VoteStatus.OPEN and not vote.secret
    user = session.exec(select(User).where(col(User.username) == voter["username"])).scalars().one()
    entry = session.exec(select(RollEntry).where(col(RollEntry.vote_id) == vote_id,
                                                 col(RollEntry.user_id) == user.id)).scalars().one()
    before = queries.result_of(session, vote).tally["no"].heads
    was = session.exec(select(Ballot.choice).where(col(Ballot.roll_entry_id) == entry.id)).scalars().first()
    login(client, voter["username"], voter["password"])
    response = post(client, f"{voter['vote']}/ballot", {"entry": str(entry.id), "choice": "no"},
                    form_page=voter["vote"])
    assert response.status_code == 303
    session.rollback()
    assert session.exec(select(Ballot.choice).where(col(Ballot.roll_entry_id) == entry.id)).scalars().one() == '"no"'
    assert queries.result_of(session, vote).tally["no"].heads == before + (0 if was == '"no"' else 1)


def test_a_database_that_is_not_empty_is_refused(loaded: bench.Loaded, settings: Settings) -> None:
    with pytest.raises(bench.NotEmpty):
        bench.load(settings, TINY, seed=7, quiet=True)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "empty.db"
    db_upgrade(_sqlite(path))
    return path


def _sqlite(path: Path) -> Settings:
    return replace(Settings.from_env({}), database_url=f"sqlite:///{path}", secret_key="test-secret-" + "x" * 32,
                   tick_interval_seconds=0)


def _rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, without the times (they follow the clock) and the password hashes (salted)."""
    database = Database(_sqlite(path))
    rows = {}
    with database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            kept = [c for c in table.c if not isinstance(c.type, UTCDateTime) and c.name != "password_hash"]
            rows[table.name] = list(connection.execute(select(*kept).order_by(*table.primary_key.columns)).all())
    database.dispose()
    return rows


def test_rows_go_in_after_the_rows_they_name(migrated: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """With tiny batches and the foreign keys checked as each row goes in (as PostgreSQL does), no row is
    written before its parent, however the buffers fill."""
    monkeypatch.setattr(bulk, "BATCH", 3)
    monkeypatch.setattr(bulk, "CHECK_KEYS", True)
    path = tmp_path / "checked.db"
    shutil.copyfile(migrated, path)
    assert bench.load(_sqlite(path), TINY, seed=5, quiet=True).counts["comment"] > 200


def test_the_same_seed_gives_the_same_rows(migrated: Path, tmp_path: Path) -> None:
    paths = [tmp_path / "one.db", tmp_path / "two.db"]
    for path in paths:
        shutil.copyfile(migrated, path)
        bench.load(_sqlite(path), TINY, seed=3, quiet=True)
    first, second = (_rows(path) for path in paths)
    assert first == second
    assert sum(map(len, first.values())) > 1000


def test_the_command_writes_urls_and_refuses_a_full_database(migrated: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cli.db"
    shutil.copyfile(migrated, path)
    monkeypatch.setenv("SECRET_KEY", "test-secret-" + "x" * 32)
    arguments = ["bench-data", "--scale", "tiny", "--database-url", f"sqlite:///{path}",
                 "--urls", str(tmp_path / "urls.json")]
    assert main(arguments) == 0
    urls = json.loads((tmp_path / "urls.json").read_text(encoding="utf-8"))
    assert urls["staff"]["username"] == "staff" and urls["voters"]
    assert main(arguments) == 2
    assert "not empty" in capsys.readouterr().err
    with Database(_sqlite(path)).engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM proposal")).scalar() == TINY.proposals


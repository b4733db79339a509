"""The pieces of `make bench` that need no wrk and no timing: the floor app and the reading of wrk's line."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bench.floor import BALLOT_PATH, TABLE, create_floor, load_pages, make_table
from bench.run import Target, parse_wrk, twin, write_manifest

PAGE = "<!doctype html><title>议事厅</title>".encode()


def test_floor_answers_each_page_with_its_captured_bytes_and_type(tmp_path: Path) -> None:
    targets = [Target("home", "/places/1", "", "text/html; charset=utf-8", PAGE),
               Target("home.json", "/places/1.json?page=2", "", "application/json", b'{"a": 1}')]
    pages = load_pages(write_manifest(tmp_path / "floor", targets))
    with TestClient(create_floor(pages, None)) as client:
        page = client.get("/places/1")
        assert page.status_code == 200
        assert page.content == PAGE
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        twin_page = client.get("/places/1.json?page=2")
        assert twin_page.content == b'{"a": 1}'
        assert twin_page.headers["content-type"] == "application/json"
        assert client.get("/places/1.json").status_code == 404


def test_floor_ballot_parses_the_form_and_commits_one_row_on_sqlite_in_wal(tmp_path: Path) -> None:
    path = tmp_path / "floor.db"
    make_table(f"sqlite:///{path}").dispose()
    with TestClient(create_floor({}, f"sqlite:///{path}"), follow_redirects=False) as client:
        answer = client.post(BALLOT_PATH, data={"csrf_token": "x", "entry": "17", "choice": ["甲", "乙"]})
        assert answer.status_code == 303
        client.post(BALLOT_PATH, data={"csrf_token": "x", "entry": "18", "choice": "yes"})
    with sqlite3.connect(path) as db:
        assert db.execute(f"SELECT voter, choice FROM {TABLE} ORDER BY id").fetchall() == [("17", "甲,乙"),
                                                                                             ("18", "yes")]
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_wrk_result_line_is_read_into_rates_and_milliseconds() -> None:
    raw = {"requests": 1000, "duration_us": 4_000_000, "bytes": 5, "ok": 990, "bad": 10,
           "bad_statuses": {"500": 10}, "socket_errors": 2, "timeouts": 1, "p50_us": 12_500, "p90_us": 20_000,
           "p99_us": 80_250, "max_us": 90_000, "mean_us": 13_000.0}
    output = "Running 4s test @ http://127.0.0.1:1/\n  2 threads\nBENCH_RESULT " + json.dumps(raw) + "\n"
    load = parse_wrk(output)
    assert load.per_second == 247.5
    assert load.errors == 13
    assert (load.p50_ms, load.p99_ms) == (12.5, 80.25)
    assert load.bad_statuses == {"500": 10}


def test_wrk_output_without_the_result_line_is_refused() -> None:
    with pytest.raises(ValueError, match="BENCH_RESULT"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


@pytest.mark.parametrize(("path", "expected"), [
    ("/places/1", "/places/1.json"),
    ("/places/1/proposals?stage=review&after=abc", "/places/1/proposals.json?stage=review&after=abc"),
    ("/", "/index.json"),
])
def test_json_twin_of_a_page(path: str, expected: str) -> None:
    assert twin(path) == expected

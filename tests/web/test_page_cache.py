"""The cache of public pages as anonymous visitors see them: served without a query while nothing changed,
never after a commit by anyone, never to someone logged in, and each visitor's forms with their own token."""

from __future__ import annotations

import json
import time
from base64 import b64encode
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime

import anyio
import httpx2 as httpx
import itsdangerous
import pytest
from sqlalchemy import create_engine
from sqlmodel import Session
from starlette.testclient import TestClient

from deliberate import clock
from deliberate.app import create_app
from deliberate.data_version import DataVersion
from deliberate.db import Database
from deliberate.places.models import Place
from deliberate.settings import Settings
from deliberate.web.page_cache import Kept, PageCache
from deliberate.web.page_cache import make as make_page_cache
from tests.client_helpers import CSRF, login
from tests.factories import make_staff, make_town
from tests.query_helpers import counted


def _cache(client: TestClient) -> PageCache:
    cache = client.app.state.page_cache  # type: ignore[attr-defined]
    assert cache is not None
    return cache


@pytest.fixture
def community(session: Session) -> Iterator[Place]:
    town = make_town(session)
    session.commit()
    yield town.community


def test_a_second_anonymous_view_is_served_without_a_query(client: TestClient, database: Database,
                                                             community: Place) -> None:
    url = f"/places/{community.id}"
    first = client.get(url)
    with counted(database.engine) as statements:
        second = client.get(url)
    assert second.status_code == 200 and statements == []
    assert _cache(client).hits == 1
    assert CSRF.sub("", second.text) == CSRF.sub("", first.text)


def test_a_commit_by_another_connection_is_seen_at_once(client: TestClient, database: Database,
                                                         community: Place) -> None:
    url = f"/places/{community.id}"
    assert "幸福里社区" in client.get(url).text
    with database.writing() as writer:
        place = writer.get(Place, community.id)
        assert place is not None
        place.name = "和平里社区"
    assert "和平里社区" in client.get(url).text


def test_a_commit_from_another_process_is_seen_at_once(client: TestClient, settings: Settings,
                                                        community: Place) -> None:
    url = f"/places/{community.id}"
    client.get(url)
    other = Database(settings)  # its own engine and connections, as another server process has
    try:
        with other.writing() as writer:
            place = writer.get(Place, community.id)
            assert place is not None
            place.name = "光明里社区"
    finally:
        other.dispose()
    assert "光明里社区" in client.get(url).text


def test_the_json_twin_and_each_language_are_kept_apart(client: TestClient, community: Place) -> None:
    url = f"/places/{community.id}"
    chinese = client.get(url).text
    english = client.get(url, headers={"Accept-Language": "en"}).text
    as_json = client.get(url + ".json")
    assert 'lang="zh-CN"' in chinese and 'lang="en"' in english
    assert as_json.headers["content-type"].startswith("application/json") and as_json.json()
    assert client.get(url, headers={"Accept-Language": "en"}).text.count('lang="en"') >= 1
    assert _cache(client).hits == 1


def test_each_visitor_gets_a_token_of_their_own_that_works(app, community: Place) -> None:  # type: ignore[no-untyped-def]
    url = f"/places/{community.id}"
    with TestClient(app) as first, TestClient(app) as second:
        token_one = CSRF.search(first.get(url).text)
        token_two = CSRF.search(second.get(url).text)
        assert token_one and token_two and token_one.group(1) != token_two.group(1)
        assert _cache(second).hits == 1
        switched = second.post("/language", data={"csrf_token": token_two.group(1), "locale": "en", "next": url},
                               follow_redirects=False)
        assert switched.status_code == 303
        refused = first.post("/language", data={"csrf_token": token_two.group(1), "locale": "en", "next": url},
                             follow_redirects=False)
        assert refused.status_code == 403


def test_someone_logged_in_is_never_served_a_kept_page(client: TestClient, session: Session,
                                                       community: Place) -> None:
    make_staff(session, community)
    session.commit()
    url = f"/places/{community.id}"
    client.get(url)
    client.get(url)
    login(client, "staff")
    hits = _cache(client).hits
    page = client.get(url)
    assert _cache(client).hits == hits
    assert "退出" in page.text


def _cookie_with(settings: Settings, session: dict[str, object]) -> str:
    """A session cookie as Starlette's SessionMiddleware signs it."""
    signer = itsdangerous.TimestampSigner(settings.secret_key)
    return signer.sign(b64encode(json.dumps(session).encode())).decode()


def test_a_visitor_with_a_message_waiting_sees_it(client: TestClient, settings: Settings,
                                                  community: Place) -> None:
    url = f"/places/{community.id}"
    client.get(url)
    client.cookies.clear()
    client.cookies.set("deliberate_session", _cookie_with(settings, {"flash": [["success", "已退出登录。"]]}))
    shown = client.get(url)
    assert "已退出登录。" in shown.text and _cache(client).hits == 0
    again = client.get(url)  # the message was shown once: the kept page will do now
    assert "已退出登录。" not in again.text and _cache(client).hits == 1


def test_a_kept_page_is_dropped_when_it_is_older_than_the_setting(client: TestClient, community: Place,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"/places/{community.id}"
    client.get(url)
    later = time.monotonic() + _cache(client).max_age + 1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    client.get(url)
    assert _cache(client).hits == 0 and _cache(client).misses == 2


def test_moving_the_clock_is_a_different_page(client: TestClient, community: Place) -> None:
    url = f"/places/{community.id}"
    client.get(url)
    with clock.freeze(datetime(2030, 1, 1, tzinfo=UTC)):
        client.get(url)
    assert _cache(client).hits == 0


def test_errors_and_redirects_are_not_kept(client: TestClient) -> None:
    assert client.get("/places/999999").status_code == 404
    assert client.get("/places/999999").status_code == 404
    assert _cache(client).hits == 0 and len(_cache(client)) == 0


def test_the_cache_keeps_within_its_size(database: Database) -> None:
    cache = PageCache(database.version, max_age=30, max_bytes=10_000)
    for n in range(20):
        cache.put((n,), Kept(1, time.monotonic(), 200, [], b"x" * 1000, None))
    assert cache.used <= 10_000 and len(cache) < 20
    assert cache.get((19,), 1) is not None and cache.get((0,), 1) is None
    assert cache.get((19,), 2) is None  # another version: dropped


def test_no_cache_when_it_is_turned_off(settings: Settings, database: Database) -> None:
    app = create_app(replace(settings, page_cache_seconds=0), database)
    assert app.state.page_cache is None


def test_the_data_version_changes_with_every_commit_and_only_then(database: Database) -> None:
    version = DataVersion(database.engine)
    try:
        before = version.current()
        assert before is not None and version.current() == before
        with database.session() as reading:
            reading.get(Place, 1)
        assert version.current() == before
        with database.writing() as writer:
            writer.add(Place(kind="community", name="新社区", path="/"))
        after = version.current()
        assert after is not None and after != before
    finally:
        version.close()


def test_an_in_memory_database_is_never_cached() -> None:
    memory = create_engine("sqlite:///:memory:")
    version = DataVersion(memory)
    assert not version.usable and version.current() is None
    assert make_page_cache(version, seconds=30, megabytes=16) is None
    memory.dispose()


def test_visitors_arriving_together_wait_for_one_rendering(app, community: Place) -> None:  # type: ignore[no-untyped-def]
    url = f"/places/{community.id}"

    async def sixteen_at_once() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as visitor:
            statuses: list[int] = []

            async def visit() -> None:
                statuses.append((await visitor.get(url)).status_code)

            async with anyio.create_task_group() as group:
                for _ in range(16):
                    group.start_soon(visit)
            return statuses

    with ThreadPoolExecutor(max_workers=1) as own_thread:  # a loop of its own (the browser tests may run one here)
        assert own_thread.submit(anyio.run, sixteen_at_once).result() == [200] * 16
    cache = app.state.page_cache
    assert (cache.misses, cache.hits) == (1, 15)
    assert cache.rendering == {}

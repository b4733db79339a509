"""Error pages in the user's language, Chinese by default and English on request."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from client_helpers import post
from factories import make_town, make_user
from sqlalchemy import text
from starlette.routing import Route
from starlette.testclient import TestClient

from deliberate import i18n

EN = {"Accept-Language": "en-US,en;q=0.9"}


def test_pages_are_chinese_by_default(client):
    page = client.get("/")
    assert '<html lang="zh-CN">' in page.text
    assert "议事厅" in page.text and "登录" in page.text


def test_accept_language_english_gives_english(client):
    page = client.get("/", headers=EN)
    assert '<html lang="en">' in page.text
    assert "Log in" in page.text


def test_the_language_switcher_remembers_the_choice(client, session):
    response = client.get("/language?locale=en&next=/login")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert "Log in" in client.get("/login").text
    client.get("/language?locale=zh_CN&next=/")
    assert "登录" in client.get("/login", headers=EN).text  # the choice beats the browser's header


def test_the_switchers_form_keeps_a_logged_in_persons_choice_on_the_account(client, session):
    from client_helpers import login, post
    from factories import make_user, reload

    from deliberate.accounts.models import User

    user = make_user(session, "lan")
    login(client, "lan")
    assert 'name="locale" value="en"' in client.get("/account").text
    client.get("/language?locale=en&next=/account")  # a plain link: the cookie only, nothing written
    reload(session)
    assert session.get(User, user.id).locale is None
    response = post(client, "/language", {"locale": "en", "next": "/account"}, form_page="/account")
    assert response.status_code == 303 and response.headers["location"] == "/account"
    reload(session)
    assert session.get(User, user.id).locale == "en"  # e-mail and the next login speak English too


def test_the_switcher_never_redirects_off_site(client):
    assert client.get("/language?locale=en&next=https://evil.example").headers["location"] == "/"


@pytest.mark.parametrize(
    ("status", "zh", "en"),
    [(404, "找不到这个页面", "This page does not exist"),
     (405, "这个页面不能这样打开", "This page cannot be used this way")],
)
def test_error_pages_speak_the_users_language(client, status, zh, en):
    url = "/places/424242" if status == 404 else "/logout"
    zh_page = client.get(url)
    assert zh_page.status_code == status and zh in zh_page.text
    en_page = client.get(url, headers=EN)
    assert en_page.status_code == status and en in en_page.text


def test_a_bad_request_is_400_with_a_reason(client, session):
    make_user(session, "a")
    from client_helpers import login

    login(client, "a")
    response = client.get("/claim?place=abc")
    assert response.status_code == 400 and "地点编号无效" in response.text


def test_a_conflict_is_409_with_a_reason(client, session):
    town = make_town(session)
    make_user(session, "a")
    from client_helpers import login

    login(client, "a")
    data = {"household_id": str(town.households[0].id), "name": "甲", "birth_year": "1970"}
    post(client, "/claim", data, form_page="/account")
    response = post(client, "/claim", data, form_page="/account")
    assert response.status_code == 409 and "这一步现在做不了" in response.text
    # Titled in words; the number comes last and small, never first.
    title = re.search(r"<title>(.*?)</title>", response.text, re.S).group(1)  # type: ignore[union-attr]
    assert title.startswith("这一步现在做不了") and not re.search(r"\d", title)
    assert "<h1>这一步现在做不了</h1>" in response.text and "(409)" not in response.text
    main = response.text[response.text.index("<main"):response.text.index("</main>")]
    assert main.rstrip().endswith('<p class="code">错误代码 409</p>\n</section>')


def test_an_unexpected_error_is_a_500_page_in_the_users_language(app):
    def boom(request):
        raise RuntimeError("kaboom")

    app.router.routes.append(Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/boom")
        assert page.status_code == 500
        assert "服务器出错了" in page.text and "kaboom" not in page.text
        english = client.get("/boom", headers=EN)
        assert "Server error" in english.text


def test_413_page_is_localised(settings, database):
    from dataclasses import replace

    from client_helpers import csrf_token

    from deliberate.app import create_app

    app = create_app(replace(settings, max_body_bytes=500), database)
    with TestClient(app) as client:
        token = csrf_token(client)
        page = client.post("/register", data={"csrf_token": token, "x": "y" * 2000}, headers=EN)
        assert page.status_code == 413 and "too large" in page.text.lower()


def test_times_are_shown_in_shanghai(app):
    local_time = app.state.templates.env.filters["local_time"]
    assert local_time(datetime(2026, 11, 23, 16, 30, tzinfo=UTC)) == "2026-11-24 00:30"


def test_accept_language_parsing():
    assert i18n.from_accept_language("fr;q=0.9, en;q=0.8") == "en"
    assert i18n.from_accept_language("zh-TW,en;q=0.5") == "zh_CN"
    assert i18n.from_accept_language("de") is None
    assert i18n.choose_locale(None, None) == "zh_CN"


def test_every_message_has_an_english_translation():
    from babel.messages.pofile import read_po

    with open(i18n.LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and not m.string]
    assert missing == []
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert fuzzy == []


@pytest.mark.parametrize(
    "url",
    ["/places/99999999999999999999", "/places/4294967296.json", "/households/3000000000",
     "/places/2147483648/households", "/places/0"],
)
def test_ids_out_of_any_range_are_404_not_500(client, session, url):
    make_user(session, "a")
    from client_helpers import login

    login(client, "a")
    assert client.get(url).status_code == 404


def test_a_claim_for_an_impossible_household_is_404(client, session):
    make_user(session, "a")
    from client_helpers import login

    login(client, "a")
    response = post(client, "/claim", {"household_id": "99999999999999", "name": "甲", "birth_year": "1970"},
                    form_page="/account")
    assert response.status_code == 404 and "找不到这户房屋" in response.text


def test_a_failed_post_leaves_the_database_free_for_the_next_writer(app, database, session):
    def boom(request):
        from deliberate.web.auth import db

        db(request).exec(text("SELECT 1"))
        raise RuntimeError("kaboom")

    app.router.routes.append(Route("/boom", boom, methods=["POST"]))
    make_user(session, "a")
    from client_helpers import login

    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        login(client, "a")
        assert post(client, "/boom", form_page="/account").status_code == 500
    with database.writing() as s:  # would wait out the busy timeout and fail if a lock were left
        s.exec(text("SELECT 1"))


def test_a_refused_form_offers_the_way_back_to_the_page_it_came_from(client):
    page = client.get("/nowhere", headers={"referer": "http://testserver/places/1?tab=2"})
    assert page.status_code == 404 and 'href="/places/1?tab=2"' in page.text and "返回上一页" in page.text
    elsewhere = client.get("/nowhere", headers={"referer": "https://evil.example/phish"})
    assert "返回上一页" not in elsewhere.text and "evil.example" not in elsewhere.text

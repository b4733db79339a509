"""Register, log in and out, change password: sessions that end when they should."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from argon2 import PasswordHasher, Type, extract_parameters
from client_helpers import csrf_token, login, post
from factories import PASSWORD, make_user, reload
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate.accounts import passwords
from deliberate.accounts.models import User, WebSession
from deliberate.clock import utcnow
from deliberate.settings import Settings

SESSION_COOKIE = "deliberate_session"


def test_registering_logs_the_person_in_and_sends_them_to_claim_a_household(client, session):
    response = post(client, "/register", {"username": "zhang_xy", "display_name": "张秀英",
                                          "password": "longenough1", "confirm": "longenough1"})
    assert response.status_code == 303
    assert response.headers["location"] == "/claim"
    page = client.get("/account")
    assert page.status_code == 200
    assert "张秀英" in page.text
    stored = session.exec(select(User).where(User.username == "zhang_xy")).one()
    assert stored.password_hash.startswith("$argon2id$")


def test_registration_errors_are_shown_in_chinese_with_422_and_nothing_is_saved(client, session):
    response = post(client, "/register", {"username": "A!", "display_name": "", "password": "short",
                                          "confirm": "different"})
    assert response.status_code == 422
    assert "用户名需 3–32 个字符" in response.text
    assert "请填写姓名或称呼" in response.text
    assert "密码至少需要 8 个字符" in response.text
    assert session.exec(select(User)).all() == []


def test_a_taken_username_is_refused(client, session):
    make_user(session, "taken")
    response = post(client, "/register", {"username": "Taken", "display_name": "x", "password": "longenough1",
                                          "confirm": "longenough1"})
    assert response.status_code == 422
    assert "已被使用" in response.text


def test_login_renews_the_session_cookie_and_logout_ends_it_everywhere(client, session):
    make_user(session, "li")
    client.get("/login")
    before = client.cookies.get(SESSION_COOKIE)
    login(client, "li")
    after = client.cookies.get(SESSION_COOKIE)
    assert before and after and before != after
    assert client.get("/account").status_code == 200
    stolen = dict(client.cookies)
    post(client, "/logout", form_page="/account")
    assert client.get("/account").status_code == 303
    assert session.exec(select(WebSession).where(WebSession.user_id.is_not(None))).all() == []
    # A copy of the old cookie is worthless: its record is gone from the database.
    replay = TestClient(client.app, follow_redirects=False, cookies=stolen)
    assert replay.get("/account").status_code == 303


def test_session_cookie_is_httponly_and_samesite_lax(client, session):
    make_user(session, "wang")
    response = post(client, "/login", {"username": "wang", "password": PASSWORD})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_the_cookie_carries_only_random_tokens_and_messages_never_the_person(client, session):
    make_user(session, "zhao", name="赵敏")
    login(client, "zhao")
    import base64
    import json

    raw = client.cookies.get(SESSION_COOKIE)
    payload = json.loads(base64.b64decode(raw.split(".")[0] + "=="))
    assert set(payload) <= {"sid", "csrf", "flash"} and {"sid", "csrf"} <= set(payload)
    text = json.dumps(payload, ensure_ascii=False)
    assert "zhao" not in text and "赵敏" not in text
    # The database keeps only the digest of the login token, next to the account.
    stored = session.exec(select(WebSession)).one()
    assert stored.id != payload["sid"] and len(stored.id) == 64


def test_an_anonymous_visitor_gets_a_working_form_without_a_row_in_the_database(client, session):
    assert 'name="csrf_token"' in client.get("/register").text
    assert session.exec(select(WebSession)).all() == []
    response = post(client, "/register", {"username": "newbie", "display_name": "新人", "password": "longenough1",
                                           "confirm": "longenough1"}, form_page="/register")
    assert response.status_code == 303
    reload(session)
    assert len(session.exec(select(WebSession)).all()) == 1  # the login, made by the form


def test_wrong_password_gets_a_clear_message(client, session):
    make_user(session, "qian")
    response = post(client, "/login", {"username": "qian", "password": "wrong-password"})
    assert response.status_code == 422
    assert "用户名或密码不正确" in response.text


def test_login_redirects_back_to_the_page_asked_for_but_never_off_site(client, session):
    make_user(session, "sun")
    response = post(client, "/login?next=/account/password", {"username": "sun", "password": PASSWORD})
    assert response.headers["location"] == "/account/password"
    client.cookies.clear()
    response = post(client, "/login", {"username": "sun", "password": PASSWORD, "next": "//evil.example/"})
    assert response.headers["location"] == "/"


def test_a_page_for_members_sends_strangers_to_login(client):
    response = client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"


def test_changing_the_password_ends_every_other_session_at_once(client, app, session):
    make_user(session, "zhou")
    other = TestClient(app, follow_redirects=False)
    login(client, "zhou")
    login(other, "zhou")
    assert other.get("/account").status_code == 200
    response = post(client, "/account/password", {"current": PASSWORD, "password": "brand-new-pass",
                                                  "confirm": "brand-new-pass"}, form_page="/account/password")
    assert response.status_code == 303
    assert client.get("/account").status_code == 200  # this browser stays logged in
    assert other.get("/account").status_code == 303  # the other one is out
    fresh = TestClient(app, follow_redirects=False)
    login(fresh, "zhou", "brand-new-pass")


def test_change_password_requires_the_current_one(client, session):
    make_user(session, "wu")
    login(client, "wu")
    response = post(client, "/account/password", {"current": "nope-nope", "password": "brand-new-pass",
                                                  "confirm": "brand-new-pass"}, form_page="/account/password")
    assert response.status_code == 422
    assert "当前密码不正确" in response.text


def test_idle_sessions_expire(client, session, database):
    make_user(session, "zheng")
    login(client, "zheng")
    with database.writing() as s:
        for record in s.exec(select(WebSession)).all():
            record.last_seen_at = utcnow() - timedelta(hours=5)
            s.add(record)
    assert client.get("/account").status_code == 303


def test_sessions_expire_after_their_absolute_lifetime_even_when_active(client, session, database):
    make_user(session, "feng")
    login(client, "feng")
    with database.writing() as s:
        for record in s.exec(select(WebSession)).all():
            record.created_at = utcnow() - timedelta(days=30)
            s.add(record)
    assert client.get("/account").status_code == 303


def test_repeated_failures_throttle_the_account_even_with_the_right_password(client, session):
    make_user(session, "chen")
    for _ in range(5):
        assert post(client, "/login", {"username": "chen", "password": "bad-password"}).status_code == 422
    response = post(client, "/login", {"username": "chen", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text


def test_someone_elses_failures_do_not_lock_the_owner_out_from_her_own_address(app, session):
    make_user(session, "song")
    attacker = TestClient(app, follow_redirects=False, client=("203.0.113.9", 4000))
    for _ in range(8):
        post(attacker, "/login", {"username": "song", "password": "bad-password"})
    assert post(attacker, "/login", {"username": "song", "password": PASSWORD}).status_code == 429
    owner = TestClient(app, follow_redirects=False, client=("198.51.100.7", 5000))
    login(owner, "song")  # from her own address: in at once


def test_the_wait_after_failures_grows_and_ends(client, session):
    from deliberate import clock

    make_user(session, "xu")
    for _ in range(5):
        post(client, "/login", {"username": "xu", "password": "bad-password"})
    assert post(client, "/login", {"username": "xu", "password": PASSWORD}).status_code == 429
    with clock.travel(timedelta(minutes=1, seconds=1)):  # a minute after the fifth
        assert post(client, "/login", {"username": "xu", "password": "bad-password"}).status_code == 422
        with clock.travel(timedelta(minutes=1, seconds=30)):  # the sixth: two minutes now
            assert post(client, "/login", {"username": "xu", "password": PASSWORD}).status_code == 429
        with clock.travel(timedelta(minutes=2, seconds=1)):
            login(client, "xu")


def test_throttle_backoff_doubles_up_to_the_window():
    from deliberate.accounts.throttle import backoff

    window = timedelta(minutes=15)
    assert [backoff(n, 5, window) for n in (4, 5, 6, 7, 8, 9)] == [
        timedelta(0), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8), window]


def test_forwarded_addresses_are_believed_only_from_the_configured_proxies(monkeypatch):
    from deliberate import cli

    seen = {}
    monkeypatch.setattr(cli.uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    cli.serve(Settings.from_env({}), "127.0.0.1", 8000, 1)
    assert seen["proxy_headers"] is False and seen["forwarded_allow_ips"] is None
    cli.serve(Settings.from_env({"FORWARDED_ALLOW_IPS": "10.0.0.2"}), "127.0.0.1", 8000, 1)
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "10.0.0.2"


def test_repeated_failures_from_one_address_throttle_every_account(client, session):
    make_user(session, "chu")
    for n in range(20):
        post(client, "/login", {"username": f"nobody{n}", "password": "bad-password"})
    assert post(client, "/login", {"username": "chu", "password": PASSWORD}).status_code == 429


def test_a_successful_login_clears_the_account_failures(client, session):
    make_user(session, "wei")
    for _ in range(4):
        post(client, "/login", {"username": "wei", "password": "bad-password"})
    login(client, "wei")
    post(client, "/logout", form_page="/account")
    for _ in range(4):
        post(client, "/login", {"username": "wei", "password": "bad-password"})
    login(client, "wei")


OWASP_MINIMUM = {"memory_cost": 19_456, "time_cost": 2, "parallelism": 1}  # argon2id, Password Storage Cheat Sheet


def test_passwords_are_hashed_with_argon2id_no_weaker_than_owasps_minimum(real_password_hashing):
    stored = passwords.hash_password(PASSWORD)
    parameters = extract_parameters(stored)
    assert parameters.type is Type.ID
    assert all(getattr(parameters, name) >= least for name, least in OWASP_MINIMUM.items() if name != "parallelism")
    assert parameters.salt_len >= 16 and parameters.hash_len >= 32
    assert passwords.verify(stored, PASSWORD) and not passwords.verify(stored, "wrong-password")
    assert not passwords.needs_rehash(stored)


def test_a_hash_made_with_old_parameters_is_renewed_at_login(client, session, real_password_hashing):
    user = make_user(session, "jiang")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    session.add(user)
    session.commit()
    assert passwords.needs_rehash(user.password_hash)
    login(client, "jiang")
    reload(session)
    renewed = session.get(User, user.id)
    assert renewed is not None and not passwords.needs_rehash(renewed.password_hash)
    assert extract_parameters(renewed.password_hash) == extract_parameters(passwords.hash_password(PASSWORD))
    assert passwords.verify(renewed.password_hash, PASSWORD)


def test_csrf_token_is_tied_to_the_session(client, app, session):
    make_user(session, "han")
    token = csrf_token(client)
    other = TestClient(app, follow_redirects=False)
    response = other.post("/login", data={"username": "han", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 403


def test_the_clock_sweeps_away_old_failures_and_ended_sessions(client, session, database):
    from deliberate import ticker
    from deliberate.accounts.models import LoginFailure

    make_user(session, "lu")
    post(client, "/login", {"username": "someone", "password": "bad-password"})
    with database.writing() as s:
        for failure in s.exec(select(LoginFailure)).all():
            failure.at = utcnow() - timedelta(hours=2)
            s.add(failure)
        s.add(WebSession(id="old", last_seen_at=utcnow() - timedelta(days=3)))
    login(client, "lu")
    ticker.tick(database)
    reload(session)
    assert session.exec(select(LoginFailure)).all() == []
    assert session.get(WebSession, "old") is None
    assert len(session.exec(select(WebSession)).all()) == 1  # lu's own, alive


def test_no_more_passwords_are_checked_at_once_than_the_hashing_threads(monkeypatch) -> None:
    """Sixteen logins at once: each check holds 19 MiB, so only a few run together, however many requests wait."""
    running = peak = 0
    guard = threading.Lock()

    class Slow:
        def verify(self, stored: str, password: str) -> bool:
            nonlocal running, peak
            with guard:
                running += 1
                peak = max(peak, running)
            time.sleep(0.02)
            with guard:
                running -= 1
            return True

    monkeypatch.setattr(passwords, "_hasher", Slow())
    with ThreadPoolExecutor(max_workers=16) as requests:
        answers = list(requests.map(lambda n: passwords.verify("stored", "password"), range(32)))
    assert answers == [True] * 32
    assert 2 <= peak <= passwords.HASHING_THREADS

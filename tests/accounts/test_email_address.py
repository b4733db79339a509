"""A person's e-mail address for notifications: kept private, checked, and easy to turn off."""

from __future__ import annotations

from client_helpers import csrf_token, login, post
from factories import make_user, reload

from deliberate.accounts import rules


def test_saving_an_address_turns_mail_on(client, session):
    user = make_user(session, "wang_fang", name="王芳")
    login(client, "wang_fang")
    response = post(client, "/account/email", {"email": " wang@example.com ", "notifications": "1"},
                    form_page="/account")
    assert response.status_code == 303 and response.headers["location"] == "/account"
    page = client.get("/account")
    assert "会发邮件到 wang@example.com" in page.text
    assert 'value="wang@example.com"' in page.text
    reload(session)
    assert user.email == "wang@example.com" and user.email_notifications is True


def test_unticking_keeps_the_address_and_stops_the_mail(client, session):
    user = make_user(session, "wang_fang")
    login(client, "wang_fang")
    post(client, "/account/email", {"email": "wang@example.com"}, form_page="/account")
    reload(session)
    assert user.email == "wang@example.com" and user.email_notifications is False
    assert "邮件通知已关闭" in client.get("/account").text


def test_an_empty_address_removes_it(client, session):
    user = make_user(session, "wang_fang")
    login(client, "wang_fang")
    post(client, "/account/email", {"email": "wang@example.com", "notifications": "1"}, form_page="/account")
    post(client, "/account/email", {"email": "", "notifications": "1"}, form_page="/account")
    reload(session)
    assert user.email is None


def test_a_bad_address_is_shown_again_with_the_reason_and_nothing_is_saved(client, session):
    user = make_user(session, "wang_fang")
    login(client, "wang_fang")
    post(client, "/account/email", {"email": "wang@example.com", "notifications": "1"}, form_page="/account")
    response = post(client, "/account/email", {"email": "wang at example", "notifications": "1"},
                    form_page="/account")
    assert response.status_code == 422
    assert "请填写有效的电子邮箱地址" in response.text
    assert 'value="wang at example"' in response.text and 'aria-invalid="true"' in response.text
    reload(session)
    assert user.email == "wang@example.com"


def test_the_form_needs_a_login_and_the_csrf_token(client, session):
    make_user(session, "wang_fang")
    token = csrf_token(client)
    assert client.post("/account/email", data={"email": "a@example.com", "csrf_token": token}).status_code == 303
    login(client, "wang_fang")
    assert client.post("/account/email", data={"email": "a@example.com"}).status_code == 403


def test_the_page_says_when_the_site_sends_no_mail(client, session):
    make_user(session, "wang_fang")
    login(client, "wang_fang")
    assert "本站还没有开通邮件发送" in client.get("/account").text


def test_address_rule():
    assert rules.check_email("") is None
    assert rules.check_email("wang.fang+1@mail.example.cn") is None
    for bad in ("wang", "wang@", "@example.com", "wang@example", "wang fang@example.com", "a@b@c.com",
                "x" * 250 + "@example.com"):
        assert rules.check_email(bad), bad

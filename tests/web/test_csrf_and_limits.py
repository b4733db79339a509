"""Unsafe requests need this session's token and this site's origin; big bodies are refused."""

from __future__ import annotations

from dataclasses import replace

from client_helpers import csrf_token, post
from factories import PASSWORD, make_user
from sqlmodel import select
from starlette.testclient import TestClient

from deliberate.accounts.models import User
from deliberate.app import create_app


def test_a_post_without_a_token_is_refused_with_403_in_chinese(client, session):
    make_user(session, "li")
    response = client.post("/login", data={"username": "li", "password": PASSWORD})
    assert response.status_code == 403
    assert "表单已过期或无效" in response.text


def test_a_post_with_a_wrong_token_is_refused(client):
    csrf_token(client)
    response = client.post("/register", data={"csrf_token": "forged", "username": "abc"})
    assert response.status_code == 403


def test_a_post_from_another_site_is_refused_even_with_a_token(client, session):
    token = csrf_token(client)
    response = client.post("/register", headers={"Origin": "https://evil.example"},
                           data={"csrf_token": token, "username": "abcd", "display_name": "x",
                                 "password": "longenough1", "confirm": "longenough1"})
    assert response.status_code == 403
    assert session.exec(select(User)).all() == []


def test_a_post_from_this_site_is_accepted(client):
    token = csrf_token(client)
    response = client.post("/register", headers={"Origin": "http://testserver"},
                           data={"csrf_token": token, "username": "abcd", "display_name": "x",
                                 "password": "longenough1", "confirm": "longenough1"})
    assert response.status_code == 303


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(settings, database):
    app = create_app(replace(settings, max_body_bytes=1000), database)
    with TestClient(app, follow_redirects=False) as client:
        token = csrf_token(client)
        response = client.post("/register", data={"csrf_token": token, "display_name": "x" * 5000})
        assert response.status_code == 413
        assert "提交的内容太大" in response.text


def test_a_bad_form_is_a_400_not_a_500(client):
    csrf_token(client)
    response = client.post("/register", content=b"--x\r\nbroken", headers={
        "Content-Type": "multipart/form-data; boundary=x"})
    assert response.status_code in (400, 403)


def test_forms_render_a_csrf_field(client):
    for url in ("/login", "/register"):
        assert 'name="csrf_token"' in client.get(url).text


def test_post_helper_round_trip(client, session):
    make_user(session, "zhang")
    assert post(client, "/login", {"username": "zhang", "password": PASSWORD}).status_code == 303

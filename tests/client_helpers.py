"""Acting as a browser does: forms carry the CSRF token of the page they came from."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: TestClient, url: str = "/login") -> str:
    page = client.get(url)
    found = CSRF.search(page.text)
    assert found, f"no CSRF token on {url} ({page.status_code})"
    return found.group(1)


def post(client: TestClient, url: str, data: dict | None = None, *, form_page: str = "/login", **kwargs):  # type: ignore[no-untyped-def]
    """POST a form as a browser does: with the token from a page of this session."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, form_page)}, **kwargs)


def login(client: TestClient, username: str, password: str = "password123") -> None:
    response = post(client, "/login", {"username": username, "password": password})
    assert response.status_code == 303, response.text


def logged_in(app, username: str, password: str = "password123") -> TestClient:  # type: ignore[no-untyped-def]
    """A browser of its own, logged in as `username`, that does not follow redirects (so tests see the 303)."""
    client = TestClient(app, follow_redirects=False)
    login(client, username, password)
    return client

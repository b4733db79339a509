"""Every form of the site, filled by Hypothesis with what people and attackers type, never answers with a 500.

Each POST route of the routing table is sent, by the demo login that may use it (LEVELS in
test_routes_and_roles), forms built from every field name the templates use, with values that are empty,
huge, malformed numbers and dates, control characters, SQL and markup, repeated fields and Chinese text.
The answer must be one a person can read: a page (200), a redirect (303), or a refusal (400, 403, 404, 409,
413, 422, 429)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from client_helpers import CSRF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_routes_and_roles import LEVELS, World, _client, _routes, _url, world  # noqa: F401 - the fixture

READABLE = {200, 303, 400, 403, 404, 409, 413, 422, 429}
SKIPPED = {"accounts:logout"}  # ends the login the other routes go on with
TEMPLATES = (Path(__file__).parent.parent / "templates").rglob("*.html")
FIELDS = sorted(set(re.findall(r'name="([a-z_]+)"', "".join(p.read_text(encoding="utf-8") for p in TEMPLATES)))
                - {"csrf_token"})

NASTY = st.one_of(
    st.sampled_from(["", " ", "0", "-1", "1e309", "99999999999999999999", "NaN", "1.5", "2026-02-30",
                     "2026-12-31T25:61", "' OR 1=1 --", "<script>alert(1)</script>", "%", "_", "\\", "\x00",
                     "null", "[]", "{}", "yes", "A", "1", "on", "同意", "幸福里社区", "👍" * 10]),
    st.text(max_size=40),
    st.text(alphabet="0123456789-.:T ", max_size=20),
    st.integers(min_value=-2**63, max_value=2**63).map(str),
    st.just("长" * 30_000),
)
FORMS = st.dictionaries(st.sampled_from(FIELDS), st.lists(NASTY, min_size=1, max_size=3), max_size=8)


def test_no_form_answers_with_a_server_error(app: Any, world: World) -> None:  # noqa: F811
    people: dict[str, Any] = {}
    wrong: list[str] = []
    for name, method, params in _routes(app):
        if method != "POST" or name in SKIPPED:
            continue
        level = LEVELS[(name, method)]
        who = level.removeprefix("local:") if level.startswith("local:") else "resident"
        who = world.authors.get(name, who) if who == "author" else who
        if who not in people:
            people[who] = _client(app, who)
        _fuzz(people[who], _url(app, world, name, params), f"({name}) as {who}", wrong)
    assert not wrong, "\n".join(wrong)


def _fuzz(client: Any, url: str, label: str, wrong: list[str]) -> None:
    @settings(max_examples=6, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(form=FORMS)
    def fill(form: dict[str, list[str]]) -> None:
        token = CSRF.search(client.get("/register").text)
        answer = client.post(url, data={**form, "csrf_token": token.group(1) if token else ""})
        if answer.status_code not in READABLE:
            wrong.append(f"POST {url} {label}: {answer.status_code} with {form!r:.300}")

    fill()

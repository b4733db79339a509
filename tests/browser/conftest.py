"""Real-browser tests: Debian's Chromium, driven by Playwright, against a live server on the demo community.

One server per test session, or per worker under `pytest -n` (a temporary SQLite database, migrated and loaded with
`deliberate demo`, served by uvicorn on a free loopback port; passwords hashed cheaply, see server.py), one browser,
and a fresh browser context per person.
Every page a journey reaches is checked with axe-core; see `Visitor`.

`make browser-deps` installs Chromium, the CJK fonts and axe-core; never `playwright install`.
On PostgreSQL (`.ci/run`'s second leg) the whole directory is skipped: the SQLite leg runs it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from deliberate.demo import DEMO_PASSWORD

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu",
    # Without these Chromium keeps calling home, which the closed network here refuses, slowly.
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
]
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "tests" / "screenshots"

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark everything here `browser`, and skip it on PostgreSQL: the browser tests run once per CI run."""
    skip = pytest.mark.skip(reason="browser tests run on the SQLite leg only (DATABASE_URL is PostgreSQL)")
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            if ON_POSTGRESQL:
                item.add_marker(skip)


# ---------------------------------------------------------------- the server under test


SERVER_SETTINGS = {
    "DATABASE_URL", "SECRET_KEY", "DELIBERATE_PRODUCTION", "COOKIE_SECURE", "SESSION_IDLE_MINUTES",
    "SESSION_ABSOLUTE_HOURS", "MAX_BODY_BYTES", "LOGIN_MAX_FAILURES_PER_ACCOUNT", "LOGIN_MAX_FAILURES_PER_ADDRESS",
    "LOGIN_THROTTLE_MINUTES", "PAGE_SIZE", "SQLITE_BUSY_TIMEOUT_MS", "FORWARDED_ALLOW_IPS",
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _command(program: str, *args: str) -> list[str]:
    """`deliberate …` or `uvicorn …` in this Python, hashing passwords cheaply (see server.py)."""
    return [sys.executable, str(HERE / "server.py"), program, *args]


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass(frozen=True)
class Server:
    url: str
    log: Path
    database_url: str  # a test may move time there: nobody waits for a meeting to begin


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("browser-server")
    log = workdir / "server.log"
    # The server's settings are the defaults, whatever this shell exports (COOKIE_SECURE=1 would lose every login).
    env = {name: value for name, value in os.environ.items() if name not in SERVER_SETTINGS}
    database_url = f"sqlite:///{workdir / 'browser.db'}"
    env |= {"DATABASE_URL": database_url, "SECRET_KEY": "browser-tests-" + "x" * 40}
    with log.open("w") as out:
        for step in (("db", "upgrade"), ("demo",)):
            done = subprocess.run(_command("deliberate", *step), env=env, cwd=PROJECT_ROOT, stdout=out,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False, timeout=300)
            if done.returncode:
                pytest.fail(f"`deliberate {' '.join(step)}` failed ({done.returncode}):\n{_tail(log)}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    out = log.open("a")
    process = subprocess.Popen(
        _command("uvicorn", "deliberate.asgi:app", "--host", "127.0.0.1", "--port", str(port)),
        env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{_tail(log)}")
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer on {url} within 30 s:\n{_tail(log)}")
            time.sleep(0.1)
        yield Server(url=url, log=log, database_url=database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        out.close()


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (never `playwright install`)")
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS.relative_to(PROJECT_ROOT)} is missing: run `make browser-deps`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# ---------------------------------------------------------------- accessibility (axe-core)

AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                                          summary: n.failureSummary}))}));
}"""
CSRF_VALUE = re.compile(r'value="[^"]{20,}"')


@dataclass
class Audit:
    """axe-core's serious and critical findings on every distinct page that the session's journeys reach."""

    pages: dict[str, dict[str, Any]] = field(default_factory=dict)  # fingerprint -> {url, who, violations}

    def check(self, page: Any, who: str) -> list[dict[str, Any]]:
        # The same page at the same width needs checking once (colour and size findings depend on the width).
        html = CSRF_VALUE.sub("", page.content())
        fingerprint = hashlib.sha256(f"{page.viewport_size['width']}\n{html}".encode()).hexdigest()
        if fingerprint in self.pages:
            return self.pages[fingerprint]["violations"]
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate(AXE_RUN)
        self.pages[fingerprint] = {"url": page.url, "who": who, "width": page.viewport_size["width"],
                                   "violations": violations}
        return violations

    def write_report(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(list(self.pages.values()), ensure_ascii=False, indent=2))


AXE_REPORT = SCREENSHOTS / "axe-report.json"
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, … under `pytest -n`: each has its own server


@pytest.fixture(scope="session")
def audit() -> Iterator[Audit]:
    audit = Audit()
    yield audit
    audit.write_report(AXE_REPORT.with_suffix(f".{WORKER}.json") if WORKER else AXE_REPORT)


def worker_reports() -> list[Path]:
    return sorted(SCREENSHOTS.glob("axe-report.gw*.json"))


def join_worker_reports() -> None:
    """Under `pytest -n`, the workers' reports become one axe-report.json (the controller calls this)."""
    parts = worker_reports()
    if parts:
        pages = [page for part in parts for page in json.loads(part.read_text())]
        AXE_REPORT.write_text(json.dumps(pages, ensure_ascii=False, indent=2))
        for part in parts:
            part.unlink()


def describe(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{url}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"      at {node['target']}  {node['html']}")
            lines.append("         " + (node["summary"] or "").replace("\n", "\n         "))
    return "\n".join(lines)


# ---------------------------------------------------------------- a person at a browser


class Visitor:
    """One person in one browser context. Every page they arrive at is recorded and checked with axe."""

    def __init__(self, page: Any, base_url: str, audit: Audit, who: str, *, javascript: bool = True) -> None:
        self.page = page
        self.base_url = base_url
        self.audit = audit
        self.who = who
        self.javascript = javascript
        self.visited: list[str] = []
        self.problems: dict[str, list[dict[str, Any]]] = {}

    # arriving somewhere
    def arrived(self) -> None:
        """The person looks at the page they are on: record it and check it with axe."""
        self.page.wait_for_load_state("load")
        self.visited.append(self.page.url)
        if not self.javascript:
            return  # axe needs JavaScript; the same server-rendered pages are checked in the other journeys
        found = self.audit.check(self.page, self.who)
        if found:
            self.problems.setdefault(f"{self.page.url} ({self.who})", found)

    @contextmanager
    def leaving(self) -> Iterator[None]:
        """Around an action that loads another page (a link, a form): wait for it, then look at it."""
        with self.page.expect_navigation(wait_until="load") as navigation:
            yield
        response = navigation.value
        assert response is not None and response.ok, f"{response and response.status} at {self.page.url}"
        self.arrived()

    def take_problems(self) -> dict[str, list[dict[str, Any]]]:
        """axe's findings on the pages seen since the last call, by page."""
        problems, self.problems = self.problems, {}
        return problems

    def open(self, path: str) -> None:
        with self.leaving():
            self.page.goto(self.base_url + path)

    def follow(self, name: str, *, within: Any = None, exact: bool = True) -> None:
        """Click the link with this accessible name (inside `within`, a locator, if given)."""
        with self.leaving():
            (within or self.page).get_by_role("link", name=name, exact=exact).click()

    def press(self, name: str, *, within: Any = None, exact: bool = True) -> None:
        """Click the button with this accessible name: a form is sent and the answer arrives."""
        with self.leaving():
            (within or self.page).get_by_role("button", name=name, exact=exact).click()

    def reload(self) -> None:
        with self.leaving():
            self.page.reload()

    # finding things as a person does
    def field(self, label: str) -> Any:
        """The form field with this label, as it reads on screen: a required one's label ends in " *"."""
        return self.page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*\*)?\s*$"))

    def section(self, heading: str) -> Any:
        """The part of the page under this heading."""
        return self.page.locator("section").filter(
            has=self.page.get_by_role("heading", name=heading, exact=True)
        )

    def menu(self, name: str = "主菜单") -> Any:
        return self.page.get_by_role("navigation", name=name)

    def log_in(self, username: str, password: str = DEMO_PASSWORD, *, login: str = "登录",
               username_label: str = "用户名", password_label: str = "密码", menu: str = "主菜单") -> None:
        self.follow(login, within=self.menu(menu))
        self.field(username_label).fill(username)
        self.field(password_label).fill(password)
        self.press(login, within=self.page.get_by_role("main"))


def new_visitor(browser: Any, server: Server, audit: Audit, who: str, *, language: str = "zh-CN",
                javascript: bool = True, **options: Any) -> tuple[Any, Visitor]:
    """A fresh browser context (a phone in Chinese unless told) and the person using it."""
    settings = {**PHONE, "locale": language, "extra_http_headers": {"Accept-Language": language},
                "java_script_enabled": javascript, **options}
    context = browser.new_context(**settings)
    context.set_default_timeout(10_000)
    if javascript:  # axe-core in every page from its start: ~0.1 s quicker a page than adding it when checking
        context.add_init_script(path=str(AXE_JS))
    page = context.new_page()
    page.on("console", lambda message: _note_csp(message, who))
    return context, Visitor(page, server.url, audit, who, javascript=javascript)


CSP_REFUSALS: list[str] = []


def _note_csp(message: Any, who: str) -> None:
    """Chromium tells the console when the Content-Security-Policy refuses something a page asked for."""
    if "Content Security Policy" in message.text:
        CSP_REFUSALS.append(f"{who}: {message.text}")


def fail_on_axe_findings(visitors: list[Visitor]) -> None:
    problems = [describe(where, found) for v in visitors for where, found in v.take_problems().items()]
    if problems:
        pytest.fail("axe-core found serious or critical violations:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def person(browser: Any, server: Server, audit: Audit) -> Iterator[Callable[..., Visitor]]:
    """`person("who", **context options)`: one person in a fresh browser context, closed after the test."""
    contexts: list[Any] = []
    visitors: list[Visitor] = []

    def make(who: str, **options: Any) -> Visitor:
        context, visitor = new_visitor(browser, server, audit, who, **options)
        contexts.append(context)
        visitors.append(visitor)
        return visitor

    yield make
    for context in contexts:
        context.close()
    # Checked when the journey is over, so that a page's findings never hide how the journey went.
    fail_on_axe_findings(visitors)
    refused, CSP_REFUSALS[:] = list(CSP_REFUSALS), []
    if refused:
        pytest.fail("the Content-Security-Policy refused what a page asked for:\n" + "\n".join(refused), pytrace=False)

"""`make bench`: the server as users start it, driven by wrk from another process, beside its floors.

For each page of the bench data (bench/urls.json's shape), its `.json` twin, ballots cast by logged-in voters
and logins, wrk measures `deliberate serve` and then a bare Starlette app under the same uvicorn with the same
workers (bench/floor.py): the page's captured bytes from memory, or a form parsed and one row committed. The
two alternate, page by page, so both see the same machine. Prints a table, appends it to bench/RESULTS.md and
writes the raw figures to data/bench-results-latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from html import unescape
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx2 as httpx

from bench import demo_urls
from bench.floor import BALLOT_PATH, make_table

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
LUA = Path(__file__).parent / "wrk.lua"
RESULTS = Path(__file__).parent / "RESULTS.md"
LATEST = DATA / "bench-results-latest.json"
BIN = Path(sys.executable).parent
# Not a production key: the bench database is a scratch one, and the same key must open it run after run
# (secret ballots sealed under it stay readable; CSRF tokens signed with it stay valid).
SECRET_KEY = "deliberate-bench-scratch-key-not-for-production-0123456789"
SECONDS = {"district": 10.0, "small": 4.0}
CONNECTIONS, THREADS = 16, 2
BALLOT_CONNECTIONS, BALLOT_WORKERS = 64, 4
LOGIN_CONNECTIONS = 8
# A floor answers thousands a second: half the time measures it as well and keeps `make bench SCALE=small` under
# 5 minutes. A login takes seconds under load, and wrk counts only requests answered before the end: 10 s at least.
FLOOR_SHARE, FLOOR_MIN_S = 0.5, 2.0
LOGIN_MIN_S = 10.0

PAGE_RATIO, PAGE_P99_MS = 25.0, 100.0
BALLOT_RATIO = 50.0
LOGINS_PER_S = 10.0
RSS_MB = 250.0


# wrk ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """One wrk run, from the BENCH_RESULT line of bench/wrk.lua."""

    requests: int
    seconds: float
    ok: int
    bad: int
    bad_statuses: dict[str, int]
    socket_errors: int
    timeouts: int
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.bad + self.socket_errors + self.timeouts


def parse_wrk(output: str) -> Load:
    """The figures of wrk's output, from its last `BENCH_RESULT {json}` line."""
    lines = [line for line in output.splitlines() if line.startswith("BENCH_RESULT ")]
    if not lines:
        raise ValueError("wrk printed no BENCH_RESULT line:\n" + output[-2000:])
    raw = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
    return Load(requests=raw["requests"], seconds=raw["duration_us"] / 1e6, ok=raw["ok"], bad=raw["bad"],
                bad_statuses={str(k): v for k, v in raw["bad_statuses"].items()},
                socket_errors=raw["socket_errors"], timeouts=raw["timeouts"],
                p50_ms=raw["p50_us"] / 1000, p99_ms=raw["p99_us"] / 1000)


def wrk(url: str, seconds: float, *, connections: int = CONNECTIONS, cookie: str = "",
        requests: Path | None = None, ok: str = "") -> Load:
    env = {**os.environ, "BENCH_COOKIE": cookie, "BENCH_REQUESTS": str(requests or ""), "BENCH_OK": ok}
    command = ["wrk", "-t", str(THREADS), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "10s",
               "--latency", "-s", str(LUA), url]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def write_requests(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """A BENCH_REQUESTS file: method, path, cookie, body, tab-separated."""
    path.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


# Servers ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes: the server itself with one worker, its spawned children with more."""
        children: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            children += [int(pid) for pid in task.read_text().split()]
        workers = [pid for pid in children if b"spawn_main" in _cmdline(pid)]
        return workers or [self.process.pid]

    def peak_rss_mb(self) -> list[float]:
        return [_vm_hwm_kb(pid) / 1024 for pid in self.worker_pids()]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


@contextmanager
def serving(name: str, command: list[str], env: dict[str, str], port: int) -> Iterator[Server]:
    log = DATA / f"bench-{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(name, process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_until_it_answers(server)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 15)  # the group this harness started: uvicorn and its workers
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()


def _wait_until_it_answers(server: Server, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited ({server.process.returncode}):\n"
                               + server.log.read_text(errors="replace")[-3000:])
        try:
            httpx.get(server.base + "/", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s")


def app_env(database_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY}


def app_server(database_url: str, workers: int) -> Any:
    port = free_port()
    command = [str(BIN / "deliberate"), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]
    return serving(f"app-{workers}w", command, app_env(database_url), port)


def floor_server(manifest: Path, database_url: str, workers: int) -> Any:
    port = free_port()
    env = {**os.environ, "BENCH_FLOOR_PAGES": str(manifest), "BENCH_FLOOR_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "uvicorn", "bench.floor:app", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(workers)]
    return serving(f"floor-{workers}w", command, env, port)


# Logging in and capturing -------------------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def cookie_header(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def login_form(base: str) -> tuple[str, str]:
    """An anonymous browser's cookie and the CSRF token of its login form."""
    with httpx.Client(base_url=base, follow_redirects=False, timeout=120) as client:
        page = client.get("/login")
        found = CSRF.search(page.text)
        if page.status_code != 200 or not found:
            raise RuntimeError(f"GET /login answered {page.status_code} without a CSRF token")
        return cookie_header(client), unescape(found.group(1))


def log_in(base: str, username: str, password: str) -> str:
    """The cookie of a browser logged in as `username`."""
    with httpx.Client(base_url=base, follow_redirects=False, timeout=120) as client:
        page = client.get("/login")
        found = CSRF.search(page.text)
        if not found:
            raise RuntimeError("GET /login has no CSRF token")
        answer = client.post("/login", data={"username": username, "password": password,
                                             "csrf_token": unescape(found.group(1))})
        if answer.status_code != 303:
            raise RuntimeError(f"logging in as {username} answered {answer.status_code}")
        return cookie_header(client)


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    cookie: str
    content_type: str
    body: bytes


def twin(path: str) -> str:
    parts = urlsplit(path)
    twin_path = "/index.json" if parts.path == "/" else parts.path + ".json"
    return twin_path + (f"?{parts.query}" if parts.query else "")


def capture(base: str, urls: dict[str, Any], staff_cookie: str) -> tuple[list[Target], list[str]]:
    """Each page's bytes (and its `.json` twin's, when there is one), fetched once as its reader sees them."""
    pages = [(name, path, "") for name, path in urls.get("pages", {}).items()]
    pages += [(name, path, staff_cookie) for name, path in urls.get("staff_pages", {}).items()]
    targets, skipped, seen = [], [], set()
    with httpx.Client(base_url=base, follow_redirects=False, timeout=600) as client:
        for name, path, cookie in pages:
            for label, url in ((name, path), (name + ".json", twin(path))):
                if (url, cookie) in seen or (label != name and name.endswith(".json")):
                    continue  # a twin urls.json lists as a page of its own is measured once
                seen.add((url, cookie))
                answer = client.get(url, headers={"Cookie": cookie} if cookie else {})
                if answer.status_code == 200:
                    targets.append(Target(label, url, cookie, answer.headers.get("content-type", "text/html"),
                                          answer.content))
                elif label == name:
                    skipped.append(f"{name} ({path}) answered {answer.status_code}")
    return targets, skipped


def write_manifest(folder: Path, targets: list[Target]) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    entries = {}
    for number, target in enumerate(targets):
        (folder / f"{number}.body").write_bytes(target.body)
        entries[target.path] = [target.content_type, f"{number}.body"]
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return manifest


BALLOT_FORM = re.compile(r'<form method="post" action="(/votes/\d+/ballot)" class="ballot">(.*?)</form>', re.S)
HIDDEN = re.compile(r'name="(csrf_token|entry)" value="([^"]*)"')
CHOICE = re.compile(r'name="choice" value="([^"]*)"')


def ballot_bodies(base: str, voters: list[dict[str, str]]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(path, cookie, body) of each voter's ballot in two versions (a changed ballot on each request), after
    one real cast each: a voter whose ballot cannot be changed without a receipt (a secret vote) is left out."""
    rows, left_out = [], []
    with ThreadPoolExecutor(max_workers=4) as pool:  # logging in is argon2's time: a few at once
        for voter, found in zip(voters, pool.map(lambda voter: _prime(base, voter), voters), strict=True):
            if isinstance(found, str):
                left_out.append(f"{voter['username']}: {found}")
            else:
                rows += found
    return rows, left_out


def _prime(base: str, voter: dict[str, str]) -> list[tuple[str, str, str]] | str:
    cookie = log_in(base, voter["username"], voter["password"])
    with httpx.Client(base_url=base, follow_redirects=False, headers={"Cookie": cookie}, timeout=120) as client:
        form = _ballot_form(client, voter["vote"])
        if form is None:
            return f"no ballot form on {voter['vote']} (closed, not on the roll, or a receipt needed)"
        action, fields, choices = form
        bodies = [urlencode({**fields, "choice": choice}) for choice in (choices[:2] * 2)[:2]]
        first = client.post(action, content=bodies[0], headers={"Content-Type": "application/x-www-form-urlencoded"})
        if first.status_code not in (200, 303) or _ballot_form(client, voter["vote"]) is None:
            return f"casting answered {first.status_code}, or a change needs a receipt (a secret vote)"
        return [(action, cookie, body) for body in bodies]


def _ballot_form(client: httpx.Client, vote: str) -> tuple[str, dict[str, str], list[str]] | None:
    found = BALLOT_FORM.search(client.get(vote).text)
    if found is None or 'name="receipt"' in found.group(2):
        return None
    fields = {name: unescape(value) for name, value in HIDDEN.findall(found.group(2))}
    choices = [unescape(value) for value in CHOICE.findall(found.group(2))]
    if set(fields) != {"csrf_token", "entry"} or not choices:
        return None
    return found.group(1), fields, choices


# Bench data ---------------------------------------------------------------------------------------


def bench_data_exists() -> bool:
    done = subprocess.run([str(BIN / "deliberate"), "bench-data", "--help"], capture_output=True, check=False)
    return done.returncode == 0


def reset_postgres(database_url: str) -> None:
    name = database_url.rsplit("/", 1)[-1].split("?")[0]
    if "bench" not in name and "test" not in name:
        raise SystemExit(f"bench: refusing to empty the PostgreSQL database {name!r}: its name must contain "
                         '"bench" or "test"')
    import psycopg

    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as pg:
        pg.execute("DROP SCHEMA public CASCADE")
        pg.execute("CREATE SCHEMA public")


def prepare(scale: str, database_url: str | None) -> tuple[str, Path, str]:
    """(database URL, urls.json, what data it is): bench-data at this scale, loaded once and reused while its
    marker says so, or the demo community when `deliberate bench-data` does not exist yet."""
    DATA.mkdir(exist_ok=True)
    if not bench_data_exists():
        print("bench: `deliberate bench-data` does not exist on this branch; falling back to the demo "
              f"community (about 300 households), not the {scale} scale: read its figures as a smoke test.")
        url = database_url or f"sqlite:///{DATA / 'bench-demo.db'}"
        _empty(url)
        urls = DATA / "bench-demo.urls.json"
        demo_urls.build(url, urls)
        return url, urls, f"demo community (bench-data missing; asked for {scale})"
    url = database_url or f"sqlite:///{DATA / f'bench-{scale}.db'}"
    urls = DATA / f"bench-{scale}.urls.json"
    marker = DATA / f"bench-{scale}.done"
    wanted = {"scale": scale, "database_url": url}
    if marker.exists() and urls.exists() and json.loads(marker.read_text()) == wanted and _present(url):
        print(f"bench: reusing the {scale} bench data in {_shown(url)} ({marker.name} says it loaded completely)")
        return url, urls, scale
    marker.unlink(missing_ok=True)
    _empty(url)
    print(f"bench: loading the {scale} bench data into {_shown(url)} (once; reused by later runs)")
    started = time.monotonic()
    subprocess.run([str(BIN / "deliberate"), "bench-data", "--scale", scale, "--database-url", url,
                    "--urls", str(urls)], env=app_env(url), check=True)
    print(f"bench: loaded in {time.monotonic() - started:.0f} s")
    marker.write_text(json.dumps(wanted))
    return url, urls, scale


def _empty(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        reset_postgres(url)


def _present(url: str) -> bool:
    return not url.startswith("sqlite:///") or Path(url.removeprefix("sqlite:///")).exists()


def _shown(url: str) -> str:
    return re.sub(r"//([^:@/]+):[^@/]*@", r"//\1:***@", url)


# The run ------------------------------------------------------------------------------------------


@dataclass
class Row:
    page: str
    workers: int
    app: Load
    floor: Load | None
    connections: int = CONNECTIONS
    target: str = ""
    met: bool = True
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.floor is None or not self.floor.per_second:
            return None
        return 100 * self.app.per_second / self.floor.per_second


@dataclass
class Run:
    rows: list[Row] = field(default_factory=list)
    rss: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def judge_page(row: Row) -> Row:
    ratio = row.ratio or 0.0
    row.target = f"≥ {PAGE_RATIO:.0f} % of floor, p99 ≤ {PAGE_P99_MS:.0f} ms"
    row.met = ratio >= PAGE_RATIO and row.app.p99_ms <= PAGE_P99_MS and row.app.errors == 0
    return row


def judge_ballots(row: Row) -> Row:
    if row.connections == BALLOT_CONNECTIONS:
        row.target = f"0 errors at {BALLOT_CONNECTIONS} clients over {BALLOT_WORKERS} workers"
        row.met = row.app.errors == 0
    else:
        row.target = f"≥ {BALLOT_RATIO:.0f} % of floor, 0 errors"
        row.met = (row.ratio or 0.0) >= BALLOT_RATIO and row.app.errors == 0
    return row


def judge_logins(row: Row) -> Row:
    row.target = f"≥ {LOGINS_PER_S:.0f}/s, 0 errors"
    row.met = row.app.per_second >= LOGINS_PER_S and row.app.errors == 0
    return row


def floor_seconds(seconds: float) -> float:
    return max(FLOOR_MIN_S, seconds * FLOOR_SHARE)


def measure(database_url: str, urls_path: Path, seconds: float, workers_list: list[int]) -> Run:
    urls = json.loads(urls_path.read_text(encoding="utf-8"))
    run = Run()
    floor_db = database_url if not database_url.startswith("sqlite") else f"sqlite:///{DATA / 'bench-floor.db'}"
    _empty_floor(floor_db)
    subprocess.run([str(BIN / "deliberate"), "db", "upgrade"], env=app_env(database_url), check=True,
                   capture_output=True)
    targets: list[Target] = []
    ballots: list[tuple[str, str, str]] = []
    logins: list[tuple[str, str, str, str]] = []
    manifest = DATA / "bench-floor" / "manifest.json"
    for workers in workers_list:
        with app_server(database_url, workers) as app:
            if not targets:
                staff = urls["staff"]
                targets, skipped = capture(app.base, urls, log_in(app.base, staff["username"], staff["password"]))
                run.notes += [f"not measured: {reason}" for reason in skipped]
                manifest = write_manifest(DATA / "bench-floor", targets)
                ballots, left_out = ballot_bodies(app.base, urls.get("voters", []))
                run.notes += [f"voter left out: {reason}" for reason in left_out]
                logins = _login_rows(app.base, urls)
            with floor_server(manifest, floor_db, workers) as floor:
                _warm(app, floor, targets)
                for target in targets:
                    floor_load = wrk(floor.base + target.path, floor_seconds(seconds))
                    app_load = wrk(app.base + target.path, seconds, cookie=target.cookie)
                    run.rows.append(judge_page(Row(target.name, workers, app_load, floor_load)))
                    print(_line(run.rows[-1]), flush=True)
            if ballots:
                row = _ballot_row(app, (manifest, floor_db), ballots, seconds, workers, CONNECTIONS)
                run.rows.append(judge_ballots(row))
                print(_line(run.rows[-1]), flush=True)
            run.rss[f"{workers} worker(s), pages and ballots"] = app.peak_rss_mb()
            if logins:
                requests = write_requests(DATA / "bench-logins.tsv", logins)
                load = wrk(app.base + "/login", max(seconds, LOGIN_MIN_S), connections=LOGIN_CONNECTIONS,
                           requests=requests, ok="303")
                run.rows.append(judge_logins(Row("login (POST)", workers, load, None, LOGIN_CONNECTIONS)))
                print(_line(run.rows[-1]), flush=True)
            if logins:  # argon2id takes 64 MB per hash in flight: the logins' own peak
                run.rss[f"{workers} worker(s), after the logins too"] = app.peak_rss_mb()
    if ballots:
        with app_server(database_url, BALLOT_WORKERS) as app:
            row = _ballot_row(app, (manifest, floor_db), ballots, seconds, BALLOT_WORKERS, BALLOT_CONNECTIONS)
            run.rows.append(judge_ballots(row))
            print(_line(run.rows[-1]), flush=True)
            run.rss[f"{BALLOT_WORKERS} workers, ballots at {BALLOT_CONNECTIONS} connections"] = app.peak_rss_mb()
    else:
        run.notes.append("no ballots measured: no voter could cast a ballot online")
    return run


def _empty_floor(floor_db: str) -> None:
    if floor_db.startswith("sqlite:///"):
        _empty(floor_db)
    make_table(floor_db).dispose()


def _login_rows(base: str, urls: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    accounts = {urls["staff"]["username"]: urls["staff"]["password"]}
    accounts |= {v["username"]: v["password"] for v in urls.get("voters", [])}
    rows = []
    for username, password in accounts.items():
        cookie, token = login_form(base)
        rows.append(("POST", "/login", cookie,
                     urlencode({"username": username, "password": password, "csrf_token": token})))
    return rows


def _ballot_row(app: Server, floor_setup: tuple[Path, str], ballots: list[tuple[str, str, str]], seconds: float,
                workers: int, connections: int) -> Row:
    """The POST floor runs in a floor server of its own, stopped before the app's run: its pooled connections
    would otherwise count against PostgreSQL's max_connections while the app casts."""
    app_requests = write_requests(DATA / "bench-ballots.tsv", [("POST", p, c, b) for p, c, b in ballots])
    floor_requests = write_requests(DATA / "bench-floor-ballots.tsv", [("POST", BALLOT_PATH, "", b)
                                                                       for _p, _c, b in ballots])
    with floor_server(*floor_setup, workers) as floor:
        floor_load = wrk(floor.base + BALLOT_PATH, floor_seconds(seconds), connections=connections,
                         requests=floor_requests, ok="303,200")
    app_load = wrk(app.base + "/", seconds, connections=connections, requests=app_requests, ok="303,200")
    return Row("ballot (POST)", workers, app_load, floor_load, connections)


def _warm(app: Server, floor: Server, targets: list[Target]) -> None:
    """Every worker imports, compiles its templates and opens its connections before anything is timed."""
    for target in targets[:1]:
        wrk(floor.base + target.path, 1)
        wrk(app.base + target.path, 1, cookie=target.cookie)


# Output -------------------------------------------------------------------------------------------

HEADER = ("| page | workers | conns | app req/s | p50 ms | p99 ms | errors | floor req/s | app/floor % | target | "
          "met |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")


def _line(row: Row) -> str:
    floor = f"{row.floor.per_second:,.0f}" if row.floor else "—"
    ratio = f"{row.ratio:.1f}" if row.ratio is not None else "—"
    errors = f"{row.app.errors}" + (f" ({_statuses(row.app)})" if row.app.errors else "")
    return (f"| {row.page} | {row.workers} | {row.connections} | {row.app.per_second:,.1f} | {row.app.p50_ms:.1f} | "
            f"{row.app.p99_ms:.1f} | {errors} | {floor} | {ratio} | {row.target} | "
            f"{'met' if row.met else 'MISSED'} |")


def _statuses(load: Load) -> str:
    parts = [f"{status}: {n}" for status, n in sorted(load.bad_statuses.items())]
    parts += [f"socket: {load.socket_errors}"] * bool(load.socket_errors)
    parts += [f"timeout: {load.timeouts}"] * bool(load.timeouts)
    return ", ".join(parts)


def machine(database_url: str) -> dict[str, str]:
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    facts = {
        "nproc": str(os.cpu_count()),
        "memory": f"{int(memory) / 1024 / 1024:.1f} GB",
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "uvicorn": version("uvicorn"),
        "starlette": version("starlette"),
        "wrk": (wrk_version.stdout or wrk_version.stderr).split("[")[0].strip(),
    }
    if not database_url.startswith("sqlite"):
        import psycopg

        with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as pg:
            row = pg.execute("SHOW server_version").fetchone()
            facts["postgresql"] = str(row[0]) if row else "?"
    return facts


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def report(run: Run, facts: dict[str, str], *, scale: str, database_url: str, seconds: float,
           load_start: str, load_end: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    database = "SQLite" if database_url.startswith("sqlite") else f"PostgreSQL {facts.get('postgresql', '')}"
    lines = [
        f"### `make bench`, {stamp}: {scale}, {database}",
        "",
        f"Machine: {facts['nproc']} CPUs, {facts['memory']}, load (1/5/15 min) {load_start} at the start, "
        f"{load_end} at the end. Python {facts['python']}, SQLite {facts['sqlite']}, uvicorn {facts['uvicorn']}, "
        f"Starlette {facts['starlette']}, {facts['wrk']}"
        + (f", PostgreSQL {facts['postgresql']}" if "postgresql" in facts else "") + ". "
        f"wrk {THREADS} threads, {seconds:g} s per app run ({floor_seconds(seconds):g} s per floor run, "
        f"{max(seconds, LOGIN_MIN_S):g} s for logins); floor and app alternate within the run.",
        "",
        HEADER,
        *(_line(row) for row in run.rows),
        "",
    ]
    for workers, sizes in run.rss.items():
        peak = max(sizes) if sizes else 0.0
        lines.append(f"- Peak RSS per server worker (VmHWM), {workers}: "
                     f"{', '.join(f'{mb:.0f}' for mb in sizes)} MB (target ≤ {RSS_MB:.0f} MB: "
                     f"{'met' if peak <= RSS_MB else 'MISSED'})")
    lines += [f"- {note}" for note in run.notes]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--scale", choices=["small", "district"], default="district")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or None,
                        help="PostgreSQL (postgresql+psycopg://…; emptied first, its name must contain "
                             '"bench" or "test"); SQLite in data/ by default')
    parser.add_argument("--urls", type=Path, help="measure this urls.json against --database-url as it is, "
                                                  "without loading anything")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS") or 0) or None)
    parser.add_argument("--workers", default="1,2", help="worker counts for pages (default 1,2)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench: wrk is not installed (`apt-get install -y wrk`, or `make bench` does it)")
    seconds = args.seconds or SECONDS[args.scale]
    if args.urls:
        if not args.database_url:
            raise SystemExit("bench: --urls needs --database-url (the database it describes)")
        database_url, urls, scale = args.database_url, args.urls, f"{args.urls} as given"
    else:
        database_url, urls, scale = prepare(args.scale, args.database_url)
    load_start = load_average()
    started = time.monotonic()
    facts = machine(database_url)
    run = measure(database_url, urls, seconds, [int(w) for w in args.workers.split(",")])
    text = report(run, facts, scale=scale, database_url=database_url, seconds=seconds, load_start=load_start,
                  load_end=load_average())
    print("\n" + text)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n" + text)
    LATEST.write_text(json.dumps({
        "scale": scale, "database": _shown(database_url), "seconds": seconds, "machine": facts,
        "load_start": load_start, "load_end": load_average(), "elapsed_s": round(time.monotonic() - started, 1),
        "rows": [{**asdict(row), "ratio_percent": row.ratio} for row in run.rows],
        "peak_rss_mb": run.rss, "notes": run.notes,
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"bench: {time.monotonic() - started:.0f} s; appended to {RESULTS.relative_to(ROOT)}, raw figures in "
          f"{LATEST.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

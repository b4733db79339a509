"""The `deliberate` command: database migrations, backups, the demo community, serving, the clock, recounting a vote."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

import uvicorn
from alembic import command
from alembic.config import Config
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from deliberate import connections, demo, ticker
from deliberate.backup import BackupFailed, Copy, back_up, restore
from deliberate.bench_data import load as bench_load
from deliberate.bench_data.sizes import SCALES
from deliberate.db import Database
from deliberate.inbox import mailing
from deliberate.mail import DeliveryFailed, Message, SmtpSender
from deliberate.places.models import Place
from deliberate.settings import PROJECT_ROOT, Settings, SettingsError
from deliberate.voting import urn
from deliberate.voting.recount import main as recount_main


def _alembic_config(settings: Settings) -> Config:

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return config


def db_upgrade(settings: Settings, revision: str = "head") -> None:
    if settings.is_sqlite:
        path = settings.database_url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(_alembic_config(settings), revision)


def backup(settings: Settings, path: str, *, force: bool) -> int:
    try:
        copy = back_up(settings, Path(path), force=force)
    except BackupFailed as error:
        print(f"deliberate: backup failed: {error}", file=sys.stderr)
        return 1
    print(f"Backed up the database to {copy.path}")
    _describe(copy)
    return 0


def restore_backup(settings: Settings, path: str, *, force: bool) -> int:
    try:
        copy = restore(settings, Path(path), force=force)
    except BackupFailed as error:
        print(f"deliberate: restore failed: {error}", file=sys.stderr)
        return 1
    print(f"Restored {path} as the database {copy.path}")
    _describe(copy)
    db_upgrade(settings)
    print("Migrated to the newest schema.")
    return 0


def _describe(copy: Copy) -> None:
    print(f"  size: {copy.size / 1_048_576:.1f} MB ({copy.size:,} bytes)")
    print(f"  schema: Alembic revision {copy.revision or 'none'}")
    if copy.rows:
        filled = {table: count for table, count in copy.rows.items() if count and table != "alembic_version"}
        print(f"  {len(copy.rows)} tables, {sum(filled.values()):,} rows: "
              + (", ".join(f"{table} {count:,}" for table, count in filled.items()) or "all empty"))


def load_demo(settings: Settings, *, if_empty: bool) -> int:
    database = Database(settings)
    try:
        with database.writing() as session:
            if session.exec(select(Place.id).limit(1)).first() is not None:
                if if_empty:
                    print("The database already holds places; demo not loaded.")
                    return 0
                print("The database is not empty; the demo loads only into an empty database.", file=sys.stderr)
                return 1
            summary = demo.load_demo(session)
    finally:
        database.dispose()
    print(f"Demo community loaded: {summary.households} households in {summary.buildings} buildings.")
    print(f"Logins (password {demo.DEMO_PASSWORD}):")
    for username, name, what in summary.logins:
        print(f"  {username:<14} {name:<8} {what}")
    return 0


def bench_data(settings: Settings, scale: str, seed: int, urls: str) -> int:
    try:
        bench_load.check_empty(settings)  # before migrating: a database in use is left as it is
        db_upgrade(settings)
        loaded = bench_load.load(settings, SCALES[scale], seed=seed)
    except bench_load.NotEmpty as full:
        print(f"deliberate: the database is not empty (table {full} has rows); bench-data loads only into an "
              "empty database.", file=sys.stderr)
        return 2
    bench_load.write_urls(loaded.urls, Path(urls))
    rows = sum(loaded.counts.values())
    print(f"Loaded the {scale} benchmark data (seed {seed}): {rows:,} rows in {loaded.seconds:.0f} s; "
          f"URLs in {urls}")
    return 0


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    settings.check()
    _check_sealing_key(settings)
    if not settings.is_sqlite:
        _fit_the_connections(settings, workers)
    trusted = settings.forwarded_allow_ips
    uvicorn.run("deliberate.asgi:app", host=host, port=port, workers=workers, proxy_headers=bool(trusted),
                forwarded_allow_ips=trusted or None)


def _fit_the_connections(settings: Settings, workers: int) -> None:
    """On PostgreSQL, fewer request threads per worker when the workers' pools would not fit in the server's
    free connections (each pool holds 2 × REQUEST_THREADS + 4, and one more asks the data version): beyond
    max_connections, requests would fail with "too many clients". Refuses to start if not even one fits."""
    database = Database(settings)
    try:
        free = connections.free(database)
    finally:
        database.dispose()
    threads = connections.threads_that_fit(free, workers, settings.request_threads)
    if threads is None:
        raise SettingsError(f"PostgreSQL has {free} free connections: too few for {workers} worker(s); "
                            "raise max_connections or start fewer workers")
    if threads < settings.request_threads:
        print(f"deliberate: PostgreSQL has {free} free connections, so each of the {workers} workers serves "
              f"{threads} requests at a time (REQUEST_THREADS {settings.request_threads} would not fit)",
              file=sys.stderr)
        os.environ["REQUEST_THREADS"] = str(threads)  # the workers read their settings from the environment


def _check_sealing_key(settings: Settings) -> None:
    database = Database(settings)
    try:
        with database.session() as session:
            urn.check_key(session)
    except urn.UrnKeyError:
        sys.exit("deliberate: secret ballots waiting in the urn were sealed under another SECRET_KEY; "
                 "start with the SECRET_KEY they were cast under (see README, Votes)")
    except SQLAlchemyError:
        pass  # no schema yet: `deliberate db upgrade` comes first
    finally:
        database.dispose()


def mail(settings: Settings, action: str, address: str | None) -> int:
    if not settings.sends_mail:
        print("deliberate: SMTP_HOST is not set; no e-mail is sent.", file=sys.stderr)
        return 2
    sender = SmtpSender(settings)
    try:
        if action == "test":
            if not address:
                print("deliberate: give the address to send the test message to.", file=sys.stderr)
                return 2
            refused = sender.send([Message(address, "议事厅 test message", "E-mail from Deliberate (议事厅) works.\n")])
            print("refused by the server" if refused else f"sent to {address}")
            return 1 if refused else 0
        database = Database(settings)
        total = 0
        try:
            while claimed := mailing.send_pending(database, sender):
                total += claimed
        finally:
            database.dispose()
        print(f"{total} notifications dealt with.")
        return 0
    except DeliveryFailed as error:
        print(f"deliberate: the mail server could not be reached: {error}", file=sys.stderr)
        return 1


def tick(settings: Settings) -> int:
    database = Database(settings)
    try:
        done = ticker.tick(database)
    finally:
        database.dispose()
    print(f"{done.votes_opened} votes opened, {done.votes_closed} closed, "
          f"{done.proposals_advanced} proposals moved on.")
    return 0


def recount(path: str) -> int:
    return recount_main(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="deliberate", description="Deliberate (议事厅)")
    commands = parser.add_subparsers(dest="command", required=True)
    database = commands.add_parser("db", help="database schema")
    database.add_argument("action", choices=["upgrade"])
    database.add_argument("revision", nargs="?", default="head")
    demo = commands.add_parser("demo", help="load the demo community into an empty database")
    demo.add_argument("--if-empty", action="store_true", help="do nothing (and succeed) if places exist")
    save = commands.add_parser("backup", help="copy the database to PATH, safely while the server runs")
    save.add_argument("path")
    save.add_argument("--force", action="store_true", help="replace PATH if it exists")
    load = commands.add_parser("restore", help="replace the database with the backup at PATH (stop the server "
                                               "first), then migrate it")
    load.add_argument("path")
    load.add_argument("--force", action="store_true", help="replace the database if it holds anything")
    run = commands.add_parser("serve", help="serve with uvicorn")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--workers", type=int, default=1)
    mailer = commands.add_parser("mail", help="e-mail: send pending notifications now, or a test message")
    mailer.add_argument("action", choices=["send", "test"])
    mailer.add_argument("address", nargs="?", help="for test: where to send it")
    commands.add_parser("tick", help="do the clock's work now: open and close votes, end periods (for cron)")
    count = commands.add_parser("recount", help="recount a vote from its exported ballots (JSON)")
    count.add_argument("file", help='the export, or "-" for standard input')
    bench = commands.add_parser("bench-data", help="load a reproducible benchmark dataset into an empty database "
                                                   "and write the URLs to load-test")
    bench.add_argument("--scale", choices=sorted(SCALES), required=True, metavar="{small,district}",
                       help="about a hundredth of a district, or a district (issue 12's sizes)")
    bench.add_argument("--seed", type=int, default=12)
    bench.add_argument("--database-url", help="instead of DATABASE_URL")
    bench.add_argument("--urls", default="bench/urls.json", help="where to write the URLs (bench/urls.json)")
    args = parser.parse_args(argv)
    if args.command == "recount":  # needs no settings or database
        return recount(args.file)
    try:
        settings = Settings.from_env()
        if args.command == "db":
            db_upgrade(settings, args.revision)
            return 0
        if args.command == "backup":
            return backup(settings, args.path, force=args.force)
        if args.command == "restore":
            return restore_backup(settings, args.path, force=args.force)
        if args.command == "demo":
            return load_demo(settings, if_empty=args.if_empty)
        if args.command == "bench-data":
            if args.database_url:
                settings = replace(settings, database_url=args.database_url)
            return bench_data(settings, args.scale, args.seed, args.urls)
        if args.command == "tick":
            return tick(settings)
        if args.command == "mail":
            return mail(settings, args.action, args.address)
        if args.command == "serve":
            serve(settings, args.host, args.port, args.workers)
            return 0
    except SettingsError as error:
        print(f"deliberate: {error}", file=sys.stderr)
        return 2
    return 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Settings read from the environment, with safe local defaults."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SECRET = "dev-insecure-secret-change-me"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    pass


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def pool_size_for(request_threads: int) -> int:
    """Two connections for each request thread (a reader and its one writer), four for the clock and the mailer."""
    return 2 * request_threads + 4


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'deliberate.db'}"
    secret_key: str = DEFAULT_SECRET
    production: bool = False
    cookie_secure: bool = False
    session_idle_minutes: int = 120
    session_absolute_hours: int = 24 * 7
    max_body_bytes: int = 10 * 1024 * 1024
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_throttle_minutes: int = 15
    default_locale: str = "zh_CN"
    timezone: str = "Asia/Shanghai"
    page_size: int = 20
    sqlite_busy_timeout_ms: int = 10_000
    # Requests served at once by each server process (its thread pool); each holds at most two database
    # connections (a reader and its one writer), so the pool has room for all of them and never makes one wait.
    request_threads: int = 16
    # Public pages as an anonymous visitor sees them, kept by each server process while nothing has been
    # committed to the database and for at most this many seconds (what the clock alone changes); 0: off.
    page_cache_seconds: int = 30
    page_cache_mb: int = 16
    trusted_hosts: tuple[str, ...] = field(default_factory=tuple)
    # The proxies whose X-Forwarded-For is believed (comma-separated addresses, or "*"); empty: none, so a
    # client's address is the one it connects from and nobody can claim another's.
    forwarded_allow_ips: str = ""
    # E-mail of notifications: off while smtp_host is empty.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # "starttls", "ssl" or "none"
    smtp_username: str = ""
    smtp_password: str = ""
    mail_from: str = "议事厅 <noreply@localhost>"
    mail_interval_seconds: int = 30
    public_url: str = "http://127.0.0.1:8000"  # where links in e-mails point
    # How often each server process does the clock's work (votes opening and closing, periods ending); 0: never.
    tick_interval_seconds: int = 15

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        production = _bool(env, "DELIBERATE_PRODUCTION", False)
        defaults = cls()
        return cls(
            database_url=env.get("DATABASE_URL") or defaults.database_url,
            secret_key=env.get("SECRET_KEY") or DEFAULT_SECRET,
            production=production,
            cookie_secure=_bool(env, "COOKIE_SECURE", production),
            session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", defaults.session_idle_minutes),
            session_absolute_hours=_int(
                env, "SESSION_ABSOLUTE_HOURS", defaults.session_absolute_hours
            ),
            max_body_bytes=_int(env, "MAX_BODY_BYTES", defaults.max_body_bytes),
            login_max_failures_per_account=_int(
                env, "LOGIN_MAX_FAILURES_PER_ACCOUNT", defaults.login_max_failures_per_account
            ),
            login_max_failures_per_address=_int(
                env, "LOGIN_MAX_FAILURES_PER_ADDRESS", defaults.login_max_failures_per_address
            ),
            login_throttle_minutes=_int(
                env, "LOGIN_THROTTLE_MINUTES", defaults.login_throttle_minutes
            ),
            page_size=_int(env, "PAGE_SIZE", defaults.page_size),
            sqlite_busy_timeout_ms=_int(
                env, "SQLITE_BUSY_TIMEOUT_MS", defaults.sqlite_busy_timeout_ms
            ),
            request_threads=_int(env, "REQUEST_THREADS", defaults.request_threads),
            page_cache_seconds=_int(env, "PAGE_CACHE_SECONDS", defaults.page_cache_seconds),
            page_cache_mb=_int(env, "PAGE_CACHE_MB", defaults.page_cache_mb),
            smtp_host=env.get("SMTP_HOST", "").strip(),
            smtp_port=_int(env, "SMTP_PORT", defaults.smtp_port),
            smtp_security=(env.get("SMTP_SECURITY") or defaults.smtp_security).strip().lower(),
            smtp_username=env.get("SMTP_USERNAME", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            mail_from=env.get("MAIL_FROM") or defaults.mail_from,
            mail_interval_seconds=_int(env, "MAIL_INTERVAL_SECONDS", defaults.mail_interval_seconds),
            public_url=(env.get("PUBLIC_URL") or defaults.public_url).rstrip("/"),
            tick_interval_seconds=_int(env, "TICK_INTERVAL_SECONDS", defaults.tick_interval_seconds),
            forwarded_allow_ips=env.get("FORWARDED_ALLOW_IPS", "").strip(),
        )

    def check(self) -> None:
        """Refuse to run in production with settings that are only safe locally."""
        if self.production and self.secret_key == DEFAULT_SECRET:
            raise SettingsError(
                "SECRET_KEY is the development default; set a long random SECRET_KEY "
                "before running with DELIBERATE_PRODUCTION=1"
            )
        if self.production and len(self.secret_key) < 32:
            raise SettingsError("SECRET_KEY must be at least 32 characters in production")
        if self.smtp_security not in ("starttls", "ssl", "none"):
            raise SettingsError(f"SMTP_SECURITY must be starttls, ssl or none, got {self.smtp_security!r}")
        if self.mail_interval_seconds < 1:
            raise SettingsError("MAIL_INTERVAL_SECONDS must be at least 1")
        if self.tick_interval_seconds < 0:
            raise SettingsError("TICK_INTERVAL_SECONDS must be 0 (off) or more")
        if not 1 <= self.request_threads <= 200:
            raise SettingsError("REQUEST_THREADS must be between 1 and 200")
        if self.page_cache_seconds < 0 or self.page_cache_mb < 0:
            raise SettingsError("PAGE_CACHE_SECONDS and PAGE_CACHE_MB must be 0 (off) or more")

    @property
    def sends_mail(self) -> bool:
        return bool(self.smtp_host)

    @property
    def sealing_key(self) -> bytes:
        """The key of the urn of secret ballots: derived from SECRET_KEY, so never in the database."""
        return hmac.new(self.secret_key.encode(), b"deliberate: sealing secret ballots", hashlib.sha256).digest()

    @property
    def pool_size(self) -> int:
        """Database connections per server process: two for each request thread, and a few for the clock and
        the mailer, which run on threads of their own."""
        return pool_size_for(self.request_threads)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

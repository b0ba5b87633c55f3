"""Settings. This is the only module that reads the environment."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def _rate_limit_storage(message_queue_url: str) -> str:
    """Several processes (a Redis message queue) must share login counts, or each
    would allow the full number of guesses; one process counts in memory."""
    explicit = os.environ.get("RATELIMIT_STORAGE_URL", "").strip()
    if explicit:
        return explicit
    return message_queue_url if message_queue_url.startswith(("redis://", "rediss://")) else ""


# Public writes each client address (and each screen token) may make, by limit name
# (kiosk_server/throttle.py says which route uses which). Sized for a real TV and a
# real kiosk: a TV registers once and asks for a few callbacks; a busy station's
# kiosks take a registration every minute or two, all from the station's address.
# RATE_LIMIT_<NAME> changes one ("off" turns it off); docs/deploy.md lists them.
RATE_LIMITS = {
    "screen_signup": "20 per hour; 100 per day",  # POST /api/screens, per address
    "kiosk_enrolment": "10 per hour; 30 per day",  # POST /api/screens/enrol, per address
    "callback_per_screen": "5 per 10 minutes; 20 per day",  # a TV's 请工作人员联系我
    "callback_per_address": "30 per 10 minutes; 200 per day",
    "registration_per_screen": "30 per 10 minutes; 300 per day",  # a kiosk's registrations
    "registration_per_address": "60 per 10 minutes; 600 per day",  # a station's kiosks
    "phone_signup": "10 per 10 minutes; 50 per day",  # phone forms and tokenless API, per address
    "registration_cancel": "10 per 10 minutes; 50 per day",  # the see-or-cancel link
    "logout": "30 per minute",
    # Wrong passwords for one username from one address, then 429 locked for that
    # pair only: the owner elsewhere still logs in.
    "login_lock": "5 per 15 minutes",
}


def _rate_limits() -> dict[str, str]:
    limits = {}
    for name, default in RATE_LIMITS.items():
        raw = os.environ.get(f"RATE_LIMIT_{name.upper()}", "").strip()
        limits[name] = "" if raw.lower() == "off" else raw or default
    return limits


def _async_mode() -> str:
    """gevent when a gevent server patched this process (gunicorn's gevent worker),
    else threads: merely having gevent installed must not change `make run`."""
    explicit = os.environ.get("SOCKETIO_ASYNC_MODE", "").strip()
    if explicit:
        return explicit
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("socket"):
        return "gevent"
    return "threading"


def _instance_dir() -> Path:
    """INSTANCE_PATH, else ./instance of the folder the process is started in (see
    Config): make run starts in the checkout's top folder, and an installed copy's
    package folder, inside site-packages, is no place for a database."""
    path = Path(os.environ.get("INSTANCE_PATH") or "instance").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _persistent_secret(instance: Path) -> str:
    """A generated key kept under instance/, so sessions survive restarts."""
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


@dataclass
class Config:
    """What the app reads from the environment (docs/deploy.md lists it).

    The instance folder holds what the server writes: the embedded database, the
    generated secret key, pictures, the first administrator's login. It is
    INSTANCE_PATH if set, else ./instance of the current working folder, the same
    rule for a checkout and a `pip install`: start every command (`flask …`,
    `python -m kiosk_server`) from one folder, or set INSTANCE_PATH.
    """

    instance_path: Path
    database_url: str
    message_queue_url: str
    secret_key: str
    public_base_url: str = ""
    # How long a registration's see-or-cancel link (/r/<ref>?t=…) works after it was
    # made; the privacy notice states it (templates/pages/signup/_fields.html).
    registration_link_days: int = 30
    # How many months a resident's registration is kept: the sweep erases it after
    # (registrations/actions.py), and every privacy notice states the period.
    registration_keep_months: int = 12
    # Processes sharing one Redis talk on this channel; separate deployments pick their own.
    message_queue_channel: str = "kiosk-screens"
    sweep_interval_seconds: int = 5
    # How often connects, acks and closes of screens are written, all at once
    # (screens/reports.py); 0 writes each at once.
    report_interval_seconds: float = 2.0
    # Database connections per process, all kept open: connections opened for a
    # burst and closed after it cost PostgreSQL a process each time, in the middle
    # of the burst. A request that waits longer than the timeout for one is
    # answered 503 server_busy.
    db_pool_size: int = 20
    db_pool_timeout_seconds: float = 30.0
    catchup_limit: int = 500
    max_body_bytes: int = 64 * 1024
    socketio_async_mode: str = "threading"
    # Proxies in front of the app (nginx: 1) whose X-Forwarded-* headers are believed;
    # 0 believes none, so a client cannot pick its own address for the login limit.
    trusted_proxies: int = 0
    password_hash_method: str = "scrypt"
    # Login attempts per client address, across accounts; empty turns the limit off (tests).
    login_rate_limit: str = "10 per minute; 50 per hour"
    # Where the counts are kept: memory:// for one process, redis://… to share them.
    ratelimit_storage_url: str = ""
    rate_limits: dict[str, str] = field(default_factory=lambda: dict(RATE_LIMITS))
    testing: bool = False

    @classmethod
    def from_env(cls) -> Config:
        instance = _instance_dir()
        return cls(
            instance_path=instance,
            database_url=os.environ.get("DATABASE_URL")
            or f"sqlite:///{instance / 'kiosk.sqlite3'}",
            message_queue_url=os.environ.get("MESSAGE_QUEUE_URL", ""),
            secret_key=os.environ.get("SECRET_KEY") or _persistent_secret(instance),
            public_base_url=os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
            registration_link_days=_int("REGISTRATION_LINK_DAYS", 30),
            # At least a month: 0 would erase each registration at the next sweep.
            registration_keep_months=max(1, _int("REGISTRATION_KEEP_MONTHS", 12)),
            message_queue_channel=os.environ.get("MESSAGE_QUEUE_CHANNEL") or "kiosk-screens",
            sweep_interval_seconds=_int("SWEEP_INTERVAL_SECONDS", 5),
            report_interval_seconds=float(_int("REPORT_INTERVAL_SECONDS", 2)),
            db_pool_size=_int("DB_POOL_SIZE", 20),
            db_pool_timeout_seconds=float(_int("DB_POOL_TIMEOUT_SECONDS", 30)),
            catchup_limit=_int("CATCHUP_LIMIT", 500),
            socketio_async_mode=_async_mode(),
            trusted_proxies=_int("TRUSTED_PROXIES", 0),
            login_rate_limit=os.environ.get("LOGIN_RATE_LIMIT") or Config.login_rate_limit,
            ratelimit_storage_url=_rate_limit_storage(os.environ.get("MESSAGE_QUEUE_URL", "")),
            rate_limits=_rate_limits(),
        )

    @property
    def migrations_path(self) -> Path:
        return PROJECT_ROOT / "kiosk_server" / "migrations"

    def _engine_options(self) -> dict[str, Any]:
        pool = {"pool_timeout": self.db_pool_timeout_seconds}
        if self.database_url.startswith("sqlite"):
            # Threads share the embedded database; the busy timeout lets writers queue.
            return {**pool, "connect_args": {"check_same_thread": False, "timeout": 15}}
        return {
            **pool,
            "pool_size": self.db_pool_size,
            "max_overflow": 0,
            "connect_args": {
                # A database host that does not answer fails a request (and
                # /api/health) in seconds instead of holding it until the
                # system's TCP timeout.
                "connect_timeout": 5,
                # psycopg prepares a statement run five times, and PostgreSQL then
                # plans it once for any value: a search's LIKE '%…%' planned
                # without its word read a city's lists four times slower.
                "options": "-c plan_cache_mode=force_custom_plan",
            },
        }

    def flask_settings(self) -> dict[str, Any]:
        return {
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": self._engine_options(),
            "MAX_CONTENT_LENGTH": self.max_body_bytes,
            "PUBLIC_BASE_URL": self.public_base_url,
            "REGISTRATION_LINK_DAYS": self.registration_link_days,
            "REGISTRATION_KEEP_MONTHS": self.registration_keep_months,
            "CATCHUP_LIMIT": self.catchup_limit,
            "MEDIA_ROOT": self.instance_path / "media",
            "PASSWORD_HASH_METHOD": self.password_hash_method,
            "TESTING": self.testing,
            "LOGIN_RATE_LIMIT": self.login_rate_limit,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_url or "memory://",
            # Deployments sharing a Redis keep their counts apart, as their messages.
            "RATELIMIT_KEY_PREFIX": self.message_queue_channel,
            "RATE_LIMITS": self.rate_limits,
            # If Redis is away, count in this process rather than refuse every login.
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
            "JSON_SORT_KEYS": False,
            "SESSION_COOKIE_HTTPONLY": True,
            # Secure when the site's address is https; a request that came over HTTPS
            # (nginx's X-Forwarded-Proto) gets it too (staff/session_cookie.py).
            "SESSION_COOKIE_SECURE": self.public_base_url.startswith("https://"),
            "SESSION_COOKIE_SAMESITE": "Lax",
            # A staff session lasts a working day from its last request, then asks again.
            "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
            "WTF_CSRF_TIME_LIMIT": None,
        }


def server_address() -> tuple[str, int]:
    return os.environ.get("HOST", "127.0.0.1"), _int("PORT", 5000)

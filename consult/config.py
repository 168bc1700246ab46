"""Configuration classes, read from environment variables."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar


def database_url(url: str) -> str:
    """Use psycopg 3 for a plain ``postgresql://`` address."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def _instance_dir() -> Path:
    return Path(os.environ.get("CONSULT_INSTANCE_DIR", Path.cwd() / "instance")).resolve()


def receipt_keys_path() -> Path:
    """The receipt key file: ``CONSULT_RECEIPT_KEYS_FILE``, else ``receipt-keys`` in the
    instance folder (read when asked, so that ``consult keys`` works without the app)."""
    chosen = os.environ.get("CONSULT_RECEIPT_KEYS_FILE")
    return _keys_path(chosen, os.environ.get("CONSULT_INSTANCE_DIR"), os.getcwd())


@functools.lru_cache(maxsize=8)
def _keys_path(chosen: str | None, _instance: str | None, _cwd: str) -> Path:
    """Resolved once per setting (every receipt asks: resolving costs a system call per
    directory of the path)."""
    return Path(chosen).resolve() if chosen else _instance_dir() / "receipt-keys"


#: The organisation's official languages, English first: every text has it, the others may be
#: empty. Pages, mail, catalogues and documents exist in each; the one list of them.
LANGUAGES = ("en", "fr", "es")
#: The languages a text is translated into, kept beside its English.
TRANSLATIONS = LANGUAGES[1:]

DEVELOPMENT_SECRET = "development-only-secret-key-change-me"  # noqa: S105 - refused in production
TESTING_SECRET = "testing-secret-key"  # noqa: S105 - fixed key for tests only
#: Secrets written in this repository: never acceptable in production.
WELL_KNOWN_SECRETS = frozenset({DEVELOPMENT_SECRET, TESTING_SECRET})


class Config:
    """Settings shared by every environment."""

    ORGANISATION_NAME = os.environ.get(
        "CONSULT_ORGANISATION", "International Dialogue on Migration"
    )
    #: The name in the other official languages (pages and messages in French or Spanish).
    ORGANISATION_NAMES: ClassVar[dict[str, str]] = {
        "fr": os.environ.get("CONSULT_ORGANISATION_FR", "Dialogue international sur la migration"),
        "es": os.environ.get("CONSULT_ORGANISATION_ES", "Diálogo Internacional sobre la Migración"),
    }
    TIMEZONE = os.environ.get("CONSULT_TIMEZONE", "Europe/Zurich")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET)
    #: Receipts and audit statements are signed with keys of their own (``consult keys``);
    #: None means :func:`receipt_keys_path`. Outside production a first key is made when needed.
    RECEIPT_KEYS_FILE: str | None = None
    RECEIPT_KEYS_CREATE = True
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{_instance_dir() / 'consult.sqlite'}")
    )
    #: Connections idle for a few seconds are pinged before use (core.database._ping_if_idle).
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {}
    #: A request's statement that runs longer is cancelled (PostgreSQL) and the page says 503.
    STATEMENT_TIMEOUT_MS = int(os.environ.get("CONSULT_STATEMENT_TIMEOUT_MS", "30000"))
    #: How long a SQLite write waits for the lock before the page says 503.
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("CONSULT_SQLITE_BUSY_TIMEOUT_MS", "5000"))
    LANGUAGES = LANGUAGES
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    WTF_CSRF_TIME_LIMIT = 3600 * 8
    MAX_CONTENT_LENGTH = 512 * 1024
    MAX_FORM_PARTS = 500
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # The cookie is sent again when the session changes (sign-in, language, the last activity
    # recorded once a minute), not on every response; lifetimes are enforced server-side.
    SESSION_REFRESH_EACH_REQUEST = False
    REMEMBER_COOKIE_DURATION = timedelta(days=0)
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (0: none).
    TRUSTED_PROXIES = int(os.environ.get("CONSULT_TRUSTED_PROXIES", "0"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    #: Keys in the shared storage start with this (several apps may share one Redis).
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "consult")
    RATELIMIT_HEADERS_ENABLED = True
    #: Redis down: each worker counts in its own memory until it is back (limits hold per
    #: worker, a warning is logged) rather than every limited page failing.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_LIMIT_ACCOUNT = "10 per 15 minutes"
    LOGIN_LIMIT_ADDRESS = "50 per 15 minutes"
    BALLOT_TEXT_MAX = 4000
    #: werkzeug's method for new password hashes; existing hashes keep the one they name.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password
    #: Documents of consultations: where their files live (default: ``documents`` in the
    #: instance folder) and the largest file accepted.
    DOCUMENTS_DIR = os.environ.get("CONSULT_DOCUMENTS_DIR") or None
    DOCUMENT_MAX_BYTES = int(float(os.environ.get("CONSULT_DOCUMENT_MAX_MB", "20")) * 1024 * 1024)
    # The external address that links in e-mail start with; never the request's Host header.
    # CONSULT_SERVER_URL wins; otherwise PREFERRED_URL_SCHEME://SERVER_NAME when SERVER_NAME is set.
    SERVER_URL = os.environ.get("CONSULT_SERVER_URL", "")
    SERVER_NAME = os.environ.get("SERVER_NAME") or None
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")

    # E-mail: over SMTP whenever MAIL_SERVER is set, else printed to the console (log).
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _flag("MAIL_USE_TLS")  # STARTTLS on a plain connection
    MAIL_USE_SSL = _flag("MAIL_USE_SSL")  # TLS from the start (port 465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM", "IDM Secretariat <no-reply@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "15"))
    #: Deliver the outbox at the end of the request that wrote to it; set false to leave
    #: delivery to ``consult mail send`` run by a scheduler.
    MAIL_DELIVER_IN_REQUEST = _flag("MAIL_DELIVER_IN_REQUEST", default=True)
    #: Automatic retries stop after this many failed attempts (an administrator can still retry).
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "8"))
    #: Without MAIL_SERVER, print messages to the log; production refuses (messages then wait).
    MAIL_CONSOLE_ALLOWED = True

    INVITATION_LIFETIME = timedelta(days=float(os.environ.get("CONSULT_INVITATION_DAYS", "7")))
    RESET_LIFETIME = timedelta(hours=float(os.environ.get("CONSULT_RESET_HOURS", "2")))
    RESET_LIMIT_ADDRESS = "10 per hour"
    RESET_LIMIT_ACCOUNT = "3 per hour"
    REMINDER_INTERVAL = timedelta(
        hours=float(os.environ.get("CONSULT_REMINDER_INTERVAL_HOURS", "24"))
    )


class DevelopmentConfig(Config):
    DEBUG = False  # the Werkzeug debugger stays off even in development


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = TESTING_SECRET
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    RATELIMIT_ENABLED = True
    WTF_CSRF_ENABLED = True
    SERVER_URL = "https://consult.example.org"
    SERVER_NAME = None
    MAIL_SERVER = None
    MAIL_DELIVER_IN_REQUEST = True
    # One PBKDF2 round: the suite signs in hundreds of times and what it checks is the flow,
    # not the cost of the hash (production keeps scrypt; hashes name their own method).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"  # noqa: S105 - a method name


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")
    MAIL_CONSOLE_ALLOWED = False
    RECEIPT_KEYS_CREATE = False
    #: ``consult mail worker`` delivers: no page waits for the mail server.
    MAIL_DELIVER_IN_REQUEST = _flag("MAIL_DELIVER_IN_REQUEST", default=False)

    @staticmethod
    def problems(config: Mapping[str, Any]) -> list[str]:
        """Why the app must not start with ``config`` in production (empty when it may).

        A secret anyone can read (the development default, the tests', or a short one) lets
        anyone forge sessions; DEBUG shows tracebacks and settings; memory rate-limit storage
        counts per worker process, so with 4 gunicorn workers every limit is 4 times looser
        (and forgotten at each restart)."""
        found = []
        secret = str(config.get("SECRET_KEY") or "")
        if secret in WELL_KNOWN_SECRETS or len(secret) < 32:
            found.append(
                "SECRET_KEY must be set to a random value of at least 32 characters "
                '(e.g. python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        if config.get("DEBUG"):
            found.append("DEBUG must be off (unset FLASK_DEBUG)")
        storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
        if storage.startswith("memory://") or config.get("RATELIMIT_ENABLED") is False:
            found.append(
                "RATELIMIT_STORAGE_URI must name storage shared by every worker, e.g. "
                "redis://127.0.0.1:6379/0 (memory:// counts per process)"
            )
        keys = Path(config.get("RECEIPT_KEYS_FILE") or receipt_keys_path())
        if not keys.is_file():
            found.append(f"no receipt key file at {keys}: run `consult keys rotate` first")
        return found


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

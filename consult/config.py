"""Configuration classes, read from environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import ClassVar


def database_url(url: str) -> str:
    """Use psycopg 3 for a plain ``postgresql://`` address."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_dir() -> Path:
    return Path(os.environ.get("CONSULT_INSTANCE_DIR", Path.cwd() / "instance")).resolve()


class Config:
    """Settings shared by every environment."""

    ORGANISATION_NAME = os.environ.get(
        "CONSULT_ORGANISATION", "International Dialogue on Migration"
    )
    TIMEZONE = os.environ.get("CONSULT_TIMEZONE", "Europe/Zurich")
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-secret-key-change-me")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{_instance_dir() / 'consult.sqlite'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {"pool_pre_ping": True}
    LANGUAGES = ("en", "fr", "es")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    WTF_CSRF_TIME_LIMIT = 3600 * 8
    MAX_CONTENT_LENGTH = 512 * 1024
    MAX_FORM_PARTS = 500
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=0)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_ACCOUNT = "10 per 15 minutes"
    LOGIN_LIMIT_ADDRESS = "50 per 15 minutes"
    BALLOT_TEXT_MAX = 4000
    SERVER_URL = os.environ.get("CONSULT_SERVER_URL", "http://127.0.0.1:5000")


class DevelopmentConfig(Config):
    DEBUG = False  # the Werkzeug debugger stays off even in development


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105 - fixed key for tests only
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    RATELIMIT_ENABLED = True
    WTF_CSRF_ENABLED = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def check(cls) -> None:
        """Refuse to start in production without a real secret key."""
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

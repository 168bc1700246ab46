"""Absolute links for e-mail, built from the configured external address only."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app

DEFAULT_BASE = "http://127.0.0.1:5000"


def base_url() -> str:
    """``SERVER_URL``, else ``PREFERRED_URL_SCHEME://SERVER_NAME``, else the development address."""
    config = current_app.config
    if config.get("SERVER_URL"):
        return str(config["SERVER_URL"]).rstrip("/")
    if config.get("SERVER_NAME"):
        root = str(config.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{config.get('PREFERRED_URL_SCHEME', 'http')}://{config['SERVER_NAME']}{root}"
    return DEFAULT_BASE


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of ``endpoint``; the request's Host header plays no part."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)

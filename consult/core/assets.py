"""Static assets fingerprinted and cached for a year, and responses compressed.

Delegates work on slow links (``bench/slow_links.py`` measures the pages at 400 kbit/s and a
400 ms round trip): every request costs a round trip, every kilobyte 20 ms. So

* ``url_for("static", filename=...)`` adds ``v=`` and the first 12 hex digits of the file's
  SHA-256; a request carrying the current fingerprint is answered with
  ``Cache-Control: public, max-age=31536000, immutable``, so a browser asks again only when
  the file changes (any other request gets ``no-cache`` and an ETag);
* static files are read once per process and kept with their gzip form;
* a page makes few requests: the ballot's scripts are one bundle (``BUNDLES``: the source
  files stay apart, the browser fetches them joined, fingerprinted as one), and a small image
  such as the emblem (at most ``INLINE_MAX`` bytes) is written into the page as a ``data:``
  URI by ``asset_src`` (the file stays the place to change it);
* pages and other text responses of more than ``MIN_SIZE`` bytes are gzipped when the browser
  accepts it. Streamed responses (CSV exports, the zip) are left as they are.

Compressing pages that hold a CSRF token beside text from the request is the setting of the
BREACH attack; it needs many requests carrying the victim's session from another site, which
the ``SameSite=Lax`` session cookie does not allow (cross-site subrequests carry no cookie),
and each page's token is masked anew (``core/csrf.py``): no two responses carry its bytes.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import mimetypes
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, request, url_for
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from consult.core.kept import Kept

YEAR = 365 * 24 * 3600
#: Files served joined as one (each name under ``static/``), so a page needs one request.
BUNDLES: dict[str, tuple[str, ...]] = {
    "js/ballot.js": ("js/ranking.js", "js/conditions.js"),
}
#: Images up to this size are written into the page (``asset_src``) instead of fetched.
INLINE_MAX = 2048
MIN_SIZE = 512
#: zlib's level for pages. On the delegate's pages (3.5-18 KB) level 4 costs 0.75-0.9 of level
#: 6's CPU (the ballot page 74 µs against 96, the receipt 124 against 144) for 0.5-1.4% more
#: bytes (the ballot page 2227 against 2197); levels 1-3 save more CPU for 5-7% more bytes.
LEVEL = 4
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "image/svg+xml",
)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    mimetype: str
    fingerprint: str


class Assets:
    """The files under ``static/``, each read, digested and compressed once."""

    def __init__(self, folder: Path, bundles: dict[str, tuple[str, ...]] | None = None) -> None:
        self.folder = folder.resolve()
        self.bundles = BUNDLES if bundles is None else bundles
        self._cache: dict[str, Asset] = {}
        self._inline: dict[str, str | None] = {}

    def get(self, filename: str) -> Asset | None:
        asset = self._cache.get(filename)
        if asset is None:
            asset = self._load(filename)
            if asset is not None:  # misses are not kept: any name can be asked for
                self._cache[filename] = asset
        return asset

    def data_uri(self, filename: str) -> str | None:
        """A small image as a ``data:`` URI (None when missing or larger than INLINE_MAX)."""
        if filename in self._inline:
            return self._inline[filename]
        asset = self.get(filename)
        if asset is None:
            return None
        uri = None
        if len(asset.body) <= INLINE_MAX and asset.mimetype.startswith("image/"):
            uri = f"data:{asset.mimetype};base64,{base64.b64encode(asset.body).decode()}"
        self._inline[filename] = uri
        return uri

    def _read(self, filename: str) -> bytes | None:
        path = (self.folder / filename).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file():
            return None
        return path.read_bytes()

    def _load(self, filename: str) -> Asset | None:
        if filename in self.bundles:
            parts = [self._read(part) for part in self.bundles[filename]]
            if any(part is None for part in parts):
                return None
            body = b"\n".join(part for part in parts if part is not None)
        else:
            found = self._read(filename)
            if found is None:
                return None
            body = found
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return Asset(
            body,
            gzip.compress(body, 9, mtime=0),
            mimetype,
            hashlib.sha256(body).hexdigest()[:12],
        )


#: Session cookies this process has verified: (secret key, cookie) → (signed at, contents).
_VERIFIED: Kept[tuple[Any, str], tuple[int, dict[str, Any]]] = Kept(4096)
_IMMUTABLE = (str, int, float, bool, type(None))


class SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, left out of static responses: they are public and cached for
    a year, so they must carry no cookie and no ``Vary: Cookie`` (which Flask adds whenever
    anything, here Flask-Login's remember-cookie check, looks at the session).

    A cookie is sent back unchanged on most requests (it is signed again about once a
    minute), so the contents of one this process has verified are kept, by the exact cookie
    and secret key: its signature is not checked and its JSON not decoded again, its age
    still is. Only contents of plain values are kept (each request gets its own copy)."""

    def open_session(self, app: Flask, request: Any) -> Any:
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (app.secret_key, cookie)
        found = _VERIFIED.get(key)
        if found is not None and 0 <= int(time.time()) - found[0] <= max_age:
            return self.session_class(found[1])
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, _IMMUTABLE) for v in data.values()):
            _VERIFIED.keep(key, (int(signed_at.timestamp()), data))
        return self.session_class(data)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        """Flask's, which on a request that changed nothing (most: the cookie is sent again
        about once a minute) only says ``Vary: Cookie`` when the session was read."""
        if request.endpoint == "static":
            return
        if not session.modified and not self.should_set_cookie(app, session):
            if session.accessed:
                vary(response, "Cookie")
            return
        super().save_session(app, session, response)


def header(response: Response, name: str) -> str | None:
    """The response's first ``name`` header, as ``response.headers.get(name)`` without raising
    and catching an HTTP exception (Werkzeug's ``BadRequestKeyError``) when there is none."""
    lowered = name.lower()
    return next((value for key, value in response.headers if key.lower() == lowered), None)


def vary(response: Response, name: str) -> None:
    """Add ``name`` to the response's ``Vary`` header, as ``response.vary.add(name)`` does
    without parsing the header into a set and writing it back."""
    current = header(response, "Vary")
    if not current:
        response.headers["Vary"] = name
    elif name.lower() not in (part.strip().lower() for part in current.split(",")):
        response.headers["Vary"] = f"{current}, {name}"


def _accepts_gzip() -> bool:
    return "gzip" in request.environ.get("HTTP_ACCEPT_ENCODING", "").lower()


def init_assets(app: Flask) -> None:
    """Serve ``static/`` through :class:`Assets` and compress what the app sends."""
    assets = Assets(Path(app.root_path) / "static")
    app.session_interface = SessionInterface()
    app.extensions["consult_assets"] = assets

    def static(filename: str) -> Response:
        asset = assets.get(filename)
        if asset is None:
            abort(404)
        etag = f'"{asset.fingerprint}"'
        if request.if_none_match.contains(asset.fingerprint):
            response = Response(status=304)
        elif _accepts_gzip() and len(asset.gzipped) < len(asset.body):
            response = Response(asset.gzipped, mimetype=asset.mimetype)
            response.headers["Content-Encoding"] = "gzip"
        else:
            response = Response(asset.body, mimetype=asset.mimetype)
        response.headers["ETag"] = etag
        response.headers["Vary"] = "Accept-Encoding"
        if request.args.get("v") == asset.fingerprint:
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response

    app.add_url_rule("/static/<path:filename>", "static", static)

    def asset_src(filename: str) -> str:
        """A small image written into the page, else its fingerprinted address."""
        return assets.data_uri(filename) or url_for("static", filename=filename)

    app.jinja_env.globals["asset_src"] = asset_src

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values:
            asset = assets.get(values.get("filename", ""))
            if asset is not None:
                values["v"] = asset.fingerprint

    @app.after_request
    def _compress(response: Response) -> Response:
        if response.direct_passthrough or response.is_streamed:
            return response
        length = response.content_length  # a redirect's few bytes: nothing more to look at
        if length is not None and length < MIN_SIZE:
            return response
        if (
            header(response, "Content-Encoding") is not None
            or response.status_code < 200
            or response.status_code in (204, 304)
            or not (response.mimetype or "").startswith(COMPRESSIBLE)
            or not _accepts_gzip()
        ):
            return response
        body = response.get_data()
        if len(body) < MIN_SIZE:
            return response
        response.set_data(gzip.compress(body, LEVEL, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
        vary(response, "Accept-Encoding")
        return response

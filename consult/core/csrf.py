"""CSRF tokens: Flask-WTF's protection, its token signed once per period and masked anew in
every response.

Flask-WTF keeps a random secret in the session and puts it in each form signed with a
timestamp (``itsdangerous``), signing it again on every request that shows a form (every page:
the layout's form), about 0.1 ms. Here the signed token of a session's secret is kept per
process and signed again once it is :data:`PERIOD` seconds old, so a page's token expires at
most that much sooner than Flask-WTF's; its checks stay Flask-WTF's own (``validate_csrf``:
the session's secret, the signature, ``WTF_CSRF_TIME_LIMIT``).

A token kept for a while would be the same bytes in many compressed pages, next to text from
the request: what the BREACH attack reads, byte by byte, from the responses' sizes. So the
token written into a response is masked with a one-time pad, as Django does: ``seed + (pad XOR
token)`` in URL-safe base64, the pad drawn from a random seed of :data:`SEED_BYTES` (SHAKE-256)
so that a page carries 16 random bytes more than the token rather than twice its length (pages
stay small on slow links); no two responses carry the same token bytes (the forms of one
response share its mask). A posted token is unmasked before Flask-WTF checks it; a plain
signed token (a page shown before this masking) is checked as it is.

A posted token is checked once per process with its signature (:func:`validate`): a token this
process has verified is kept with its time of signing and the secret it carries, and checked
again by those alone (its age against ``WTF_CSRF_TIME_LIMIT``, its secret against the
session's), not by its HMAC, base64 and JSON again (about 0.1 ms a form). Anything else goes
through Flask-WTF's ``validate_csrf``, its refusals and their reasons unchanged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import time
from typing import Any

from flask import Flask, current_app, g, request, session
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect, _FlaskFormCSRF, same_origin, validate_csrf
from itsdangerous import URLSafeTimedSerializer
from wtforms import ValidationError

from consult.core.kept import Kept

#: How long a signed token is given to pages before it is signed again (seconds), at most.
PERIOD = 60
#: Flask-WTF's salt for its tokens (``flask_wtf.csrf.generate_csrf``).
_SALT = "wtf-csrf-token"
#: Signed tokens by (secret key, session's secret): (signed at, token).
_SIGNED: Kept[tuple[Any, str], tuple[float, str]] = Kept(4096)
#: Signed tokens this process has verified, by (secret key, token): (signed at, their secret).
_VERIFIED: Kept[tuple[Any, str], tuple[int, str]] = Kept(4096)
#: Where the request's signed token and its masked form are kept in ``g``.
_G_KEY = "consult_csrf_signed"
_G_MASKED = "consult_csrf_masked"
#: The random seed of a mask (its pad is drawn from it).
SEED_BYTES = 16
#: What a signed token is made of (itsdangerous: URL-safe base64 parts joined by dots). A
#: masked value that unmasks to anything else is refused as it is: itsdangerous's base64
#: decoding skips characters outside its alphabet, so a valid token with such characters
#: added (a forged one) would otherwise pass.
_SIGNED_TOKEN = re.compile(rb"[A-Za-z0-9_.-]+")


def _settings() -> tuple[Any, str, float | None]:
    config = current_app.config
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    if secret is None:
        raise RuntimeError("A secret key is required to use CSRF.")
    return secret, config["WTF_CSRF_FIELD_NAME"], config.get("WTF_CSRF_TIME_LIMIT", 3600)


def signed() -> str:
    """The session's secret signed as Flask-WTF signs it, the same one for :data:`PERIOD`
    seconds (less when ``WTF_CSRF_TIME_LIMIT`` is short: a sixtieth of it)."""
    found: str | None = g.get(_G_KEY)
    if found is not None:
        return found
    secret, field, limit = _settings()
    raw = session.get(field)
    if not isinstance(raw, str):
        raw = session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - as Flask-WTF
    now = time.time()
    period = PERIOD if not limit else min(PERIOD, limit / 60)
    kept = _SIGNED.get((secret, raw))
    if kept is None or not 0 <= now - kept[0] < period:
        serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        kept = _SIGNED.keep((secret, raw), (now, serializer.dumps(raw)))
    setattr(g, _G_KEY, kept[1])
    return kept[1]


def validate(data: str | None) -> None:
    """Flask-WTF's ``validate_csrf`` (the session's secret, the signature, the time limit;
    ``ValidationError`` with its reasons), the signature of a token this process has verified
    before not checked again: its age and its secret still are, as Flask-WTF checks them."""
    secret, field, limit = _settings()
    raw = session.get(field)
    if data and isinstance(raw, str):
        found = _VERIFIED.get((secret, data))
        if found is not None:
            age = int(time.time()) - found[0]  # as itsdangerous counts it
            if (limit is None or 0 <= age <= limit) and hmac.compare_digest(raw, found[1]):
                return
    validate_csrf(data, secret, limit, field)
    if data:  # always, validate_csrf having accepted it: kept with when it was signed
        serializer = URLSafeTimedSerializer(secret, salt=_SALT)
        payload, signed_at = serializer.loads(data, return_timestamp=True)
        if isinstance(payload, str):
            _VERIFIED.keep((secret, data), (int(signed_at.timestamp()), payload))


def _pad(seed: bytes, size: int) -> int:
    return int.from_bytes(hashlib.shake_256(seed).digest(size))


def mask(token: str) -> str:
    """``token`` under a one-time pad: ``seed + (pad XOR token)``, URL-safe base64."""
    data = token.encode()
    seed = os.urandom(SEED_BYTES)
    masked = (_pad(seed, len(data)) ^ int.from_bytes(data)).to_bytes(len(data))
    return base64.urlsafe_b64encode(seed + masked).rstrip(b"=").decode()


def unmask(value: str | None) -> str | None:
    """The signed token behind a masked ``value``; a plain signed token (with its dots) or
    anything that is not a mask is returned as it is, for Flask-WTF to refuse."""
    if not value or "." in value:
        return value
    try:
        data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return value
    seed, masked = data[:SEED_BYTES], data[SEED_BYTES:]
    if not masked:
        return value
    plain = (_pad(seed, len(masked)) ^ int.from_bytes(masked)).to_bytes(len(masked))
    if not _SIGNED_TOKEN.fullmatch(plain):
        return value
    return plain.decode("ascii")


def token() -> str:
    """The CSRF token of a response (``csrf_token()`` in templates, every form's field):
    masked anew for each response, the same for the forms of one."""
    found: str | None = g.get(_G_MASKED)
    if found is None:
        found = mask(signed())
        setattr(g, _G_MASKED, found)
    return found


class CSRF(CSRFProtect):
    """Flask-WTF's ``CSRFProtect`` (every POST checked before its view, the same settings and
    errors), reading masked tokens and giving templates :func:`token`."""

    def init_app(self, app: Flask) -> None:
        processors = app.template_context_processors[None]
        before = len(processors)
        super().init_app(app)
        # Its processor puts Flask-WTF's own ``csrf_token`` in every page's context (over the
        # global below), at a call per page.
        del processors[before:]
        app.jinja_env.globals["csrf_token"] = token

    def protect(self, apply_exemptions: bool = False) -> None:
        """Flask-WTF's ``protect`` with :func:`validate` (which a GET or HEAD skips before
        looking up the view's exemptions: every page is a GET), then its referrer check of
        HTTPS requests (``WTF_CSRF_SSL_STRICT``), with its refusals."""
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        try:
            validate(self._get_csrf_token())
        except ValidationError as error:
            self._error_response(error.args[0])
        if request.is_secure and current_app.config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True

    def _get_csrf_token(self) -> str | None:
        found: str | None = super()._get_csrf_token()
        return unmask(found)


class _FormCSRF(_FlaskFormCSRF):
    """A form's CSRF field with masked tokens (its checks are Flask-WTF's)."""

    def generate_csrf_token(self, csrf_token_field: Any) -> str:
        return token()

    def validate_csrf_token(self, form: Any, field: Any) -> None:
        if g.get("csrf_valid", False):  # already checked by CSRF.protect, as Flask-WTF does
            return
        validate(unmask(field.data))


class PageForm(FlaskForm):
    """The base of consult's forms: Flask-WTF's, with masked CSRF tokens."""

    class Meta:
        csrf_class = _FormCSRF

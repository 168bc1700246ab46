"""What every request must be before a view reads it: one limit on the number of form fields,
whether the body is urlencoded or multipart, and no NUL character anywhere.

Werkzeug counts multipart parts against ``MAX_FORM_PARTS`` but parses any number of urlencoded
fields; :class:`FormParser` applies the same limit to both (413 beyond it). PostgreSQL refuses
NUL in text, and no field of a page can hold one, so a NUL in the path, the query string or a
form value is refused with 400 before any view runs — except by views that check their texts
themselves and answer with a message on the field (:func:`checks_own_text`).

A request's cookies are read from the environ and parsed once per process per Cookie header.
"""

from __future__ import annotations

import typing as t
from collections.abc import Callable
from urllib.parse import parse_qsl

from flask import Flask, Request, abort, current_app, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.http import parse_cookie
from werkzeug.utils import cached_property

from consult.core.kept import Kept

F = t.TypeVar("F", bound=Callable[..., t.Any])


class FormParser(FormDataParser):
    """Werkzeug's parser, with ``max_form_parts`` applied to urlencoded bodies too."""

    def _parse_urlencoded(
        self,
        stream: t.IO[bytes],
        mimetype: str,
        content_length: int | None,
        options: dict[str, str],
    ) -> t.Any:
        try:
            items = parse_qsl(
                stream.read().decode(),
                keep_blank_values=True,
                errors="werkzeug.url_quote",
                max_num_fields=self.max_form_parts,
            )
        except ValueError as error:
            if "Max number of fields" in str(error):
                raise RequestEntityTooLarge() from error
            raise
        return stream, self.cls(items), self.cls()


#: Parsed Cookie headers by the header (a browser sends the same one until a cookie changes).
_COOKIES: Kept[str, ImmutableMultiDict[str, str]] = Kept(1024)
#: Longer Cookie headers are parsed without being kept.
_COOKIES_KEPT_LENGTH = 2048


class ConsultRequest(Request):
    form_data_parser_class = FormParser

    @cached_property
    def cookies(self) -> ImmutableMultiDict[str, str]:
        """Werkzeug's, from the environ's ``HTTP_COOKIE`` (Werkzeug gathers it by walking
        every header of the environ, titling each name) and parsed once per process."""
        header: str = self.environ.get("HTTP_COOKIE", "")
        if len(header) > _COOKIES_KEPT_LENGTH:
            return _parse_cookies(header)
        found = _COOKIES.get(header)
        return found if found is not None else _COOKIES.keep(header, _parse_cookies(header))


def _parse_cookies(header: str) -> ImmutableMultiDict[str, str]:
    return t.cast(ImmutableMultiDict[str, str], parse_cookie(header, cls=ImmutableMultiDict))


def checks_own_text(view: F) -> F:
    """Mark a view whose form texts are checked (control characters included) by its own
    rules, which name the field; the NUL guard then leaves its form values to it."""
    view.checks_own_text = True  # type: ignore[attr-defined]
    return view


def _has_nul(values: t.Iterable[tuple[str, str]]) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values)


def _refuse_nul() -> None:
    req = request._get_current_object()  # type: ignore[attr-defined]
    if "\x00" in req.path or (req.query_string and _has_nul(req.args.items(multi=True))):
        abort(400)
    if req.method in ("GET", "HEAD", "OPTIONS"):
        return
    view = current_app.view_functions.get(req.endpoint or "")
    if not getattr(view, "checks_own_text", False) and _has_nul(req.form.items(multi=True)):
        abort(400)


def init_requests(app: Flask) -> None:
    app.request_class = ConsultRequest
    app.config.setdefault("MAX_FORM_PARTS", 500)
    app.before_request(_refuse_nul)

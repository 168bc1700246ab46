"""What every request must be before a view reads it: one limit on the number of form fields,
whether the body is urlencoded or multipart, and no NUL character anywhere.

Werkzeug counts multipart parts against ``MAX_FORM_PARTS`` but parses any number of urlencoded
fields; :class:`FormParser` applies the same limit to both (413 beyond it). PostgreSQL refuses
NUL in text, and no field of a page can hold one, so a NUL in the path, the query string or a
form value is refused with 400 before any view runs — except by views that check their texts
themselves and answer with a message on the field (:func:`checks_own_text`).
"""

from __future__ import annotations

import typing as t
from collections.abc import Callable
from urllib.parse import parse_qsl

from flask import Flask, Request, abort, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

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


class ConsultRequest(Request):
    form_data_parser_class = FormParser


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

"""The form page, once for every package: validate the form, make the one service call, put
the service's problems on the form's fields, or say it was done and go on.

A view then reads: load what the page shows, hand the form and the service call to
:func:`form_page` (or a button's call to :func:`act`), and say how the page is drawn. The
service refuses with :class:`consult.core.refusals.Invalid` or
:class:`~consult.core.refusals.Refused`; ``describe`` words a reason in the reader's language
(each package has its own, in its ``messages`` module).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response
from wtforms import Form, FormField

from consult.core.refusals import Refused

T = TypeVar("T")
R = TypeVar("R")
Describe = Callable[[Any], str]
#: The refusals a form page shows above its form (the others go on to the page's caller).
Catch = type[Refused] | tuple[type[Refused], ...]


def add_error(field: Any, message: str) -> None:
    field.errors = [*field.errors, message]


def find_field(form: Form, name: str) -> Any:
    """The field a problem names: ``name``, or inside a field of languages ``name-fr``
    (``name-2-fr`` for a numbered one) — the English one when the language is not there."""
    if name in form:
        found = form[name]
        return found.form["en"] if isinstance(found, FormField) else found
    if "-" in name:
        base, sub = name.split("-", 1)
        if base in form and isinstance(form[base], FormField):
            inner = form[base].form
            if sub in inner:
                return inner[sub]
            if "-" in sub and sub.split("-", 1)[0].isdigit():
                return inner[sub.split("-", 1)[1]]
            return inner["en"]
    return None


class Problems(list[str]):
    """The words of the problems that concern no field of the form (shown above it)."""


def error_list(form: Form) -> list[tuple[str, str]]:
    """(field id, message) of every error, in the order of the form, for the summary."""
    out: list[tuple[str, str]] = []
    for field in form:
        if isinstance(field, FormField):
            for sub in field.form:
                out += [(sub.id, f"{field.label.text} ({sub.label.text}): {e}") for e in sub.errors]
        elif field.type != "CSRFTokenField":
            out += [(field.id, f"{field.label.text}: {e}") for e in field.errors]
        else:
            out += [("", e) for e in field.errors]
    return out


def attach(
    form: Form,
    refusal: Refused,
    describe: Describe,
    aliases: Mapping[str, str] | None = None,
) -> Problems:
    """Put each reason's words on its field; the words of no field are returned."""
    general = Problems()
    for name, reason in refusal.located():
        field = find_field(form, (aliases or {}).get(name, name)) if name else None
        if field is None:
            general.append(describe(reason))
        else:
            add_error(field, describe(reason))
    return general


def flashed(message: str, response: R) -> R:
    """Say it was done, and go on with ``response``."""
    flash(message, "success")
    return response


def done(message: str, to: str, code: int = 302) -> Response:
    """Say it was done, and go on to ``to``."""
    return flashed(message, redirect(to, code=code))


def attempt(
    form: Form,
    action: Callable[[], T],
    describe: Describe,
    aliases: Mapping[str, str] | None = None,
    catch: Catch = Refused,
) -> T | Problems:
    """Make the service call of a submitted form: its result, or (when the service refused
    with one of ``catch``) :class:`Problems`, the words that concern no field, the others
    being put on their fields."""
    try:
        return action()
    except catch as error:
        return attach(form, error, describe, aliases)


def status() -> int:
    """A form page shown again after a POST is a 400; a GET is a 200."""
    return 400 if request.method == "POST" else 200


def form_page(
    form: Any,
    action: Callable[[], T],
    *,
    then: Callable[[T], ResponseReturnValue],
    page: Callable[[list[str]], str],
    describe: Describe,
    aliases: Mapping[str, str] | None = None,
    catch: Catch = Refused,
) -> ResponseReturnValue:
    """The form page: after a valid submission, ``action`` (the one service call) and
    ``then`` its result (say so and go on); else ``page`` drawn with the words of the problems
    that concern no field, with 400 after a POST. The service's refusals of the kinds in
    ``catch`` (all of them unless told) are shown on the form; others go on up."""
    general: list[str] = []
    if form.validate_on_submit():
        result = attempt(form, action, describe, aliases, catch)
        if not isinstance(result, Problems):
            return then(result)
        general = result
    return page(general), status()


def act(
    action: Callable[[], T],
    *,
    done: Callable[[T], str] | str,
    back: str,
    describe: Describe,
    code: int = 302,
) -> Response:
    """A button's service call: say it was done, or why it was refused; back to ``back``."""
    try:
        result = action()
    except Refused as error:
        flash(" ".join(describe(reason) for _field, reason in error.located()), "error")
    else:
        flash(done if isinstance(done, str) else done(result), "success")
    return redirect(back, code=code)

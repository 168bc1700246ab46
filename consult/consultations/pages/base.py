"""The consultation pages' blueprint and what every one of them does: find the consultation,
send back to its overview, say why an action was refused, run a builder action for a form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from consult.consultations import builder, lifecycle, services
from consult.consultations.formhelp import read_time
from consult.consultations.messages import describe, locked, refusal, word
from consult.consultations.models import Consultation
from consult.core import formpage
from consult.core.formpage import Catch, flashed
from consult.core.refusals import Invalid

bp = Blueprint("consultations", __name__, url_prefix="/admin/consultations")

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])
T = TypeVar("T")


def consultation_or_404(slug: str) -> Consultation:
    consultation = services.load(slug)
    if consultation is None:
        abort(404)
    return consultation


def to_overview(consultation: Consultation) -> ResponseReturnValue:
    return redirect(url_for("consultations.show", slug=consultation.slug), code=303)


def refuse(consultation: Consultation, message: str) -> ResponseReturnValue:
    """Tell why an action was refused, back on the consultation's page."""
    flash(message, "error")
    return to_overview(consultation)


def refused_to_overview(view: View) -> View:
    """A page whose action is refused because the consultation is locked (open, closed,
    answered) or because the lifecycle does not allow it now sends back to the overview with
    the reason, whichever action it was."""

    @wraps(view)
    def wrapper(slug: str, **kwargs: Any) -> ResponseReturnValue:
        try:
            return view(slug, **kwargs)
        except builder.Locked as error:
            flash(locked(error.reason), "error")
        except lifecycle.Refused as error:
            flash(refusal(error), "error")
        return redirect(url_for("consultations.show", slug=slug), code=303)

    return wrapper  # type: ignore[return-value]


def attempt(
    form: FlaskForm,
    action: Callable[[], object],
    done: str,
    aliases: dict[str, str] | None = None,
) -> list[str] | None:
    """Run a form's builder action: None when it was done (``done`` is flashed); else its
    problems are put on the form's fields and those of no field are returned for the page.
    A locked consultation raises on to :func:`refused_to_overview`."""
    result = formpage.attempt(form, action, describe, aliases, Invalid)
    if isinstance(result, formpage.Problems):
        return result
    flash(done, "success")
    return None


def form_page(
    form: FlaskForm,
    action: Callable[[], T],
    *,
    then: Callable[[T], ResponseReturnValue],
    page: Callable[[list[str]], str],
    aliases: dict[str, str] | None = None,
    catch: Catch = Invalid,
) -> ResponseReturnValue:
    """:func:`consult.core.formpage.form_page` in the builder's words. A locked consultation
    or a lifecycle refusal raises on to :func:`refused_to_overview` unless ``catch`` takes it
    (then it is told above the form)."""
    return formpage.form_page(
        form, action, then=then, page=page, describe=word, aliases=aliases, catch=catch
    )


def done(message: str, consultation: Consultation) -> ResponseReturnValue:
    """Say it was done, back on the consultation's page."""
    return flashed(message, to_overview(consultation))


def read_times(form: FlaskForm, *, opens: bool = True) -> tuple[datetime | None, datetime]:
    """The opening (optional) and closing times typed in the form; when either cannot be read
    (the problem is on its field), the form's service call stops there."""
    opens_at = read_time(form.opens_at, required=False) if opens else None
    closes_at = read_time(form.closes_at)
    if closes_at is None or form.closes_at.errors or (opens and form.opens_at.errors):
        raise Invalid([])
    return opens_at, closes_at

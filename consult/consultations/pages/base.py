"""The consultation pages' blueprint and what every one of them does: find the consultation,
send back to its overview, say why an action was refused, run a builder action for a form."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from consult.consultations import builder, services
from consult.consultations.formhelp import attach
from consult.consultations.messages import locked
from consult.consultations.models import Consultation

bp = Blueprint("consultations", __name__, url_prefix="/admin/consultations")

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


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


def refuses_locked(view: View) -> View:
    """A page whose builder action is refused because the consultation is locked (open, closed,
    answered) sends back to the overview with the reason, whichever action it was."""

    @wraps(view)
    def wrapper(slug: str, **kwargs: Any) -> ResponseReturnValue:
        try:
            return view(slug, **kwargs)
        except builder.Locked as error:
            flash(locked(error.reason), "error")
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
    A locked consultation raises on to :func:`refuses_locked`."""
    try:
        action()
    except builder.Invalid as error:
        return attach(form, error.problems, aliases)
    flash(done, "success")
    return None

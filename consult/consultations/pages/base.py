"""The consultation pages' blueprint and what every one of them does: find the consultation,
send back to its overview, say why an action was refused."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    url_for,
)

from consult.consultations import (
    services,
)
from consult.consultations.models import Consultation

bp = Blueprint("consultations", __name__, url_prefix="/admin/consultations")


def consultation_or_404(slug: str) -> Consultation:
    consultation = services.load(slug)
    if consultation is None:
        abort(404)
    return consultation


def to_overview(consultation: Consultation):
    return redirect(url_for("consultations.show", slug=consultation.slug), code=303)


def refuse(consultation: Consultation, message: str):
    """Tell why an action was refused, back on the consultation's page."""
    flash(message, "error")
    return to_overview(consultation)

"""Results pages for administrators."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from consult.auth.decorators import admin_required
from consult.ballots import services

bp = Blueprint("results", __name__, url_prefix="/admin")


@bp.get("/consultations/<slug>/results")
@admin_required
def show(slug: str):
    """Participation, tallies and comments of one consultation."""
    consultation = services.load_consultation(slug)
    if consultation is None:
        abort(404)
    return render_template("results/show.html", consultation=consultation)

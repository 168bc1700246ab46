"""The home page, shaped by the role of the signed-in user."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from consult.ballots import queries

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def home():
    """Show the delegate's consultations or the administration area."""
    if current_user.is_admin:
        return render_template("main/admin_home.html", rows=queries.admin_overview())
    rows = queries.member_consultations(current_user.member_id)
    return render_template("main/delegate_home.html", member=current_user.member, rows=rows)

"""The home page, shaped by the role of the signed-in user."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from consult.ballots import queries
from consult.core.database import read_together, reads_alone
from consult.core.paging import page_number

bp = Blueprint("main", __name__)


@bp.get("/")
@reads_alone  # a delegate's list is one statement; the administrators' overview is not
@login_required
def home():
    """Show the delegate's consultations or the administration area."""
    if current_user.is_admin:
        read_together()  # its counts and its page of consultations must agree
        page = queries.admin_overview(page_number(request.args.get("page")))
        return render_template("main/admin_home.html", page=page)
    rows = queries.member_consultations(current_user.member_id)
    return render_template("main/delegate_home.html", member=current_user.member, rows=rows)

"""The security events on the audit page: refused access, CSRF failures, rate-limit hits and
failed sign-ins, filterable by kind, account and days, fifty to a page (keyset on the id)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.audit.views import PAGE_SIZE, _local_midnight, bp, read_filters
from consult.auth.decorators import admin_required
from consult.auth.models import User
from consult.core.security_log import SecurityEvent, SecurityKind
from consult.extensions import db
from consult.members.models import Member

KIND_LABELS = {
    SecurityKind.ACCESS_REFUSED: _l("Access refused"),
    SecurityKind.CSRF_FAILED: _l("Form not from this site or expired (CSRF)"),
    SecurityKind.RATE_LIMITED: _l("Too many attempts (limit reached)"),
    SecurityKind.SIGN_IN_FAILED: _l("Sign-in failed"),
}


def _filters() -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    kind = request.args.get("kind", "").strip()
    if kind and kind not in KIND_LABELS:
        problems.append(_("The filter “%(name)s” was not understood and is ignored.", name="kind"))
        kind = ""
    return {"kind": kind, **read_filters(("user",), problems)}, problems


@bp.get("/security")
@admin_required
def security():
    """Security events, newest first, fifty to a page."""
    filters, problems = _filters()
    query = (
        sa.select(SecurityEvent, User.name, User.email, Member.code, Member.name)
        .outerjoin(User, User.id == SecurityEvent.user_id)
        .outerjoin(Member, Member.id == SecurityEvent.member_id)
    )
    if filters["kind"]:
        query = query.where(SecurityEvent.kind == SecurityKind(filters["kind"]))
    if filters["user"] is not None:
        query = query.where(SecurityEvent.user_id == filters["user"])
    if filters["since"]:
        query = query.where(SecurityEvent.at >= _local_midnight(filters["since"]))
    if filters["until"]:
        end = _local_midnight(filters["until"] + timedelta(days=1))
        query = query.where(SecurityEvent.at < end)
    if filters["before"] is not None:
        query = query.where(SecurityEvent.id < filters["before"])
    rows = db.session.execute(query.order_by(SecurityEvent.id.desc()).limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    kept = {k: v for k, v in request.args.items() if k != "before" and v}
    people = db.session.execute(
        sa.select(User.id, User.name, User.email)
        .where(sa.select(SecurityEvent.id).where(SecurityEvent.user_id == User.id).exists())
        .order_by(User.name)
    ).all()
    return (
        render_template(
            "audit/security.html",
            rows=rows,
            older={**kept, "before": rows[-1][0].id} if more and rows else None,
            newest=kept if filters["before"] is not None else None,
            filters=filters,
            problems=problems,
            kinds=KIND_LABELS,
            people=people,
        ),
        400 if problems else 200,
    )

"""The security events on the audit page: refused access, CSRF failures, rate-limit hits and
failed sign-ins, filterable by kind, account and days, fifty to a page (keyset on the id)."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.audit import queries
from consult.audit.views import bp, read_filters
from consult.auth.decorators import admin_required
from consult.core.security_log import SecurityKind

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
    events = queries.security_events(filters, current_app.config["TIMEZONE"])
    kept = {k: v for k, v in request.args.items() if k != "before" and v}
    return (
        render_template(
            "audit/security.html",
            rows=events.rows,
            older={**kept, "before": events.oldest_id} if events.oldest_id else None,
            newest=kept if filters["before"] is not None else None,
            filters=filters,
            problems=problems,
            kinds=KIND_LABELS,
            people=queries.security_people(),
        ),
        400 if problems else 200,
    )

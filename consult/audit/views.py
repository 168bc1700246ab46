"""The audit page: every administrative action and every submission, filterable, by pages."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime
from typing import Any

from flask import Blueprint, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from consult.audit import queries
from consult.auth.decorators import admin_required
from consult.ballots.messages import PROVENANCE_KEYS, provenance_items
from consult.core.actions import DETAILS, Action
from consult.core.audit import issue_statement
from consult.core.params import parse_id

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_HEX = re.compile(r"^[0-9a-f]{64}$")


class BadFilter(ValueError):
    """A filter value that is not one the page offers."""


def _int(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    parsed = parse_id(value)
    if parsed is None:
        raise BadFilter(name)
    return parsed


def _day(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise BadFilter(name) from error


def _filters() -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    action = request.args.get("action", "").strip()[:60]
    if action and not re.fullmatch(r"[a-z_]+", action):
        problems.append(
            _("The filter “%(name)s” was not understood and is ignored.", name="action")
        )
        action = ""
    filters = {"action": action, **read_filters(("consultation", "member", "actor"), problems)}
    return filters, problems


def read_filters(ids: tuple[str, ...], problems: list[str]) -> dict[str, Any]:
    """The id filters ``ids`` and ``before`` (keyset), and the days ``since`` and ``until``
    from the query string; what is not understood is ignored and said in ``problems``."""
    filters: dict[str, Any] = {}
    for name in (*ids, "before"):
        try:
            filters[name] = _int(name)
        except BadFilter:
            filters[name] = None
            problems.append(
                _("The filter “%(name)s” was not understood and is ignored.", name=name)
            )
    for name in ("since", "until"):
        try:
            filters[name] = _day(name)
        except BadFilter:
            filters[name] = None
            problems.append(_("Give dates as YYYY-MM-DD, e.g. 2009-12-15."))
    if filters["since"] and filters["until"] and filters["until"] < filters["since"]:
        problems.append(_("The end date comes before the start date."))
        filters["until"] = None
    return filters


@bp.get("/")
@admin_required
def index():
    """Audit events, newest first, fifty to a page."""
    filters, problems = _filters()
    events = queries.audit_events(filters, current_app.config["TIMEZONE"])
    kept = {k: v for k, v in request.args.items() if k != "before" and v}
    return (
        render_template(
            "audit/index.html",
            rows=events.rows,
            more=events.more,
            older={**kept, "before": events.oldest_id} if events.oldest_id else None,
            newest=kept if filters["before"] is not None else None,
            filters=filters,
            problems=problems,
            actions=_action_choices(),
            **queries.audit_choices(),
            action_label=action_label,
            detail_items=detail_items,
        ),
        400 if problems else 200,
    )


@bp.post("/statement")
@admin_required
def statement():
    """Record a checkpoint of the audit trail's head and download its signed statement."""
    response = make_response(issue_statement(current_user.id))
    response.mimetype = "text/plain"
    response.headers["Content-Disposition"] = 'attachment; filename="audit-statement.txt"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _action_choices() -> list[tuple[str, str]]:
    pairs = ((action, action_label(action)) for action in queries.actions_present())
    return sorted(pairs, key=lambda pair: pair[1].casefold())


def action_label(action: str) -> str:
    """The action's name in the reader's language (an unknown code as it is, made readable)."""
    try:
        return _(Action(action).label)
    except ValueError:
        return action.replace("_", " ").capitalize()


def kind_label(code: str) -> str:
    """A kind named in a detail (of a question, a document or a message), in the reader's
    language; an unknown code as it is."""
    from consult.consultations.forms import KIND_LABELS as QUESTION_KINDS
    from consult.results.mail_views import KIND_LABELS as MAIL_KINDS

    documents = {"note": _("Discussion note"), "annex": _("Annex")}
    label = QUESTION_KINDS.get(code) or MAIL_KINDS.get(code) or documents.get(code)
    return str(label) if label else code


def detail_label(key: str) -> str:
    label = DETAILS.get(key)
    return _(label) if label else key.replace("_", " ")


def detail_items(details: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The event's details as readable (name, value) pairs; moments in the organisation's
    zone."""
    from consult.core.templating import moment

    out = provenance_items(details or {})
    if out:  # an entry by the secretariat: its provenance in words, first
        details = {k: v for k, v in (details or {}).items() if k not in PROVENANCE_KEYS}
    for key, value in sorted((details or {}).items()):
        if isinstance(value, str) and _ISO.match(value):
            with contextlib.suppress(ValueError):
                value = moment(datetime.fromisoformat(value))
        elif isinstance(value, str) and _HEX.match(value):
            value = value[:12] + "…"
        elif isinstance(value, str) and key == "kind":
            value = kind_label(value)
        elif isinstance(value, list) and key == "fields":
            value = ", ".join(detail_label(str(v)) for v in value) or "—"
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value) or "—"
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        elif value is None:
            value = "—"
        out.append((detail_label(key), str(value)))
    return out


from consult.audit import security_views  # noqa: E402, F401 - routes

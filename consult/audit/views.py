"""The audit page: every administrative action and every submission, filterable, by pages."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, current_app, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from consult.auth.decorators import admin_required
from consult.auth.models import User
from consult.ballots.messages import PROVENANCE_KEYS, provenance_items
from consult.consultations.models import Consultation
from consult.core.actions import DETAILS, Action
from consult.core.audit import AuditEvent, issue_statement
from consult.core.params import parse_id
from consult.extensions import db
from consult.members.models import Member

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

PAGE_SIZE = 50
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


def _local_midnight(day: date) -> datetime:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return datetime.combine(day, time(0), tzinfo=zone)


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
    """Audit events, newest first, fifty to a page (keyset on the event id)."""
    filters, problems = _filters()
    actor = sa.orm.aliased(User)
    query = (
        sa.select(
            AuditEvent,
            actor.name,
            actor.email,
            Consultation.slug,
            Consultation.title,
            Member.code,
            Member.name,
        )
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(Consultation, Consultation.id == AuditEvent.consultation_id)
        .outerjoin(Member, Member.id == AuditEvent.member_id)
    )
    if filters["action"]:
        query = query.where(AuditEvent.action == filters["action"])
    for name, column in (
        ("consultation", AuditEvent.consultation_id),
        ("member", AuditEvent.member_id),
        ("actor", AuditEvent.actor_id),
    ):
        if filters[name] is not None:
            query = query.where(column == filters[name])
    if filters["since"]:
        query = query.where(AuditEvent.at >= _local_midnight(filters["since"]))
    if filters["until"]:
        query = query.where(AuditEvent.at < _local_midnight(filters["until"] + timedelta(days=1)))
    if filters["before"] is not None:
        query = query.where(AuditEvent.id < filters["before"])
    rows = db.session.execute(query.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    kept = {k: v for k, v in request.args.items() if k != "before" and v}
    return (
        render_template(
            "audit/index.html",
            rows=rows,
            more=more,
            older={**kept, "before": rows[-1][0].id} if more and rows else None,
            newest=kept if filters["before"] is not None else None,
            filters=filters,
            problems=problems,
            actions=_action_choices(),
            consultations=db.session.execute(
                sa.select(Consultation.id, Consultation.slug).order_by(Consultation.slug)
            ).all(),
            members=db.session.execute(
                sa.select(Member.id, Member.code, Member.name).order_by(Member.code)
            ).all(),
            actors=db.session.execute(
                sa.select(User.id, User.name, User.email)
                .where(sa.select(AuditEvent.id).where(AuditEvent.actor_id == User.id).exists())
                .order_by(User.name)
            ).all(),
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
    # The actions present, by skipping through the (action, id) index from one action to the
    # next (a recursive query): as many index look-ups as actions, never a scan of the table.
    found = sa.select(sa.func.min(AuditEvent.action).label("action")).cte("found", recursive=True)
    found = found.union_all(
        sa.select(
            sa.select(sa.func.min(AuditEvent.action))
            .where(AuditEvent.action > found.c.action)
            .scalar_subquery()
        ).where(found.c.action.is_not(None))
    )
    present = db.session.scalars(sa.select(found.c.action).where(found.c.action.is_not(None))).all()
    return sorted(((a, action_label(a)) for a in present), key=lambda pair: pair[1].casefold())


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

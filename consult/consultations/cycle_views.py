"""Lifecycle actions on the consultation's page: open, close, extend, reopen, outcome, publish."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult.auth.decorators import admin_required
from consult.consultations import builder, cycle, followup, lifecycle, outcomes
from consult.consultations.checks import Issue, Problem
from consult.consultations.formhelp import attach, error_list, read_time, show_time
from consult.consultations.forms import (
    DeadlineForm,
    FollowUpForm,
    OpenForm,
    OutcomeForm,
    PublishForm,
    fill,
    text_of,
)
from consult.consultations.lifecycle import Refused
from consult.consultations.messages import describe, refusal
from consult.consultations.texts import get_text
from consult.consultations.views import bp, consultation_or_404, refuse, to_overview
from consult.core import clock
from consult.core.params import parse_id
from consult.extensions import db
from consult.members.models import Member


@bp.post("/<slug:slug>/open")
@admin_required
def open_(slug: str):
    """Open now, or let it open by itself at its opening time."""
    consultation = consultation_or_404(slug)
    form = OpenForm()
    if not form.validate_on_submit():
        return refuse(consultation, _("Choose when to open the consultation."))
    try:
        cycle.open_consultation(
            consultation.id,
            actor_id=current_user.id,
            scheduled=form.when.data == "scheduled",
            notify=bool(form.notify.data),
        )
    except Refused as error:
        return refuse(consultation, refusal(error))
    except cycle.NotReady as error:
        return refuse(
            consultation,
            " ".join(
                [_("The consultation cannot open yet:")] + [describe(p) for p in error.problems]
            ),
        )
    flash(
        _("The consultation is open.")
        if form.when.data != "scheduled"
        else _("The consultation will open by itself at its opening time."),
        "success",
    )
    return to_overview(consultation)


@bp.post("/<slug:slug>/close")
@admin_required
def close(slug: str):
    """Close now, ahead of the deadline."""
    consultation = consultation_or_404(slug)
    try:
        cycle.close_consultation(consultation.id, actor_id=current_user.id)
    except Refused as error:
        return refuse(consultation, refusal(error))
    flash(_("The consultation is closed. Record its outcome next."), "success")
    return to_overview(consultation)


def _deadline_page(slug: str, *, reopening: bool):
    consultation = consultation_or_404(slug)
    now, schedule = clock.now(), consultation.schedule()
    # the page is only for a consultation the action applies to
    refused = (lifecycle.reopen_refusal if reopening else lifecycle.extend_refusal)(schedule, now)
    if refused is not None:
        return refuse(consultation, refusal(refused))
    form = DeadlineForm()
    general: list[str] = []
    if request.method == "GET":
        show_time(form.closes_at, consultation.closes_at)
    elif form.validate_on_submit():
        new_deadline = read_time(form.closes_at)
        if new_deadline is not None:
            action = cycle.reopen if reopening else cycle.extend_deadline
            try:
                action(
                    consultation.id,
                    new_deadline,
                    form.reason.data or "",
                    actor_id=current_user.id,
                    notify=bool(form.notify.data),
                )
            except Refused as error:
                general = [refusal(error)]
            except builder.Invalid as error:
                general = attach(form, error.problems)
            else:
                flash(
                    _("The consultation is open again until the new deadline.")
                    if reopening
                    else _("The deadline has been extended."),
                    "success",
                )
                return to_overview(consultation)
    errors = error_list(form)
    return (
        render_template(
            "consultations/deadline.html",
            consultation=consultation,
            form=form,
            reopening=reopening,
            errors=errors,
            general=general,
        ),
        400 if errors or general else 200,
    )


@bp.route("/<slug:slug>/extend", methods=["GET", "POST"])
@admin_required
def extend(slug: str):
    """Move the deadline of an open consultation later, with the reason."""
    return _deadline_page(slug, reopening=False)


@bp.route("/<slug:slug>/reopen", methods=["GET", "POST"])
@admin_required
def reopen(slug: str):
    """Reopen a closed consultation until a new deadline, with the reason."""
    return _deadline_page(slug, reopening=True)


@bp.route("/<slug:slug>/outcome", methods=["GET", "POST"])
@admin_required
def outcome(slug: str):
    """Record the decision, the options it selects and its rationale, in three languages; the
    form starts from the official result and asks why when the decision departs from it."""
    consultation = consultation_or_404(slug)
    try:
        lifecycle.check_outcome_editable(consultation.schedule(), clock.now())
    except Refused as error:
        return refuse(consultation, refusal(error))
    official = outcomes.official_results(consultation)
    form = OutcomeForm()
    general: list[str] = []
    if request.method == "GET":
        if consultation.outcome:
            fill(form.outcome, get_text(consultation, "outcome"))
            fill(form.rationale, get_text(consultation, "rationale"))
            fill(form.reason, get_text(consultation, "outcome_reason"))
            selected = {o.id for o in consultation.selected_options}
        else:
            fill(form.outcome, outcomes.prefill(official))
            selected = {o.id for r in official if r.decided for o in r.winners}
    else:
        raw = request.form.getlist("selected")
        ids = [parse_id(value) for value in raw]
        selected = {i for i in ids if i is not None}
        if form.validate_on_submit():
            try:
                if None in ids:
                    raise builder.Invalid([Problem("selected", Issue.NOT_AN_OPTION)])
                cycle.record_outcome(
                    consultation.id,
                    text_of(form.outcome),
                    text_of(form.rationale),
                    actor_id=current_user.id,
                    selected=selected,
                    reason=text_of(form.reason),
                )
            except Refused as error:
                return refuse(consultation, refusal(error))
            except builder.Invalid as error:
                general = attach(form, error.problems)
            else:
                flash(_("The outcome has been recorded. Publish it when it is final."), "success")
                return to_overview(consultation)
    errors = error_list(form)
    return (
        render_template(
            "consultations/outcome.html",
            consultation=consultation,
            form=form,
            errors=errors,
            general=general,
            official=official,
            selected=selected,
            results_page="results.show" in current_app.view_functions,
        ),
        400 if errors or general else 200,
    )


@bp.post("/<slug:slug>/publish")
@admin_required
def publish(slug: str):
    """Publish the outcome and the results to the membership."""
    consultation = consultation_or_404(slug)
    form = PublishForm()
    form.validate_on_submit()
    try:
        cycle.publish(consultation.id, actor_id=current_user.id, notify=bool(form.notify.data))
    except Refused as error:
        return refuse(consultation, refusal(error))
    flash(_("The outcome and the results have been published."), "success")
    return to_overview(consultation)


@bp.route("/<slug:slug>/follow-up", methods=["GET", "POST"])
@admin_required
def follow_up(slug: str):
    """Start a follow-up round from a published consultation."""
    consultation = consultation_or_404(slug)
    if consultation.status is not lifecycle.Status.PUBLISHED:
        return refuse(consultation, _("A follow-up round starts from a published consultation."))
    available = followup.suggestions(db.session, consultation)
    form = FollowUpForm()
    form.suggestions.choices = [SelectChoice(s.key, s.label) for s in available]
    general: list[str] = []
    if request.method == "GET":
        form.slug.data = f"{consultation.slug}-follow-up"[:80]
        show_time(form.closes_at, clock.now() + timedelta(days=21))
    elif form.validate_on_submit():
        opens_at = read_time(form.opens_at, required=False)
        closes_at = read_time(form.closes_at)
        if not (form.opens_at.errors or form.closes_at.errors):
            try:
                child = followup.start(
                    consultation.id,
                    followup.FollowUp(
                        slug=form.slug.data or "",
                        title=text_of(form.title),
                        reference=form.reference.data or "",
                        opens_at=opens_at,
                        closes_at=closes_at,
                        start=form.start.data or "new",
                        kind=form.kind.data or "ranking",
                        prompt=text_of(form.prompt),
                        chosen=form.suggestions.data or [],
                    ),
                    actor_id=current_user.id,
                )
            except builder.Invalid as error:
                general = attach(form, error.problems)
            else:
                flash(_("The follow-up round has been created as a draft."), "success")
                return to_overview(child)
    members = {
        m.id: m
        for m in db.session.scalars(
            sa.select(Member).where(Member.id.in_({i for s in available for i in s.member_ids}))
        )
    }
    errors = error_list(form)
    return (
        render_template(
            "consultations/followup.html",
            consultation=consultation,
            form=form,
            suggestions=available,
            members=members,
            chosen=set(form.suggestions.data or []),
            errors=errors,
            general=general,
        ),
        400 if errors or general else 200,
    )

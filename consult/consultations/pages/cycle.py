"""Lifecycle actions on the consultation's page: open, close, extend, reopen, outcome, publish."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from consult.auth.decorators import admin_required
from consult.consultations import builder, cycle, followup, lifecycle, outcomes
from consult.consultations.checks import Issue, Problem
from consult.consultations.formhelp import attach, show_time
from consult.consultations.forms import (
    CloseForm,
    DeadlineForm,
    ErratumForm,
    FollowUpForm,
    OpenForm,
    OutcomeForm,
    PublishForm,
    fill,
    text_of,
)
from consult.consultations.lifecycle import Refusal, Refused
from consult.consultations.messages import describe, refusal
from consult.consultations.models import Consultation
from consult.consultations.pages.base import (
    attempt,
    bp,
    consultation_or_404,
    done,
    form_page,
    read_times,
    refuse,
    refused_to_overview,
    to_overview,
)
from consult.consultations.texts import get_text
from consult.core import clock
from consult.core.confirm import Confirmation, ask, confirmed
from consult.core.formpage import error_list
from consult.core.params import parse_id
from consult.core.refusals import Invalid
from consult.core.templating import localized, moment
from consult.extensions import db


def _subject(consultation) -> str:
    title = localized(consultation, "title")
    return f"{title} · {consultation.reference}" if consultation.reference else title


def _notify_line() -> str:
    return _(
        "If “notify” is ticked, each delegate of an invited member receives an e-mail in their "
        "own language."
    )


def _open_confirmation(consultation) -> Confirmation:
    invited = len(consultation.invited)
    return Confirmation(
        title=_("Open the consultation?"),
        subject=_subject(consultation),
        consequences=[
            ngettext(
                "%(num)d invited member can answer from the opening; its delegates see the "
                "consultation on their home page.",
                "%(num)d invited members can answer from the opening; their delegates see the "
                "consultation on their home page.",
                invited,
            ),
            _notify_line(),
            _(
                "The official method and what observers may do are fixed from the opening; the "
                "questions and options, once a member has saved a response."
            ),
            _(
                "The deadline is %(when)s; afterwards it moves only by an extension or an early "
                "closing, each recorded with its reason.",
                when=moment(consultation.closes_at),
            ),
        ],
        button=_("Open the consultation"),
        back=url_for("consultations.show", slug=consultation.slug),
    )


@bp.route("/<slug:slug>/open", methods=["GET", "POST"])
@admin_required
@refused_to_overview
def open_(slug: str):
    """Open now, or let it open by itself at its opening time, after the confirmation page."""
    consultation = consultation_or_404(slug)
    lifecycle.open_(consultation.schedule(), clock.now())
    form = OpenForm()
    if consultation.stage() is not lifecycle.Stage.DRAFT or consultation.opens_at is None:
        del form.when  # opening now is the only choice
    if not confirmed():
        return ask(_open_confirmation(consultation), form)
    if not form.validate_on_submit():
        return ask(_open_confirmation(consultation), form)
    scheduled = "when" in form and form.when.data == "scheduled"
    try:
        cycle.open_consultation(
            consultation.id,
            actor_id=current_user.id,
            scheduled=scheduled,
            notify=bool(form.notify.data),
        )
    except cycle.NotReady as error:
        return refuse(
            consultation,
            " ".join(
                [_("The consultation cannot open yet:")] + [describe(p) for p in error.problems]
            ),
        )
    return done(
        _("The consultation will open by itself at its opening time.")
        if scheduled
        else _("The consultation is open."),
        consultation,
    )


def _close_confirmation(consultation, general: list[str] | None = None) -> Confirmation:
    return Confirmation(
        title=_("Close the consultation before its deadline?"),
        subject=_subject(consultation),
        consequences=[
            _(
                "Delegates can no longer submit or revise responses: the responses received so "
                "far are the ones counted."
            ),
            _(
                "The deadline of %(when)s stays in the record, shown beside the closing time and "
                "your reason.",
                when=moment(consultation.closes_at),
            ),
            _(
                "If “notify” is ticked, each delegate of an invited member receives an e-mail in "
                "their own language, with your reason."
            ),
            _("It can be reopened later, with a new deadline and a reason."),
        ],
        button=_("Close the consultation now"),
        back=url_for("consultations.show", slug=consultation.slug),
        danger=True,
        general=general or [],
    )


@bp.route("/<slug:slug>/close", methods=["GET", "POST"])
@admin_required
@refused_to_overview
def close(slug: str):
    """Close now, ahead of the deadline, with a reason, after the confirmation page."""
    consultation = consultation_or_404(slug)
    lifecycle.close(consultation.schedule(), clock.now())
    form = CloseForm()
    if not confirmed() or not form.validate_on_submit():
        return ask(_close_confirmation(consultation), form)
    closed = attempt(
        form,
        lambda: cycle.close_consultation(
            consultation.id,
            actor_id=current_user.id,
            reason=text_of(form.reason),
            notify=bool(form.notify.data),
        ),
        _("The consultation is closed. Record its outcome next."),
    )
    if closed is not None:
        return ask(_close_confirmation(consultation, closed), form)
    return to_overview(consultation)


def _deadline_page(slug: str, *, reopening: bool):
    consultation = consultation_or_404(slug)
    now, schedule = clock.now(), consultation.schedule()
    # the page is only for a consultation the action applies to
    refused = (lifecycle.reopen_refusal if reopening else lifecycle.extend_refusal)(schedule, now)
    if refused is not None:
        return refuse(consultation, refusal(refused))
    form = DeadlineForm()
    if request.method == "GET":
        show_time(form.closes_at, consultation.closes_at)

    def change() -> None:
        _opens_at, new_deadline = read_times(form, opens=False)
        (cycle.reopen if reopening else cycle.extend_deadline)(
            consultation.id,
            new_deadline,
            text_of(form.reason),
            actor_id=current_user.id,
            notify=bool(form.notify.data),
        )

    return form_page(
        form,
        change,
        then=lambda _none: done(
            _("The consultation is open again until the new deadline.")
            if reopening
            else _("The deadline has been extended."),
            consultation,
        ),
        page=lambda general: render_template(
            "consultations/deadline.html",
            consultation=consultation,
            form=form,
            reopening=reopening,
            errors=error_list(form),
            general=general,
        ),
        catch=(Invalid, Refused),
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
@refused_to_overview
def outcome(slug: str):
    """Record the decision, the options it selects and its rationale, in three languages; the
    form starts from the official result and asks why when the decision departs from it."""
    consultation = consultation_or_404(slug)
    lifecycle.check_outcome_editable(consultation.schedule(), clock.now())
    official = outcomes.official_results(consultation)
    form = OutcomeForm()
    ids: list[int | None] = []
    if request.method == "GET":
        if consultation.outcome:
            fill(form.outcome, get_text(consultation, "outcome"))
            fill(form.rationale, get_text(consultation, "rationale"))
            fill(form.reason, get_text(consultation, "outcome_reason"))
            selected = {o.id for o in consultation.selected_options}
            missing = outcomes.unexplained(consultation, official)
            if missing:  # the count changed since (a reopening): the reason is now required
                reason = {"questions": ", ".join(map(str, missing))}
                attach(form, [Problem("reason", Issue.OUTCOME_REASON_REQUIRED, reason)])
        else:
            fill(form.outcome, outcomes.prefill(official))
            selected = {o.id for r in official if r.decided for o in r.winners}
    else:
        ids = [parse_id(value) for value in request.form.getlist("selected")]
        selected = {i for i in ids if i is not None}

    def record() -> None:
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

    return form_page(
        form,
        record,
        then=lambda _none: done(
            _("The outcome has been recorded. Publish it when it is final."), consultation
        ),
        page=lambda general: render_template(
            "consultations/outcome.html",
            consultation=consultation,
            form=form,
            errors=error_list(form),
            general=general,
            official=official,
            selected=selected,
            results_page="results.show" in current_app.view_functions,
        ),
    )


def _publish_confirmation(consultation) -> Confirmation:
    consequences = [
        _(
            "The outcome and the detailed results become visible to the delegates of every "
            "invited member."
        )
    ]
    if consultation.results_attributed:
        consequences.append(_("Results are attributed: delegates see which member answered what."))
    consequences += [
        _notify_line(),
        _(
            "Nothing can change afterwards: the results are frozen, and the outcome can only be "
            "corrected by an erratum that keeps the earlier text."
        ),
    ]
    return Confirmation(
        title=_("Publish the outcome and the results?"),
        subject=_subject(consultation),
        consequences=consequences,
        button=_("Publish the outcome and the results"),
        back=url_for("consultations.show", slug=consultation.slug),
    )


@bp.route("/<slug:slug>/publish", methods=["GET", "POST"])
@admin_required
def publish(slug: str):
    """Publish the outcome and the results to the membership, after the confirmation page."""
    consultation = consultation_or_404(slug)
    try:
        lifecycle.publish(
            consultation.schedule(),
            clock.now(),
            has_outcome=bool(consultation.outcome),
            unexplained=bool(consultation.outcome and outcomes.unexplained(consultation)),
        )
    except Refused as error:
        if error.code is Refusal.OUTCOME_UNEXPLAINED:
            # Up front, before the confirmation: the outcome's form, its reason field marked.
            flash(refusal(error), "error")
            return redirect(url_for("consultations.outcome", slug=consultation.slug), code=303)
        return refuse(consultation, refusal(error))
    form = PublishForm()
    if not confirmed() or not form.validate_on_submit():
        return ask(_publish_confirmation(consultation), form)
    try:
        cycle.publish(consultation.id, actor_id=current_user.id, notify=bool(form.notify.data))
    except Refused as error:
        return refuse(consultation, refusal(error))
    return done(_("The outcome and the results have been published."), consultation)


@bp.route("/<slug:slug>/erratum", methods=["GET", "POST"])
@admin_required
@refused_to_overview
def erratum(slug: str):
    """Correct a published outcome by an erratum: new text, reason, delegates told."""
    consultation = consultation_or_404(slug)
    lifecycle.check_correctable(consultation.schedule(), clock.now())
    form = ErratumForm()
    if request.method == "GET":
        fill(form.outcome, get_text(consultation, "outcome"))
    return form_page(
        form,
        lambda: cycle.correct_outcome(
            consultation.id,
            text_of(form.outcome),
            text_of(form.reason),
            actor_id=current_user.id,
            notify=bool(form.notify.data),
        ),
        then=lambda _none: done(_("The erratum has been published."), consultation),
        page=lambda general: render_template(
            "consultations/erratum.html",
            consultation=consultation,
            form=form,
            errors=error_list(form),
            general=general,
        ),
    )


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
    if request.method == "GET":
        form.slug.data = f"{consultation.slug}-follow-up"[:80]
        show_time(form.closes_at, clock.now() + timedelta(days=21))

    def start() -> Consultation:
        opens_at, closes_at = read_times(form)
        return followup.start(
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

    return form_page(
        form,
        start,
        then=lambda child: done(_("The follow-up round has been created as a draft."), child),
        page=lambda general: render_template(
            "consultations/followup.html",
            consultation=consultation,
            form=form,
            suggestions=available,
            members=followup.members_of(db.session, available),
            chosen=set(form.suggestions.data or []),
            errors=error_list(form),
            general=general,
        ),
    )

"""The Administration's consultation pages: a new one, overview, settings, invitations, YAML."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult.auth.decorators import admin_required
from consult.consultations import (
    builder,
    cycle,
    importing,
    invitations,
    lifecycle,
    services,
)
from consult.consultations.formhelp import show_time
from consult.consultations.forms import (
    FIELD_LABELS,
    KIND_LABELS,
    METHOD_LABELS,
    OBSERVER_LABELS,
    InvitationsForm,
    SettingsForm,
    fill,
    text_of,
)
from consult.consultations.lifecycle import Stage
from consult.consultations.messages import locked
from consult.consultations.models import Consultation
from consult.consultations.pages.base import (
    bp,
    consultation_or_404,
    done,
    form_page,
    read_times,
    refuse,
    refused_to_overview,
)
from consult.consultations.texts import get_text, missing_translations
from consult.core import clock, formpage
from consult.core.formpage import error_list
from consult.core.plaintext import fold
from consult.core.templating import localized
from consult.extensions import db
from consult.members.models import Member, MemberKind


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Start a draft consultation."""
    form = SettingsForm()
    return form_page(
        form,
        lambda: builder.create(_settings(form, *read_times(form)), actor_id=current_user.id),
        then=lambda created: done(
            _("The draft has been created. Add its questions next."), created
        ),
        page=lambda general: _settings_page(form, None, general),
    )


def _settings_page(form: SettingsForm, consultation: Consultation | None, general: list[str]):
    status = consultation.status if consultation is not None else lifecycle.Status.DRAFT
    return render_template(
        "consultations/settings.html",
        form=form,
        consultation=consultation,
        errors=error_list(form),
        general=general,
        dates_editable=lifecycle.dates_editable(status),
        rules_editable=lifecycle.voting_rules_editable(status),
        observer_labels=OBSERVER_LABELS,
    )


def _settings(form: SettingsForm, opens_at, closes_at) -> builder.Settings:
    return builder.Settings(
        slug=form.slug.data or "",
        title=text_of(form.title),
        reference=form.reference.data or "",
        summary=text_of(form.summary),
        opens_at=opens_at,
        closes_at=closes_at,
        observers_may=(form.observers_may.data if "observers_may" in form else None) or "comment",
        results_attributed=bool(form.results_attributed.data),
    )


@bp.get("/<slug:slug>")
@admin_required
def show(slug: str):
    """The consultation at a glance, and what can be done with it now."""
    consultation = consultation_or_404(slug)
    now = clock.now()
    counts = services.response_counts(consultation.id)
    invited = invitations.count(db.session, consultation.id)
    stage = consultation.stage(now)
    return render_template(
        "consultations/show.html",
        consultation=consultation,
        stage=stage,
        invited=invited,
        submitted=counts.get("submitted", 0),
        drafts=counts.get("draft", 0),
        missing=missing_translations(consultation),
        ready=cycle.readiness(consultation, invited) if stage is Stage.DRAFT else [],
        questions_editable=lifecycle.structure_lock(
            consultation.status, consultation.closes_at, now, bool(counts)
        )
        is None,
        settings_editable=lifecycle.settings_editable(consultation.status),
        invitations_editable=lifecycle.invitations_editable(
            consultation.status, consultation.closes_at, now
        ),
        children=consultation.children,
        results_page="results.show" in current_app.view_functions,
        audit_page="audit.index" in current_app.view_functions,
        newcomers=invitations.newcomers(db.session, consultation)
        if stage is not Stage.DRAFT
        else [],
        kind_labels=KIND_LABELS,
        method_labels=METHOD_LABELS,
        field_labels=FIELD_LABELS,
    )


@bp.route("/<slug:slug>/settings", methods=["GET", "POST"])
@admin_required
@refused_to_overview
def settings(slug: str):
    """Edit the title, texts, dates and settings."""
    consultation = consultation_or_404(slug)
    if not lifecycle.settings_editable(consultation.status):
        return refuse(consultation, locked("published"))
    form = SettingsForm()
    if not lifecycle.voting_rules_editable(consultation.status):
        del form.observers_may
    if request.method == "GET":
        form.slug.data = consultation.slug
        fill(form.title, get_text(consultation, "title"))
        fill(form.summary, get_text(consultation, "summary"))
        form.reference.data = consultation.reference
        show_time(form.opens_at, consultation.opens_at)
        show_time(form.closes_at, consultation.closes_at)
        if "observers_may" in form:
            form.observers_may.data = consultation.observers_may.value
        form.results_attributed.data = consultation.results_attributed

    def save() -> None:
        if lifecycle.dates_editable(consultation.status):
            opens_at, closes_at = read_times(form)
        else:
            opens_at, closes_at = consultation.opens_at, consultation.closes_at
        builder.update_settings(
            consultation.id, _settings(form, opens_at, closes_at), actor_id=current_user.id
        )

    return form_page(
        form,
        save,
        then=lambda _none: formpage.done(
            _("The settings have been saved."),
            url_for("consultations.show", slug=(form.slug.data or "").strip().lower()),
            303,
        ),
        page=lambda general: _settings_page(form, consultation, general),
    )


@bp.route("/<slug:slug>/invitations", methods=["GET", "POST"])
@admin_required
def invitations_page(slug: str):
    """Choose who is invited: every member state, observers too or not, or a chosen set."""
    consultation = consultation_or_404(slug)
    members = invitations.choices(db.session, consultation)
    # In the reader's language and alphabetical order, accents aside.
    members.sort(key=lambda m: fold(localized(m, "name")))
    form = InvitationsForm()
    form.members.choices = [SelectChoice(m.id, m.code) for m in members]
    editable = lifecycle.invitations_editable(
        consultation.status, consultation.closes_at, clock.now()
    )
    selected = {m.id for m in consultation.invited}
    choice = request.form.get("select", "")
    if request.method == "GET":
        form.mode.data = "all" if consultation.invite_all else "chosen"
        form.observers.data = consultation.invite_observers
        form.members.data = [m.id for m in consultation.invited]
    elif choice:
        # A quick choice ticks boxes on the page again; nothing is saved until "Save" (the
        # CSRF token was checked for every POST before the view).
        ticked = invitations.quick_selection(members, form.members.data or [], choice)
        selected = ticked if ticked is not None else set(form.members.data or [])
        form.mode.data = "chosen"
    elif form.validate_on_submit():
        return _save_invitations(
            consultation,
            invite_all=form.mode.data == "all",
            invite_observers=bool(form.observers.data),
            member_ids=form.members.data or [],
        )
    else:
        selected = set(form.members.data or [])
    groups: dict[str, list[Member]] = {}
    for m in members:
        key = "states" if m.kind is MemberKind.MEMBER_STATE else "observers"
        groups.setdefault(key, []).append(m)
    regions = sorted(
        {m.region for m in members if m.active}, key=lambda r: fold(localized(r, "name"))
    )
    return render_template(
        "consultations/invitations.html",
        consultation=consultation,
        form=form,
        groups=groups,
        regions=regions,
        selected=selected,
        quick=bool(choice),
        editable=editable,
        errors=error_list(form) if not choice else [],
    )


@bp.post("/<slug:slug>/invitations/newcomers")
@admin_required
def invite_newcomers(slug: str):
    """Invite the members that joined after the list of "every member state" was computed."""
    consultation = consultation_or_404(slug)
    return _save_invitations(
        consultation,
        invite_all=True,
        invite_observers=consultation.invite_observers,
        member_ids=[],
    )


def _save_invitations(
    consultation: Consultation, *, invite_all: bool, invite_observers: bool, member_ids: list[int]
):
    try:
        invitations.set_invitations(
            consultation.id,
            invite_all=invite_all,
            invite_observers=invite_observers,
            member_ids=member_ids,
            actor_id=current_user.id,
        )
    except invitations.InvitationsLocked:
        return refuse(consultation, _("The consultation is closed; invitations are final."))
    return done(_("The invitations have been saved."), consultation)


@bp.get("/<slug:slug>/consultation.yaml")
@admin_required
def document(slug: str):
    """The consultation as YAML, the format of ``consult consultations import``."""
    text = importing.dump_text(slug)
    if text is None:
        abort(404)
    return Response(
        text,
        mimetype="application/yaml",
        headers={
            "Content-Disposition": f'attachment; filename="{slug}.yaml"',
            "Cache-Control": "no-store",
        },
    )

"""Builder pages for questions and options: add, edit, order, remove, merge."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms import SelectChoice

from consult.auth.decorators import admin_required
from consult.consultations import builder, kinds, lifecycle
from consult.consultations.checks import Issue, Problem
from consult.consultations.formhelp import fill_scale, lines, scale_of
from consult.consultations.forms import (
    KIND_LABELS,
    METHOD_LABELS,
    MergeForm,
    OptionForm,
    QuestionForm,
    fill,
    question_form,
    text_of,
)
from consult.consultations.kinds.number import canonical, read_number
from consult.consultations.messages import describe, locked, word
from consult.consultations.models import Consultation, Option, Question
from consult.consultations.pages.base import (
    bp,
    consultation_or_404,
    form_page,
    refuse,
    refused_to_overview,
    to_overview,
)
from consult.consultations.texts import get_text
from consult.core.confirm import Confirmation, ConfirmForm, ask, confirmed
from consult.core.formpage import act, error_list, flashed
from consult.core.params import parse_id
from consult.core.templating import localized
from consult.extensions import db


def _question_or_404(consultation: Consultation, question_id: int) -> Question:
    for q in consultation.questions:
        if q.id == question_id:
            return q
    abort(404)


def _option_or_404(consultation: Consultation, option_id: int) -> tuple[Question, Option]:
    for q in consultation.questions:
        for o in q.options:
            if o.id == option_id:
                return q, o
    abort(404)


def _to_question(consultation: Consultation, question: Question):
    return redirect(
        url_for("consultations.question", slug=consultation.slug, question_id=question.id),
        code=303,
    )


def _editable(consultation: Consultation) -> str | None:
    """Why questions cannot change now (None when they can)."""
    lock = builder.structure_lock(db.session, consultation)
    return lock.value if lock else None


def _check_editable(consultation: Consultation) -> None:
    """Refuse (back to the overview, by :func:`refused_to_overview`) when questions cannot
    change now."""
    reason = _editable(consultation)
    if reason is not None:
        raise builder.Locked(builder.LockReason(reason))


def _condition_choices(form: QuestionForm, consultation: Consultation, current: Question | None):
    """The answers a condition may name: the options of the questions before this one,
    grouped by question."""
    earlier = consultation.questions
    if current is not None:
        earlier = earlier[: earlier.index(current)]
    form.show_if.choices = {
        _("Question %(n)d: %(prompt)s", n=q.position, prompt=localized(q, "prompt")[:80]): [
            (o.id, localized(o, "label")) for o in q.options
        ]
        for q in earlier
        if kinds.get(q.kind).conditions_name_options and q.options
    }
    for setting in kinds.SETTINGS.values():
        if setting.type is kinds.SettingType.QUESTION and setting.name in form:
            _question_choices(form[setting.name], earlier)


def _question_choices(field, earlier) -> None:
    """The questions a setting may name: the earlier ones with options."""
    field.choices = [("", "—")] + [
        (
            str(q.id),
            _("Question %(n)d: %(prompt)s", n=q.position, prompt=localized(q, "prompt")[:80]),
        )
        for q in earlier
        if kinds.get(q.kind).has_options and q.options
    ]


def _condition(consultation: Consultation, option_ids: list[int]):
    """``show_if`` from the answers ticked: the question they belong to and their ids."""
    if not option_ids:
        return None, []
    owners = {o.id: q.id for q in consultation.questions for o in q.options}
    questions = {owners.get(o) for o in option_ids}
    if len(questions) != 1 or None in questions:
        return None, [Problem("show_if", Issue.CONDITION_UNKNOWN_ANSWER)]
    return {"question": questions.pop(), "options": sorted(set(option_ids))}, []


def _fields(form: QuestionForm, kind: str, current: Question | None, consultation: Consultation):
    """The question's texts and its kind's settings, as typed."""
    problems: list = []
    settings: dict[str, object] = {}
    for setting in (*kinds.COMMON, *kinds.get(kind).settings):
        if setting.name not in form:
            if setting.type is kinds.SettingType.METHOD:
                settings[setting.name] = (
                    current.official_method.value if current is not None else setting.default
                )
            continue
        field = form[setting.name]
        match setting.type:
            case kinds.SettingType.FLAG:
                settings[setting.name] = bool(field.data)
            case kinds.SettingType.SCALE:
                settings[setting.name], found = scale_of(field)
                problems += found
            case kinds.SettingType.LIMIT:
                settings[setting.name] = field.data if field.data is not None else setting.default
            case kinds.SettingType.DECIMAL:
                text = (field.data or "").strip()
                settings[setting.name] = read_number(text) if text else None
                if text and settings[setting.name] is None:
                    problems.append(Problem(setting.name, Issue.NOT_A_NUMBER))
            case kinds.SettingType.TEXT:
                settings[setting.name] = text_of(field)
            case kinds.SettingType.CONDITION:
                settings[setting.name], found = _condition(consultation, field.data or [])
                problems += found
            case kinds.SettingType.QUESTION:
                settings[setting.name] = field.data
            case _:
                settings[setting.name] = field.data or (
                    setting.default if setting.type is kinds.SettingType.METHOD else field.data
                )
    fields = builder.QuestionFields(
        kind=kind,
        prompt=text_of(form.prompt),
        help=text_of(form.help),
        required=bool(form.required.data),
        settings=settings,
    )
    return fields, problems


def _fill(form: QuestionForm, q: Question) -> None:
    """The form shows the question as stored."""
    fill(form.prompt, get_text(q, "prompt"))
    fill(form.help, get_text(q, "help"))
    form.required.data = q.required
    values = kinds.settings_of(q)
    for setting in (*kinds.COMMON, *kinds.get(q.kind).settings):
        if setting.name not in form:
            continue
        value = values[setting.name]
        match setting.type:
            case kinds.SettingType.SCALE:
                fill_scale(form[setting.name], [t.stored() for t in value])
            case kinds.SettingType.TEXT:
                fill(form[setting.name], value)
            case kinds.SettingType.DECIMAL:
                form[setting.name].data = "" if value is None else canonical(value)
            case kinds.SettingType.CONDITION:
                form[setting.name].data = list((value or {}).get("options", []))
            case _:
                form[setting.name].data = value


def _question_page(
    consultation: Consultation,
    form: QuestionForm,
    kind: str,
    question: Question | None,
    action: Callable[[builder.QuestionFields], Question],
    done: str,
):
    """The question form, new or edited: its texts and settings read, the builder's
    ``action`` called with them, back to the question."""

    def save() -> Question:
        _check_editable(consultation)
        fields, problems = _fields(form, kind, question, consultation)
        if problems:
            raise builder.Invalid(problems)
        return action(fields)

    return form_page(
        form,
        save,
        then=lambda saved: flashed(done, _to_question(consultation, saved)),
        page=lambda general: _render_question(consultation, form, kind, question, general),
    )


def _render_question(consultation, form, kind, question, general) -> str:
    reason = _editable(consultation)
    return render_template(
        "consultations/question.html",
        consultation=consultation,
        question=question,
        form=form,
        kind=kind,
        kind_label=KIND_LABELS.get(kind, kind),
        errors=error_list(form),
        general=general,
        locked_reason=reason,
        locked_message=locked(reason or ""),
        method_labels=METHOD_LABELS,
        method_locked=not lifecycle.voting_rules_editable(consultation.status),
        has_options=kinds.get(kind).has_options,
        merge_allowed=consultation.status is lifecycle.Status.DRAFT,
    )


@bp.route("/<slug:slug>/questions/new", methods=["GET", "POST"])
@admin_required
@refused_to_overview
def new_question(slug: str):
    """Add a question of the kind chosen on the consultation's page."""
    consultation = consultation_or_404(slug)
    _check_editable(consultation)
    kind = request.values.get("kind", "ranking")
    if kind not in KIND_LABELS:
        abort(404)
    form = question_form(kind)()
    _condition_choices(form, consultation, None)
    if request.method == "GET":
        form.kind.data = kind
        for setting in kinds.get(kind).settings:
            if setting.type in (kinds.SettingType.FLAG, kinds.SettingType.LIMIT):
                form[setting.name].data = setting.default
    return _question_page(
        consultation,
        form,
        kind,
        None,
        lambda fields: builder.add_question(
            consultation.id, fields, lines(form.options.data), actor_id=current_user.id
        ),
        _("The question has been added."),
    )


@bp.route("/<slug:slug>/questions/<id:question_id>", methods=["GET", "POST"])
@admin_required
@refused_to_overview
def question(slug: str, question_id: int):
    """Edit a question's texts and settings; its options, in order."""
    consultation = consultation_or_404(slug)
    q = _question_or_404(consultation, question_id)
    kind = q.kind.value
    form = question_form(kind)()
    _condition_choices(form, consultation, q)
    del form.kind, form.options
    if "official_method" in form and not lifecycle.voting_rules_editable(consultation.status):
        del form.official_method
    if request.method == "GET":
        _fill(form, q)

    def update(fields: builder.QuestionFields) -> Question:
        builder.update_question(consultation.id, q.id, fields, actor_id=current_user.id)
        return q

    return _question_page(consultation, form, kind, q, update, _("The question has been saved."))


@bp.route("/<slug:slug>/questions/<id:question_id>/remove", methods=["GET", "POST"])
@admin_required
@refused_to_overview
def remove_question(slug: str, question_id: int):
    """Remove a question and its options, after the confirmation page."""
    consultation = consultation_or_404(slug)
    q = _question_or_404(consultation, question_id)
    _check_editable(consultation)
    if not confirmed() or not ConfirmForm().validate_on_submit():
        return ask(
            Confirmation(
                title=_("Remove question %(n)d?", n=q.position),
                subject=localized(q, "prompt"),
                consequences=[
                    ngettext(
                        "The question and its %(num)d option are removed for good.",
                        "The question and its %(num)d options are removed for good.",
                        len(q.options),
                    ),
                    _("The questions after it move up one place."),
                    _("The removal is recorded in the audit log; it cannot be undone."),
                ],
                button=_("Remove the question"),
                back=url_for("consultations.show", slug=consultation.slug),
                danger=True,
            )
        )
    return act(
        lambda: builder.remove_question(consultation.id, q.id, actor_id=current_user.id),
        done=_("The question has been removed."),
        back=url_for("consultations.show", slug=consultation.slug),
        describe=word,
        code=303,
    )


def _positions(prefix: str) -> dict[int, str]:
    """``position-<id>`` fields of the posted form, by id."""
    out: dict[int, str] = {}
    for name, value in request.form.items():
        if name.startswith(prefix):
            item = parse_id(name[len(prefix) :])
            if item is not None:
                out[item] = value[:10]
    return out


def _order_refused(consultation, error: builder.Invalid, items, back):
    """The order form again, each wrong position beside its item."""
    messages: dict[int, str] = {}
    general: list[str] = []
    for p in error.problems:
        item = parse_id(p.field.removeprefix("position-"))
        if item is not None:
            messages[item] = describe(p)
        else:
            general.append(describe(p))
    return (
        render_template(
            "consultations/order.html",
            consultation=consultation,
            items=items,
            typed=dict(request.form),
            messages=messages,
            general=general,
            back=back,
            action=request.path,
        ),
        400,
    )


@bp.post("/<slug:slug>/questions/order")
@admin_required
@refused_to_overview
def order_questions(slug: str):
    """Put the questions in the order typed beside them."""
    consultation = consultation_or_404(slug)
    try:
        builder.reorder_questions(
            consultation.id, _positions("position-"), actor_id=current_user.id
        )
    except builder.Invalid as error:
        items = [(q.id, q.position, q.prompt) for q in consultation.questions]
        back = url_for("consultations.show", slug=slug)
        return _order_refused(consultation, error, items, back)
    return flashed(_("The order of the questions has been saved."), to_overview(consultation))


@bp.post("/<slug:slug>/questions/<id:question_id>/options/order")
@admin_required
@refused_to_overview
def order_options(slug: str, question_id: int):
    """Put a question's options in the order typed beside them."""
    consultation = consultation_or_404(slug)
    q = _question_or_404(consultation, question_id)
    try:
        builder.reorder_options(
            consultation.id, q.id, _positions("position-"), actor_id=current_user.id
        )
    except builder.Invalid as error:
        items = [(o.id, o.position, o.label) for o in q.options]
        back = url_for("consultations.question", slug=slug, question_id=q.id)
        return _order_refused(consultation, error, items, back)
    return flashed(_("The order of the options has been saved."), _to_question(consultation, q))


def _option_page(consultation: Consultation, q: Question, option: Option | None):
    """The option form: a new option of ``q`` (``option`` None) or the one to edit."""
    form = OptionForm()
    if option is not None and request.method == "GET":
        fill(form.label, get_text(option, "label"))
        fill(form.description, get_text(option, "description"))

    def save() -> object:
        fields = builder.OptionFields(text_of(form.label), text_of(form.description))
        if option is None:
            return builder.add_option(consultation.id, q.id, fields, actor_id=current_user.id)
        return builder.update_option(consultation.id, option.id, fields, actor_id=current_user.id)

    return form_page(
        form,
        save,
        then=lambda _saved: flashed(
            _("The option has been added.") if option is None else _("The option has been saved."),
            _to_question(consultation, q),
        ),
        page=lambda general: render_template(
            "consultations/option.html",
            consultation=consultation,
            question=q,
            option=option,
            form=form,
            errors=error_list(form),
            general=general,
        ),
    )


@bp.route("/<slug:slug>/questions/<id:question_id>/options/new", methods=["GET", "POST"])
@admin_required
@refused_to_overview
def new_option(slug: str, question_id: int):
    """Add an option to a question."""
    consultation = consultation_or_404(slug)
    q = _question_or_404(consultation, question_id)
    if not kinds.get(q.kind).has_options:
        abort(404)
    _check_editable(consultation)
    return _option_page(consultation, q, None)


@bp.route("/<slug:slug>/options/<id:option_id>", methods=["GET", "POST"])
@admin_required
@refused_to_overview
def option(slug: str, option_id: int):
    """Edit an option's label and background."""
    consultation = consultation_or_404(slug)
    q, o = _option_or_404(consultation, option_id)
    return _option_page(consultation, q, o)


@bp.route("/<slug:slug>/options/<id:option_id>/remove", methods=["GET", "POST"])
@admin_required
@refused_to_overview
def remove_option(slug: str, option_id: int):
    """Remove an option, after the confirmation page."""
    consultation = consultation_or_404(slug)
    q, o = _option_or_404(consultation, option_id)
    _check_editable(consultation)
    if not confirmed() or not ConfirmForm().validate_on_submit():
        return ask(
            Confirmation(
                title=_("Remove the option “%(label)s”?", label=localized(o, "label")),
                subject=_("Question %(number)d", number=q.position)
                + " · "
                + localized(q, "prompt"),
                consequences=[
                    _("The option is removed for good from the question, with its translations."),
                    _("The removal is recorded in the audit log; it cannot be undone."),
                ],
                button=_("Remove the option"),
                back=url_for("consultations.question", slug=consultation.slug, question_id=q.id),
                danger=True,
            )
        )
    return act(
        lambda: builder.remove_option(consultation.id, o.id, actor_id=current_user.id),
        done=_("The option has been removed."),
        back=url_for("consultations.question", slug=consultation.slug, question_id=q.id),
        describe=word,
        code=303,
    )


@bp.route("/<slug:slug>/questions/<id:question_id>/merge", methods=["GET", "POST"])
@admin_required
@refused_to_overview
def merge(slug: str, question_id: int):
    """Fold one option into another (drafts only)."""
    consultation = consultation_or_404(slug)
    q = _question_or_404(consultation, question_id)
    if consultation.status is not lifecycle.Status.DRAFT:
        return refuse(consultation, locked("not_draft"))
    form = MergeForm()
    choices = [SelectChoice(o.id, o.label) for o in q.options]
    form.survivor.choices = form.absorbed.choices = choices
    if request.method == "GET" and len(choices) > 1:
        form.absorbed.data = choices[1].value

    def merge_options() -> None:
        try:
            builder.merge_options(
                consultation.id,
                q.id,
                form.survivor.data,
                form.absorbed.data,
                actor_id=current_user.id,
            )
        except builder.NotFound:
            abort(404)

    return form_page(
        form,
        merge_options,
        then=lambda _none: flashed(
            _("The options have been merged."), _to_question(consultation, q)
        ),
        page=lambda general: render_template(
            "consultations/merge.html",
            consultation=consultation,
            question=q,
            form=form,
            errors=error_list(form),
            general=general,
        ),
    )

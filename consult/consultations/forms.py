"""Forms of the consultation builder and of the lifecycle actions.

The forms only carry what was typed: every rule is applied by the services (the same rules
as the YAML import), and their problems are attached back to the fields by the views.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from consult.consultations import kinds
from consult.consultations.document import Text
from consult.core.csrf import PageForm
from consult.core.params import form_id, parse_id

LANGUAGE_LABELS = {"en": _l("English"), "fr": _l("French"), "es": _l("Spanish")}

#: Every kind's name in the reader's language, in menu order (the kinds mark their labels).
KIND_LABELS = {k.name.value: _l(k.label) for k in kinds.KINDS}
METHOD_LABELS = {
    "irv": _l("Instant-runoff"),
    "schulze": _l("Schulze (Condorcet)"),
    "borda": _l("Borda count"),
}
FIELD_LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary and background"),
    "outcome": _l("Outcome"),
    "rationale": _l("Rationale"),
    "prompt": _l("Question"),
    "help": _l("Help text"),
    "label": _l("Label"),
    "description": _l("Background"),
    "scale": _l("Point of the scale"),
}
OBSERVER_LABELS = {
    "nothing": _l("Nothing: they may only read"),
    "comment": _l("Comment and answer survey questions, but not rank or choose"),
    "vote": _l("Everything members may do, ranking and choosing included"),
}


def _choices(labels) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def translated(label, *, textarea: bool = False, rows: int = 3, description: str = ""):
    """Three fields side by side: English, French, Spanish (``<name>-en`` …)."""
    field = TextAreaField if textarea else StringField
    kwargs = {"render_kw": {"rows": rows}} if textarea else {}

    class Translated(Form):
        en = field(LANGUAGE_LABELS["en"], **kwargs)
        fr = field(LANGUAGE_LABELS["fr"], **kwargs)
        es = field(LANGUAGE_LABELS["es"], **kwargs)

    return FormField(Translated, label=label, separator="-", description=description)


def text_of(field) -> Text:
    """The :class:`Text` typed in a :func:`translated` field."""
    data = field.data or {}
    return Text(data.get("en") or "", data.get("fr") or "", data.get("es") or "")


def fill(field, text: Text) -> None:
    field.form.en.data, field.form.fr.data, field.form.es.data = text.en, text.fr, text.es


def _time_field(label, description=""):
    return StringField(
        label,
        description=description,
        render_kw={"type": "datetime-local", "placeholder": "2009-12-15 18:00"},
    )


class SettingsForm(PageForm):
    slug = StringField(
        _l("Short name (in addresses)"),
        description=_l("Lower-case letters, digits and hyphens, e.g. idm-2011-theme."),
    )
    title = translated(_l("Title"))
    reference = StringField(
        _l("Reference document symbol"), description=_l("For example IC/2009/1.")
    )
    summary = translated(
        _l("Summary and background"),
        textarea=True,
        rows=8,
        description=_l("Markdown: **bold**, *italics*, lists, links; HTML is shown as text."),
    )
    opens_at = _time_field(_l("Opens"))
    closes_at = _time_field(_l("Deadline"))
    observers_may = RadioField(
        _l("What observers may do"), choices=_choices(OBSERVER_LABELS), default="comment"
    )
    results_attributed = BooleanField(
        _l("Results attributed: once published, delegates may see which member answered what")
    )


class InvitationsForm(PageForm):
    mode = RadioField(
        _l("Who is invited"),
        choices=[
            SelectChoice(
                "all", _l("Every member state (kept up to date until the consultation opens)")
            ),
            SelectChoice("chosen", _l("Only the members ticked below")),
        ],
        default="all",
    )
    observers = BooleanField(
        _l("With every member state, invite the observers too (observer states and organisations)")
    )
    members = SelectMultipleField(_l("Members"), coerce=form_id, choices=[], validate_choice=False)


class QuestionForm(PageForm):
    """The settings every kind has; :func:`question_form` adds those of one kind."""

    kind = SelectField(_l("Kind of question"), choices=_choices(KIND_LABELS))
    prompt = translated(_l("Question"))
    help = translated(_l("Help text (optional, Markdown)"), textarea=True, rows=3)
    required = BooleanField(_l("An answer is required"))
    options = TextAreaField(
        _l("Options, one per line (in English; add backgrounds and translations afterwards)"),
        render_kw={"rows": 5},
    )


def _setting_field(setting: kinds.Setting):
    label = _l(setting.label)
    match setting.type:
        case kinds.SettingType.FLAG:
            return BooleanField(label)
        case kinds.SettingType.COUNT:
            return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=1000)])
        case kinds.SettingType.LIMIT:
            return IntegerField(
                label,
                default=setting.default,
                validators=[Optional(), NumberRange(min=0, max=100_000)],
            )
        case kinds.SettingType.METHOD:
            return SelectField(
                label,
                choices=_choices(METHOD_LABELS),
                description=_l("Fixed when the consultation opens."),
            )
        case kinds.SettingType.SCALE:
            return translated(label, textarea=True, rows=5)
        case kinds.SettingType.DECIMAL:
            return StringField(
                label,
                description=_l("Optional. Digits, with a point or a comma before decimals."),
                render_kw={"inputmode": "decimal"},
            )
        case kinds.SettingType.TEXT:
            return translated(label)
        case kinds.SettingType.QUESTION:
            return SelectField(
                label,
                coerce=parse_id,
                choices=[],
                validate_choice=False,
                description=_l("Leave empty to use this question's own options."),
            )
        case kinds.SettingType.CONDITION:
            return SelectMultipleField(
                label,
                coerce=int,
                choices=[],
                validate_choice=False,
                description=_l(
                    "Tick the answers of one earlier question that show it; tick none to show "
                    "it to everyone. Members who did not answer so skip it, and its answers "
                    "from them are discarded."
                ),
            )
    raise ValueError(setting.type)


def question_form(kind: str) -> type[QuestionForm]:
    """The builder's form for a question of ``kind``: common fields and the kind's settings."""
    fields = {s.name: _setting_field(s) for s in (*kinds.COMMON, *kinds.get(kind).settings)}
    return type(f"{kind.title()}QuestionForm", (QuestionForm,), fields)


class OptionForm(PageForm):
    label = translated(_l("Label"))
    description = translated(
        _l("Background (Markdown)"), textarea=True, rows=6, description=_l("Optional.")
    )


class OpenForm(PageForm):
    when = RadioField(
        _l("When"),
        choices=[
            SelectChoice("now", _l("Open now")),
            SelectChoice("scheduled", _l("Open by itself at the opening time")),
        ],
        default="now",
    )
    notify = BooleanField(_l("Notify the invited delegates by e-mail"), default=True)


class DeadlineForm(PageForm):
    closes_at = _time_field(_l("New deadline"))
    reason = translated(
        _l("Reason (recorded in the audit log)"),
        textarea=True,
        rows=3,
        description=_l("At least in English; the notices give it in each delegate's language."),
    )
    notify = BooleanField(_l("Notify the invited delegates by e-mail"), default=True)


class CloseForm(PageForm):
    reason = translated(
        _l("Reason for closing before the deadline (shown to delegates, recorded)"),
        textarea=True,
        rows=3,
        description=_l("At least in English; delegates read it in their language."),
    )
    notify = BooleanField(_l("Notify the invited delegates by e-mail"), default=True)


class OutcomeForm(PageForm):
    outcome = translated(
        _l("Outcome"),
        textarea=True,
        rows=3,
        description=_l("E.g. “The membership has selected *Migration and Social Change* …”"),
    )
    rationale = translated(_l("Rationale (Markdown)"), textarea=True, rows=6)
    reason = translated(
        _l("Why the outcome departs from the official result"),
        textarea=True,
        rows=3,
        description=_l(
            "Required when the options selected are not the official result, or when that "
            "result is a tie; shown with the outcome."
        ),
    )


class ErratumForm(PageForm):
    outcome = translated(_l("Corrected outcome"), textarea=True, rows=3)
    reason = translated(
        _l("Reason for the correction"),
        textarea=True,
        rows=2,
        description=_l("Shown with the corrected outcome; at least in English."),
    )
    notify = BooleanField(_l("Notify the invited delegates by e-mail"), default=True)


class PublishForm(PageForm):
    notify = BooleanField(_l("Notify the invited delegates by e-mail"), default=True)


class MergeForm(PageForm):
    survivor = SelectField(_l("Option that remains"), coerce=form_id, choices=[])
    absorbed = SelectField(_l("Option folded into it (removed)"), coerce=form_id, choices=[])


class FollowUpForm(PageForm):
    slug = StringField(_l("Short name (in addresses)"))
    title = translated(_l("Title"))
    reference = StringField(_l("Reference document symbol"))
    opens_at = _time_field(_l("Opens"))
    closes_at = _time_field(_l("Deadline"))
    start = RadioField(
        _l("Start from"),
        choices=[
            SelectChoice("new", _l("A new question, with the suggestions below as its options")),
            SelectChoice(
                "copy", _l("A copy of this consultation's questions, with the suggestions added")
            ),
        ],
        default="new",
    )
    kind = SelectField(
        _l("Kind of the new question"),
        choices=[SelectChoice(k.name.value, _l(k.label)) for k in kinds.KINDS if k.has_options],
        default="ranking",
    )
    prompt = translated(_l("The new question"))
    suggestions = SelectMultipleField(
        _l("Suggestions to promote to options"), choices=[], validate_choice=False
    )

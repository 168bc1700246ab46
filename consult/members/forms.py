"""Registry forms: member, region, CSV upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from consult.core.csrf import PageForm
from consult.core.params import form_id
from consult.members.models import MemberKind

KIND_LABELS = {
    MemberKind.MEMBER_STATE: _l("Member state"),
    MemberKind.OBSERVER_STATE: _l("Observer state"),
    MemberKind.OBSERVER_ORG: _l("Observer organisation"),
}


class MemberForm(PageForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(message=_l("Enter the code.")), Length(max=10)],
        description=_l(
            "States: the three-letter ISO 3166 code (e.g. CHE). Organisations: a short code of "
            "2 to 10 capital letters or digits."
        ),
    )
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()]
    )
    region = SelectField(_l("Region"), coerce=form_id, validate_choice=False)
    name = StringField(_l("Name in English"), validators=[Length(max=200)])
    name_fr = StringField(_l("Name in French"), validators=[Length(max=200)])
    name_es = StringField(_l("Name in Spanish"), validators=[Length(max=200)])
    submit = SubmitField(_l("Save"))


class RegionForm(PageForm):
    name = StringField(
        _l("Name in English"),
        validators=[DataRequired(message=_l("Enter the name of the region.")), Length(max=80)],
    )
    name_fr = StringField(_l("Name in French"), validators=[Length(max=80)])
    name_es = StringField(_l("Name in Spanish"), validators=[Length(max=80)])
    submit = SubmitField(_l("Save the region"))


class ImportForm(PageForm):
    file = FileField(
        _l("CSV file"),
        description=_l(
            "Columns code, name, kind, region; optionally name_fr and name_es. UTF-8 text, "
            "one member per line."
        ),
    )
    submit = SubmitField(_l("Preview the import"))

"""Forms of the documents page; the rules are the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FileField, RadioField, SelectChoice, SelectField, TextAreaField

from consult.consultations.forms import LANGUAGE_LABELS, translated
from consult.core.csrf import PageForm
from consult.documents.messages import KIND_LABELS


def _languages() -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items()]


class DocumentForm(PageForm):
    """A new document with its first file."""

    kind = RadioField(
        _l("Document"),
        choices=[SelectChoice(code, label) for code, label in KIND_LABELS.items()],
        default="note",
    )
    title = translated(
        _l("Title"),
        description=_l("For example “Annex I: Figures on South-South migration”. Optional."),
    )
    language = SelectField(_l("Language of the file"), choices=_languages(), default="en")
    file = FileField(
        _l("File"),
        description=_l("PDF, Word (DOCX), Excel (XLSX) or OpenDocument text (ODT)."),
        render_kw={"accept": ".pdf,.docx,.xlsx,.odt"},
    )


class FileForm(PageForm):
    """A file for one language of a document: a first one, a replacement or a new version."""

    language = SelectField(_l("Language of the file"), choices=_languages(), default="en")
    file = FileField(
        _l("File"),
        description=_l("PDF, Word (DOCX), Excel (XLSX) or OpenDocument text (ODT)."),
        render_kw={"accept": ".pdf,.docx,.xlsx,.odt"},
    )
    note = TextAreaField(
        _l("What changed"),
        description=_l(
            "Required for a new version once the consultation is open; shown to members "
            "beside the document."
        ),
        render_kw={"rows": 2, "maxlength": 1000},
    )

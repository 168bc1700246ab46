"""The results document of a consultation, written in one format and language.

One entry point for the results page's buttons and ``consult report``: the results are
computed once (:func:`~consult.results.services.consultation_results`), composed in the
language asked (:mod:`consult.results.compose`) and laid out by the format's renderer.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO

from consult.config import LANGUAGES
from consult.consultations.models import Consultation
from consult.results import compose, services
from consult.results.to_xlsx import LongSheet, write_xlsx

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def filename(consultation: Consultation, fmt: str, locale: str) -> str:
    return f"{consultation.slug}-results-{locale}.{fmt}"


def write(
    consultation: Consultation,
    fmt: str,
    locale: str,
    out: IO[bytes],
    now: datetime | None = None,
) -> None:
    """Write the results document of ``consultation`` in ``fmt`` (pdf, docx, xlsx) and
    ``locale`` (en, fr, es) to ``out``."""
    if fmt not in FORMATS or locale not in LANGUAGES:
        raise ValueError(f"no {fmt} document in {locale}")
    document = compose.compose(services.consultation_results(consultation), locale, now)
    if fmt == "xlsx":
        responses = compose.response_sheet(consultation, locale)
        comments = compose.comment_sheet(consultation, locale)
        write_xlsx(
            document,
            out,
            [
                LongSheet(document.word("responses"), *responses, frozen_columns=2),
                LongSheet(document.word("comments"), *comments, frozen_columns=2),
            ],
        )
    elif fmt == "docx":
        from consult.results.to_docx import write_docx

        write_docx(document, out)
    else:
        from consult.results.to_pdf import write_pdf

        write_pdf(document, out)

"""A consultation's questions and options as plain immutable rows, kept per process by
(consultation, structure version).

``Consultation.structure_version`` is raised by the database in the same transaction as any
write to the consultation's questions or options (triggers, migration ``5e8c1a7d3b94``), so
a page that has read the consultation's row knows which structure goes with it: it takes the
rows kept for that version, or reads them once (one statement) and keeps them. The rows
answer what the question kinds, the ballot rules and the templates ask of ``Question`` and
``Option`` (same attribute names, ``localized``, ``scale_label``). They are shared by every
request of the process: nothing may change them, their JSON values (settings, scale,
translations) included.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import sqlalchemy as sa

from consult.consultations.enums import QuestionKind, TallyMethod
from consult.consultations.models import Consultation, Option, Question
from consult.consultations.row import ConsultationRow, as_model
from consult.core.kept import Kept
from consult.core.translated import Localized
from consult.extensions import db

#: Structures kept per process (the most recently used; a few kilobytes each).
KEPT = 256


@dataclass(frozen=True, slots=True)
class OptionRow(Localized):
    """An option as pages and rules read it (the columns of ``Option``)."""

    id: int
    question_id: int
    position: int
    label: str
    description: str
    merged_from: Sequence[Any]
    translations: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class QuestionRow(Localized):
    """A question with its options, as pages and rules read it (the columns of ``Question``)."""

    id: int
    consultation_id: int
    position: int
    kind: QuestionKind
    prompt: str
    help: str
    required: bool
    allow_partial: bool
    min_choices: int | None
    max_choices: int | None
    allow_write_in: bool
    allow_option_comments: bool
    official_method: TallyMethod
    scale: Sequence[Any]
    allow_no_opinion: bool
    max_length: int
    settings: Mapping[str, Any]
    translations: Mapping[str, Any]
    options: tuple[OptionRow, ...]

    def scale_label(self, value: int, locale: str) -> str:
        """As ``Question.scale_label``: a Likert point (1-based) in ``locale``."""
        entry = self.scale[value - 1]
        return str(entry.get(locale) or entry.get("en", str(value)))


class Versioned(Protocol):
    """A consultation as :func:`of` reads it: its model, or a plain row."""

    @property
    def id(self) -> int: ...

    @property
    def structure_version(self) -> int: ...


@dataclass(frozen=True, slots=True, eq=False)
class Structure:
    """The questions (in order, each with its options in order) of one version of a
    consultation's structure. Compared and hashed as an object: what is derived from a kept
    structure can be kept with it (``ballots.specs.structure_spec``)."""

    consultation_id: int
    version: int
    questions: tuple[QuestionRow, ...]

    def options(self) -> dict[int, OptionRow]:
        """Every option of every question, by id."""
        return {o.id: o for q in self.questions for o in q.options}


_QUESTION_COLUMNS = (
    "id",
    "consultation_id",
    "position",
    "kind",
    "prompt",
    "help",
    "required",
    "allow_partial",
    "min_choices",
    "max_choices",
    "allow_write_in",
    "allow_option_comments",
    "official_method",
    "scale",
    "allow_no_opinion",
    "max_length",
    "settings",
    "translations",
)
_OPTION_COLUMNS = ("id", "question_id", "position", "label", "description", "merged_from")


@functools.cache
def _statement() -> sa.Select[Any]:
    """The consultation's version with its questions and their options in order (built once;
    bound parameter ``consultation_id``): one row per option, one for a question without any.
    The version comes from the same statement, so it is the version of these rows."""
    c = cast(sa.Table, Consultation.__table__).c
    q = cast(sa.Table, Question.__table__).c
    o = cast(sa.Table, Option.__table__).c
    return (
        sa.select(
            c.structure_version,
            *(q[name].label(f"q_{name}") for name in _QUESTION_COLUMNS),
            *(o[name].label(f"o_{name}") for name in _OPTION_COLUMNS),
            o.translations.label("o_translations"),
        )
        .select_from(
            c.id.table.outerjoin(q.id.table, q.consultation_id == c.id).outerjoin(
                o.id.table, o.question_id == q.id
            )
        )
        .where(c.id == sa.bindparam("consultation_id"))
        .order_by(q.position, o.position)
    )


def _read(consultation_id: int) -> Structure:
    rows = db.session.connection().execute(_statement(), {"consultation_id": consultation_id})
    version = 0
    questions: list[QuestionRow] = []
    options: dict[int, list[OptionRow]] = {}
    fields: dict[int, dict[str, Any]] = {}
    for row in rows.mappings():
        version = row["structure_version"]
        qid = row["q_id"]
        if qid is None:
            continue
        if qid not in fields:
            fields[qid] = {name: row[f"q_{name}"] for name in _QUESTION_COLUMNS}
            options[qid] = []
        if row["o_id"] is not None:
            options[qid].append(
                OptionRow(
                    row["o_id"],
                    row["o_question_id"],
                    row["o_position"],
                    row["o_label"],
                    row["o_description"] or "",
                    row["o_merged_from"] or [],
                    row["o_translations"] or {},
                )
            )
    for qid, values in fields.items():
        questions.append(_question(values, tuple(options[qid])))
    return Structure(consultation_id, version, tuple(questions))


def _question(values: dict[str, Any], options: tuple[OptionRow, ...]) -> QuestionRow:
    return QuestionRow(
        **{
            **values,
            "kind": QuestionKind(values["kind"]),
            "official_method": TallyMethod(values["official_method"]),
            "help": values["help"] or "",
            "scale": values["scale"] or [],
            "settings": values["settings"] or {},
            "translations": values["translations"] or {},
        },
        options=options,
    )


_kept: Kept[tuple[int, int], Structure] = Kept(KEPT)


def current(consultation_id: int, version: int) -> Structure:
    """The structure of ``consultation_id`` at ``version`` (the version read with the
    consultation's row, in this transaction): kept, or read in one statement and kept. A
    write committed between the two reads gives the newer structure, kept under its own
    version."""
    found = _kept.get((consultation_id, version))
    if found is not None:
        return found
    read = _read(consultation_id)
    return _kept.keep((consultation_id, read.version), read)


def of(consultation: Versioned) -> Structure:
    """The structure of a consultation read as a model (its row at least) or a plain row."""
    return current(consultation.id, consultation.structure_version)


class WithStructure:
    """A consultation's model or plain row read without its questions, seen with the
    questions of its kept structure: what asks for ``questions`` (the results' loaders, the
    question kinds, the condition texts, the templates) gets the kept rows, which answer as
    ``Question`` and ``Option`` do; everything else is the consultation's own (columns,
    ``phase()``, ``localized``), and what a plain row does not have (relationships: the
    outcome's selected options and corrections) the model's made of it
    (:func:`~consult.consultations.row.as_model`). A page that only reads the consultation
    saves building its questions and options as ORM objects on every view."""

    def __init__(self, consultation: Consultation | ConsultationRow, kept: Structure) -> None:
        self.consultation = consultation
        self.structure = kept

    @property
    def questions(self) -> tuple[QuestionRow, ...]:
        return self.structure.questions

    @functools.cached_property
    def model(self) -> Consultation:
        consultation = self.consultation
        if isinstance(consultation, ConsultationRow):
            return as_model(consultation)
        return consultation

    def __getattr__(self, name: str) -> Any:
        # Read once, then found here (pages read the same few many times).
        try:
            value = getattr(self.consultation, name)
        except AttributeError:
            if not isinstance(self.consultation, ConsultationRow):
                raise
            value = getattr(self.model, name)
        setattr(self, name, value)
        return value


def with_structure(consultation: Consultation | ConsultationRow) -> Consultation:
    """``consultation`` (its row read) with the questions of its kept structure, typed as the
    model whose reading it answers (:class:`WithStructure`); for reading only."""
    return cast(Consultation, WithStructure(consultation, of(consultation)))

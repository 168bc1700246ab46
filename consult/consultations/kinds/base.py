"""What every question kind declares, and the parts kinds share (pure).

A kind is a subclass of :class:`Kind` in a module of this package, registered in
``__init__.py``. It declares, once:

* ``settings``: each with its type, default and label; the YAML keys are the setting names
  and the builder's form fields are made from them;
* ``check``: what makes its settings and options well formed;
* ``parse``: how a ballot's fields for it are read and validated (``field_names`` lists them);
* the parts of :class:`~consult.consultations.kinds.fields.QuestionAnswer` it fills, which give its
  answer rows and the form that shows it again;
* ``reads`` and ``summarise``: what the results read for it and how they are aggregated;
* ``result_rows`` and ``response_columns``: its CSV columns;
* its templates, by its name: ``ballots/kinds/<name>.html`` (the ballot),
  ``results/kinds/<name>.html`` (results) and ``consultations/kinds/<name>.html`` (builder).

Texts meant for people are English, marked with :func:`N_` for the catalogs, and translated
where they are shown.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from consult.consultations.checks import Issue, Problem
from consult.consultations.enums import QuestionKind
from consult.consultations.kinds.fields import (
    PROGRAMME,
    Code,
    OptionSpec,
    Pledge,
    QuestionAnswer,
    QuestionSpec,
    Reader,
    comment_field,
    funding_field,
)
from consult.core.plaintext import NO_GROUPING, Grouping
from consult.core.text import Text

Cell = str | int | float | None


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs; it is translated where it is shown."""
    return message


class SettingType(enum.StrEnum):
    FLAG = "flag"  # true or false
    COUNT = "count"  # a whole number, or nothing
    LIMIT = "limit"  # a whole number with a default
    METHOD = "method"  # an official tally method
    SCALE = "scale"  # labelled points, lowest first, in three languages
    DECIMAL = "decimal"  # a decimal number, or nothing
    TEXT = "text"  # a short text in three languages
    CONDITION = "condition"  # show_if: an earlier question and the options that show this one
    QUESTION = "question"  # an earlier question with options (by id; by number in YAML)


@dataclass(frozen=True)
class Setting:
    """One setting of a kind. Its name is its YAML key and its builder field; ``column`` says
    whether it is a column of ``question`` or a key of ``Question.settings``."""

    name: str
    type: SettingType
    default: Any
    label: str
    column: bool = True


@dataclass(frozen=True)
class QuestionShape:
    """What the content checks read of a question: English texts and settings."""

    kind: str
    prompt: str
    options: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.settings.get(name, default_of(name))


@dataclass(frozen=True)
class Official:
    """The result by the question's official method: ``places`` options are to be chosen (one
    unless a choose-N fills several); ``winners`` holds more than ``places`` entries on a tie."""

    method: str
    winners: tuple[int, ...]
    places: int = 1

    @property
    def tie(self) -> bool:
        return len(self.winners) > self.places


class Source(enum.StrEnum):
    """What the results read for a kind (``results/loaders.py`` reads each in fixed queries)."""

    RANKINGS = "rankings"  # each counted ballot's ranking
    SELECTIONS = "selections"  # each counted ballot's selected options
    VALUES = "values"  # scale values counted, observers apart
    TEXTS = "texts"  # free texts (answers, write-ins) with who wrote them
    NUMBERS = "numbers"  # numbers answered, observers apart
    STATEMENTS = "statements"  # scale values counted per option (statement), observers apart
    FUNDING = "funding"  # funding intentions (stored text) with who intends, observers apart


@dataclass
class ValueCounts:
    """Scale answers counted: ``values[point] = count``; "no opinion" apart."""

    values: dict[int, int] = field(default_factory=dict)
    no_opinion: int = 0


@dataclass
class Inputs:
    """What the loaders read for one question."""

    #: Each distinct ranking cast (best first) with the number of ballots that cast it.
    rankings: Mapping[tuple[int, ...], int] = field(default_factory=dict)
    selections: Sequence[tuple[int, ...]] = ()
    #: Scale counts keyed by "from observers counted apart".
    values: Mapping[bool, ValueCounts] = field(default_factory=dict)
    #: Free texts (write-ins, answers) of the question, with who wrote them.
    texts: Sequence[Any] = ()
    #: Numbers answered (exact text), keyed by "from observers counted apart".
    numbers: Mapping[bool, Sequence[str]] = field(default_factory=dict)
    #: Scale counts per statement (option), keyed by "from observers counted apart".
    statements: Mapping[bool, Mapping[int, ValueCounts]] = field(default_factory=dict)
    #: Funding intentions: (member, option id or None, stored text), keyed by "from
    #: observers" (observers are always apart: they fund, they do not vote).
    funding: Mapping[bool, Sequence[tuple[Any, int | None, str]]] = field(default_factory=dict)
    #: The Administration's corrections of the write-ins' grouping (joins and splits).
    grouping: Grouping = NO_GROUPING
    #: Every question of the consultation, for a question whose answers use another one's
    #: options (``options_from``); empty: the question's own consultation's.
    questions: Sequence[Any] = ()


class QuestionLike(Protocol):
    """What a kind reads of a stored question (the model, or a test's stand-in)."""

    id: int
    official_method: Any

    @property
    def options(self) -> Sequence[Any]: ...


@dataclass(frozen=True)
class ResponseColumn:
    """A column of the responses CSV: ``what`` fills it (``rank``, ``selected`` for one
    option; ``single``, ``value``, ``free`` for the question), headed by ``word``."""

    what: str
    option_id: int | None
    word: str


class Labels(Protocol):
    """Labels in the reader's language, for the CSV report."""

    def option(self, option_id: int) -> str: ...

    def point(self, question: Any, value: int) -> str: ...

    no_opinion: str
    #: "Whole programme" and "All together" (funding intentions).
    programme: str
    all_targets: str


class Kind:
    """The base of every kind: options and comments, and the defaults kinds share."""

    name: ClassVar[QuestionKind]
    label: ClassVar[str]
    settings: ClassVar[tuple[Setting, ...]] = ()
    #: Answers pick among the question's options.
    has_options: ClassVar[bool] = False
    #: Answers rank or select options, so a later question's condition may name them (a grid
    #: rates its statements and a funding question prices them: neither selects one).
    conditions_name_options: ClassVar[bool] = False
    #: Options a new question of this kind is given at least (when it has options).
    min_options: ClassVar[int] = 2
    #: A vote: observers answer it only when the consultation lets observers vote.
    is_vote: ClassVar[bool] = False
    #: It decides something: its results name an official result (a winner, or the options
    #: selected); the others report a distribution only.
    decides: ClassVar[bool] = False
    reads: ClassVar[frozenset[Source]] = frozenset()
    #: Ballot error codes of the kind's own, worded in English (marked with ``N_``; the
    #: sentence names the field with ``%(subject)s``); ``ballots/messages.py`` translates them.
    messages: ClassVar[Mapping[str, str]] = {}

    @property
    def template(self) -> str:
        return self.name.value

    # Settings and checks ------------------------------------------------------------------

    def check(self, q: QuestionShape, *, for_opening: bool) -> list[Problem]:
        """Problems with the question's settings and options (besides the prompt)."""
        return []

    # Ballots ------------------------------------------------------------------------------

    def field_names(self, q: QuestionSpec) -> set[str]:
        """Every form field this question reads."""
        names = self.own_fields(q)
        if q.allow_option_comments:
            names |= {comment_field(q.id, o.id) for o in q.options}
        return names

    def own_fields(self, q: QuestionSpec) -> set[str]:
        return set()

    def subjects(self, q: QuestionSpec) -> dict[str, int | None]:
        """The option each of its fields is about (None: the question as a whole), to name
        the field in an error message."""
        return dict.fromkeys(self.own_fields(q))

    def parse(self, q: QuestionSpec, reader: Reader, final: bool) -> QuestionAnswer:
        raise NotImplementedError

    def comments(self, q: QuestionSpec, reader: Reader) -> dict[int, str]:
        """Comments on options, when the question has a comment box beside each."""
        comments: dict[int, str] = {}
        if q.allow_option_comments:
            for option in q.options:
                text = reader.text(comment_field(q.id, option.id), q.max_length)
                if text:
                    comments[option.id] = text
        return comments

    # Results ------------------------------------------------------------------------------

    def summarise(self, question: QuestionLike, inputs: Inputs) -> dict[str, Any]:
        """The question's figures, as fields of ``results.services.QuestionResults``."""
        return {}

    def result_rows(self, results: Any, question: Any, labels: Labels) -> Iterator[dict[str, Cell]]:
        """Rows of the results CSV (column → value), besides the question's own columns."""
        yield {}

    def response_columns(self, question: Any) -> list[ResponseColumn]:
        """Columns of the responses CSV for this question."""
        return []

    #: Its answer rows fill several columns each (:meth:`response_cells`), found by the
    #: ``what`` of their :class:`ResponseColumn`.
    cells_of_rows: ClassVar[bool] = False

    def response_cells(
        self, option_id: int | None, text: str, words: Mapping[str, str]
    ) -> dict[str, Cell]:
        """One stored answer row's cells by column ``what`` (``words``: its words translated,
        by English text)."""
        return {}

    #: The English words of its cells, translated before the file is streamed.
    cell_words: ClassVar[tuple[str, ...]] = ()


def spec_options(options: Iterable[tuple[int, str]]) -> tuple[OptionSpec, ...]:
    return tuple(OptionSpec(i, label) for i, label in options)


def required_missing(q: QuestionSpec, reader: Reader, final: bool, name: str, blank: bool) -> None:
    """On submission, a required question left blank is refused on field ``name``."""
    if final and q.required and blank:
        reader.error(name, Code.REQUIRED)


# Settings in one table ---------------------------------------------------------------------

#: A question shown only when an earlier answer calls for it: ``{"question": id, "options":
#: [ids]}`` (the question's id and options that show it), or None. Every kind has it.
SHOW_IF = Setting(
    "show_if", SettingType.CONDITION, None, N_("Show this question only when"), column=False
)
#: Settings every kind has, besides ``required``.
COMMON: tuple[Setting, ...] = (SHOW_IF,)
_DEFAULTS: dict[str, Any] = {}


def register_defaults(settings: Iterable[Setting]) -> None:
    for s in settings:
        known = _DEFAULTS.get(s.name, s.default)
        if known != s.default:
            raise ValueError(f"setting {s.name} has two defaults")
        _DEFAULTS[s.name] = s.default


def default_of(name: str) -> Any:
    return _DEFAULTS.get(name)


def scale_labels(scale: Sequence[Text]) -> tuple[str, ...]:
    return tuple(t.en for t in scale)


def check_scale(scale: Sequence[Text], low: int, high: int) -> list[Problem]:
    """A scale has ``low`` to ``high`` points, each labelled (in English)."""
    problems: list[Problem] = []
    if not low <= len(scale) <= high:
        problems.append(Problem("scale", Issue.SCALE_SIZE, {"min": low, "max": high}))
    for i, label in enumerate(scale, start=1):
        if not label.en:
            problems.append(Problem(f"scale.{i}", Issue.REQUIRED))
    return problems


#: The answer parts (``fields.py``) the kinds' modules also take from here.
__all__ = [
    "PROGRAMME",
    "Code",
    "OptionSpec",
    "Pledge",
    "QuestionAnswer",
    "QuestionSpec",
    "Reader",
    "comment_field",
    "funding_field",
]

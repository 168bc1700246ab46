"""What every question kind reads a ballot with (pure): field names, the form reader, text
cleaning, error codes, and the answer of one question.

Field names: ``q<Q>-<suffix>`` for question Q (``q<Q>-rank-<O>``, ``q<Q>-choice``,
``q<Q>-value``, ``q<Q>-text``, ``q<Q>-writein``, ``q<Q>-comment-<O>`` …), and ``comment`` for
the general comment. Each kind says which suffixes it reads.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from consult.consultations.enums import QuestionKind
from consult.core.plaintext import clean_text

#: Characters refused in any text: C0/C1 controls except tab and newline, and NUL.
MAX_NUMBER_DIGITS = 6

#: Stored in an answer's ``value`` for a scale answered with "no opinion".
NO_OPINION = 0

Form = Mapping[str, Sequence[str]]

#: One stored answer: (question, option, rank, selected, value, text).
AnswerRow = tuple[int, int | None, int | None, bool, int | None, str | None]
ANSWER_COLUMNS = ("question_id", "option_id", "rank", "selected", "value", "text")


class Code(enum.StrEnum):
    """Why a field was refused; the page words it in the reader's language."""

    DUPLICATED_FIELD = "duplicated_field"
    RANK_NOT_A_NUMBER = "rank_not_a_number"
    RANK_OUT_OF_RANGE = "rank_out_of_range"
    RANK_DUPLICATE = "rank_duplicate"
    RANK_GAP = "rank_gap"
    RANK_INCOMPLETE = "rank_incomplete"
    REQUIRED = "required"
    #: A required ranking with no option ranked (its subject is the question, not an option).
    RANK_NONE = "rank_none"
    UNKNOWN_OPTION = "unknown_option"
    TOO_FEW_CHOICES = "too_few_choices"
    TOO_MANY_CHOICES = "too_many_choices"
    NOT_ON_SCALE = "not_on_scale"
    TEXT_TOO_LONG = "text_too_long"
    CONTROL_CHARACTER = "control_character"
    INVALID_TEXT = "invalid_text"
    OBSERVERS_MAY_NOT_VOTE = "observers_may_not_vote"
    UNKNOWN_FIELD = "unknown_field"
    NOT_A_NUMBER = "not_a_number"
    NOT_WHOLE = "not_whole"
    BELOW_MINIMUM = "below_minimum"
    ABOVE_MAXIMUM = "above_maximum"


@dataclass(frozen=True)
class OptionSpec:
    id: int
    label: str


@dataclass(frozen=True)
class QuestionSpec:
    """A question as the ballot rules see it: its options and its settings.

    The settings kept in columns of ``question`` are fields here; the settings a kind keeps in
    ``Question.settings`` are in :attr:`settings`. :meth:`get` reads either.
    """

    id: int
    kind: QuestionKind
    label: str
    options: tuple[OptionSpec, ...] = ()
    required: bool = False
    allow_partial: bool = True
    min_choices: int | None = None
    max_choices: int | None = None
    allow_write_in: bool = False
    allow_option_comments: bool = False
    points: int = 5
    allow_no_opinion: bool = False
    max_length: int = 2000
    may_vote: bool = True
    settings: Mapping[str, Any] = dataclass_field(default_factory=dict)

    @property
    def option_ids(self) -> tuple[int, ...]:
        return tuple(o.id for o in self.options)

    def get(self, name: str, default: Any = None) -> Any:
        if name in self.settings:
            return self.settings[name]
        return getattr(self, name, default)

    def field(self, suffix: str) -> str:
        """The name of this question's form field ``q<id>-<suffix>``."""
        return f"q{self.id}-{suffix}"


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)


#: The key of a funding intention for the whole programme (options are keyed by their id).
PROGRAMME = 0


@dataclass(frozen=True)
class Pledge:
    """A funding intention: an exact amount ("12500.5"), an ISO 4217 currency, firm or
    indicative, and a note. Stored as the text ``"12500.5 EUR firm"``, the note on the lines
    after it."""

    amount: str
    currency: str
    firm: bool = False
    note: str = ""

    def stored(self) -> str:
        head = f"{self.amount} {self.currency} {'firm' if self.firm else 'indicative'}"
        return f"{head}\n{self.note}" if self.note else head

    @classmethod
    def from_stored(cls, text: str) -> Pledge:
        head, _, note = text.partition("\n")
        amount, currency, firmness = head.split(" ")
        return cls(amount, currency, firmness == "firm", note)

    def canonical(self) -> dict[str, Any]:
        return {
            "amount": self.amount,
            "currency": self.currency,
            "firm": self.firm,
            "note": self.note,
        }

    @classmethod
    def from_canonical(cls, data: Mapping[str, Any]) -> Pledge:
        return cls(str(data["amount"]), str(data["currency"]), bool(data["firm"]), data["note"])


@dataclass(frozen=True)
class QuestionAnswer:
    """One question's answer, whatever its kind (each kind fills the parts it uses)."""

    question_id: int
    ranking: tuple[int, ...] = ()
    selected: tuple[int, ...] = ()
    value: int | None = None
    no_opinion: bool = False
    text: str = ""
    write_in: str = ""
    comments: Mapping[int, str] = dataclass_field(default_factory=dict)
    #: A point of the scale for each statement (option) of a grid; ``NO_OPINION`` allowed.
    values: Mapping[int, int] = dataclass_field(default_factory=dict)
    #: A number, written exactly ("12.5"); "" when none.
    number: str = ""
    #: Funding intentions: for the whole programme (key ``PROGRAMME``) and per option.
    funding: Mapping[int, Pledge] = dataclass_field(default_factory=dict)

    @property
    def is_blank(self) -> bool:
        return not (
            self.ranking
            or self.selected
            or self.value is not None
            or self.no_opinion
            or self.text
            or self.write_in
            or self.comments
            or self.values
            or self.number
            or self.funding
        )

    @property
    def options_named(self) -> frozenset[int]:
        """The options this answer ranks or selects (what a condition looks at)."""
        return frozenset((*self.ranking, *self.selected))

    def rows(self) -> list[AnswerRow]:
        """The rows that store this answer: one per ranked, selected, commented or valued option
        (its rank, whether selected, its point of the scale, its comment), and one without
        option holding the write-in, free text or number and the scale value (``NO_OPINION``
        for "no opinion")."""
        rows: list[AnswerRow] = []
        ranks = {option_id: rank for rank, option_id in enumerate(self.ranking, start=1)}
        chosen = set(self.selected)
        options = [*self.ranking, *self.selected, *self.comments, *self.values]
        for option_id in dict.fromkeys(options):
            rows.append(
                (
                    self.question_id,
                    option_id,
                    ranks.get(option_id),
                    option_id in chosen,
                    self.values.get(option_id),
                    self.comments.get(option_id),
                )
            )
        for target, pledge in self.funding.items():
            option = None if target == PROGRAMME else target
            rows.append((self.question_id, option, None, False, None, pledge.stored()))
        free = self.write_in or self.text or self.number
        value = NO_OPINION if self.no_opinion else self.value
        if free or value is not None:
            rows.append((self.question_id, None, None, False, value, free or None))
        return rows

    def to_form(self) -> dict[str, list[str]]:
        """The form fields that reproduce this answer (to prefill the page)."""
        q = self.question_id
        form: dict[str, list[str]] = {}
        for rank, option_id in enumerate(self.ranking, start=1):
            form[rank_field(q, option_id)] = [str(rank)]
        if self.selected:
            form[f"q{q}-choice"] = [str(o) for o in self.selected]
        if self.value is not None:
            form[f"q{q}-value"] = [str(self.value)]
        if self.no_opinion:
            form[f"q{q}-value"] = ["none"]
        if self.text:
            form[f"q{q}-text"] = [self.text]
        if self.write_in:
            form[f"q{q}-writein"] = [self.write_in]
        for option_id, text in self.comments.items():
            form[comment_field(q, option_id)] = [text]
        for option_id, value in self.values.items():
            form[f"q{q}-value-{option_id}"] = ["none" if value == NO_OPINION else str(value)]
        if self.number:
            form[f"q{q}-number"] = [self.number]
        for target, pledge in self.funding.items():
            form[funding_field(q, target, "amount")] = [pledge.amount]
            form[funding_field(q, target, "currency")] = [pledge.currency]
            form[funding_field(q, target, "firm")] = ["firm" if pledge.firm else "indicative"]
            if pledge.note:
                form[funding_field(q, target, "note")] = [pledge.note]
        return form


class Reader:
    """Reads single values from the form, noting duplicated fields and bad text."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.errors: list[FieldError] = []

    def one(self, name: str) -> str:
        values = self.form.get(name) or ()
        if len(values) > 1:
            self.errors.append(FieldError(name, Code.DUPLICATED_FIELD))
        return values[0] if values else ""

    def text(self, name: str, limit: int) -> str:
        cleaned, fault = clean_text(self.one(name), limit)
        if fault is not None:
            self.errors.append(FieldError(name, Code(fault), {"limit": limit}))
        return cleaned

    def error(self, name: str, code: str, **params: Any) -> None:
        self.errors.append(FieldError(name, code, params))


def rank_field(question_id: int, option_id: int) -> str:
    return f"q{question_id}-rank-{option_id}"


def comment_field(question_id: int, option_id: int) -> str:
    return f"q{question_id}-comment-{option_id}"


def funding_field(question_id: int, target: int, part: str) -> str:
    """A funding intention's field: ``q<Q>-fund-all-amount`` (whole programme),
    ``q<Q>-fund-<O>-currency`` (option O); parts: amount, currency, firm, note."""
    return f"q{question_id}-fund-{'all' if target == PROGRAMME else target}-{part}"


def whole_number(raw: str, digits: int = MAX_NUMBER_DIGITS) -> int | None:
    """``raw`` as a whole number written in ASCII digits (at most ``digits``), else None."""
    if raw.isascii() and raw.isdigit() and len(raw) <= digits:
        return int(raw)
    return None

"""Ballot validation: every rule the server enforces, as plain functions (pure).

A ballot arrives as form fields (``name -> list of values``). Field names:

* ``q<Q>-rank-<O>``  rank given to option O of ranking question Q ("" = not ranked)
* ``q<Q>-choice``    selected option id(s) of a choose or single question
* ``q<Q>-value``     Likert point ``1..points``, or ``none`` for "no opinion"
* ``q<Q>-text``      free-text answer
* ``q<Q>-writein``   alternative suggested on a ranking question
* ``q<Q>-comment-<O>`` comment on option O
* ``comment``        general comment

Unknown fields are ignored: who answers, for which member, and which version is current are
never taken from the form. A submitted ballot must be complete and consistent; a draft must be
well formed (numbers, distinct ranks, clean text) but may be incomplete: rank gaps, missing
required answers and choice bounds are only checked on submission.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

#: Characters refused in any text: C0/C1 controls except tab and newline, and NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MAX_NUMBER_DIGITS = 6


class Code(enum.StrEnum):
    """Why a field was refused; the page words it in the reader's language."""

    DUPLICATED_FIELD = "duplicated_field"
    RANK_NOT_A_NUMBER = "rank_not_a_number"
    RANK_OUT_OF_RANGE = "rank_out_of_range"
    RANK_DUPLICATE = "rank_duplicate"
    RANK_GAP = "rank_gap"
    RANK_INCOMPLETE = "rank_incomplete"
    REQUIRED = "required"
    UNKNOWN_OPTION = "unknown_option"
    TOO_FEW_CHOICES = "too_few_choices"
    TOO_MANY_CHOICES = "too_many_choices"
    NOT_ON_SCALE = "not_on_scale"
    TEXT_TOO_LONG = "text_too_long"
    CONTROL_CHARACTER = "control_character"
    INVALID_TEXT = "invalid_text"
    OBSERVERS_MAY_NOT_VOTE = "observers_may_not_vote"


class Kind(enum.StrEnum):
    RANKING = "ranking"
    CHOOSE = "choose"
    SINGLE = "single"
    LIKERT = "likert"
    TEXT = "text"


@dataclass(frozen=True)
class OptionSpec:
    id: int
    label: str


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    kind: Kind
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

    @property
    def option_ids(self) -> tuple[int, ...]:
        return tuple(o.id for o in self.options)


@dataclass(frozen=True)
class BallotSpec:
    questions: tuple[QuestionSpec, ...]
    comment_max: int = 4000


@dataclass(frozen=True)
class FieldError:
    field: str
    code: Code
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)


@dataclass(frozen=True)
class QuestionAnswer:
    question_id: int
    ranking: tuple[int, ...] = ()
    selected: tuple[int, ...] = ()
    value: int | None = None
    no_opinion: bool = False
    text: str = ""
    write_in: str = ""
    comments: Mapping[int, str] = dataclass_field(default_factory=dict)

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
        )


@dataclass(frozen=True)
class Ballot:
    answers: tuple[QuestionAnswer, ...]
    comment: str = ""

    def canonical(self) -> dict[str, Any]:
        """A JSON-ready form with a fixed order: the content of a revision and its receipt."""
        return {
            "questions": [
                {
                    "question": a.question_id,
                    "ranking": list(a.ranking),
                    "selected": sorted(a.selected),
                    "value": a.value,
                    "no_opinion": a.no_opinion,
                    "text": a.text,
                    "write_in": a.write_in,
                    "comments": {str(k): v for k, v in sorted(a.comments.items())},
                }
                for a in self.answers
            ],
            "comment": self.comment,
        }


Form = Mapping[str, Sequence[str]]


class _Reader:
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
        cleaned, code = clean_text(self.one(name), limit)
        if code is not None:
            self.errors.append(FieldError(name, code, {"limit": limit}))
        return cleaned


def clean_text(raw: str, limit: int) -> tuple[str, Code | None]:
    """Normalise line ends and outer spaces; refuse control characters, lone surrogates and
    texts longer than ``limit`` characters. Returns the text and an error code, if any."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if _CONTROL.search(text):
        return "", Code.CONTROL_CHARACTER
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "", Code.INVALID_TEXT
    text = unicodedata.normalize("NFC", text)
    if len(text) > limit:
        return "", Code.TEXT_TOO_LONG
    return text, None


def rank_field(question_id: int, option_id: int) -> str:
    return f"q{question_id}-rank-{option_id}"


def comment_field(question_id: int, option_id: int) -> str:
    return f"q{question_id}-comment-{option_id}"


#: Stored in an answer's ``value`` for a Likert question answered with "no opinion".
NO_OPINION = 0

#: One stored answer: (question, option, rank, selected, value, text).
AnswerRow = tuple[int, int | None, int | None, bool, int | None, str | None]
ANSWER_COLUMNS = ("question_id", "option_id", "rank", "selected", "value", "text")


def answer_rows(ballot: Ballot) -> list[AnswerRow]:
    """The rows that store ``ballot``: one per ranked, selected or commented option (its rank,
    whether selected, its comment), and one without option holding the write-in or free text
    and the Likert value (``NO_OPINION`` for "no opinion"). The audit check recomputes them."""
    rows: list[AnswerRow] = []
    for a in ballot.answers:
        ranks = {option_id: rank for rank, option_id in enumerate(a.ranking, start=1)}
        chosen = set(a.selected)
        for option_id in dict.fromkeys([*a.ranking, *a.selected, *a.comments]):
            rows.append(
                (
                    a.question_id,
                    option_id,
                    ranks.get(option_id),
                    option_id in chosen,
                    None,
                    a.comments.get(option_id),
                )
            )
        free = a.write_in or a.text
        value = NO_OPINION if a.no_opinion else a.value
        if free or value is not None:
            rows.append((a.question_id, None, None, False, value, free or None))
    return rows


def parse_ballot(spec: BallotSpec, form: Form, *, final: bool) -> tuple[Ballot, list[FieldError]]:
    """Validate ``form`` against ``spec``; a ballot with no errors is safe to store."""
    reader = _Reader(form)
    answers = tuple(_parse_question(q, reader, final) for q in spec.questions)
    comment = reader.text("comment", spec.comment_max)
    return Ballot(answers, comment), reader.errors


def _parse_question(q: QuestionSpec, reader: _Reader, final: bool) -> QuestionAnswer:
    comments: dict[int, str] = {}
    if q.allow_option_comments:
        for option in q.options:
            text = reader.text(comment_field(q.id, option.id), q.max_length)
            if text:
                comments[option.id] = text
    if q.kind is Kind.RANKING:
        ranking = _parse_ranking(q, reader, final)
        write_in = reader.text(f"q{q.id}-writein", 500) if q.allow_write_in else ""
        if final and q.required and q.may_vote and not ranking and not write_in:
            reader.errors.append(FieldError(rank_field(q.id, q.options[0].id), Code.REQUIRED))
        return QuestionAnswer(q.id, ranking=ranking, write_in=write_in, comments=comments)
    if q.kind in (Kind.CHOOSE, Kind.SINGLE):
        return QuestionAnswer(q.id, selected=_parse_choices(q, reader, final), comments=comments)
    if q.kind is Kind.LIKERT:
        value, no_opinion = _parse_likert(q, reader, final)
        return QuestionAnswer(q.id, value=value, no_opinion=no_opinion)
    text = reader.text(f"q{q.id}-text", q.max_length)
    if final and q.required and not text:
        reader.errors.append(FieldError(f"q{q.id}-text", Code.REQUIRED))
    return QuestionAnswer(q.id, text=text)


def _parse_ranking(q: QuestionSpec, reader: _Reader, final: bool) -> tuple[int, ...]:
    """Ranks are whole numbers from 1 to the number of options, each used once, with no gap;
    options left blank are unranked (allowed unless the question asks for a full ranking)."""
    n = len(q.options)
    ranks: dict[int, int] = {}
    for option in q.options:
        name = rank_field(q.id, option.id)
        raw = reader.one(name).strip()
        if not raw:
            continue
        if not q.may_vote:
            reader.errors.append(FieldError(name, Code.OBSERVERS_MAY_NOT_VOTE))
            continue
        if not raw.isascii() or not raw.isdigit() or len(raw) > _MAX_NUMBER_DIGITS:
            reader.errors.append(FieldError(name, Code.RANK_NOT_A_NUMBER, {"max": n}))
            continue
        rank = int(raw)
        if not 1 <= rank <= n:
            reader.errors.append(FieldError(name, Code.RANK_OUT_OF_RANGE, {"max": n}))
            continue
        ranks[option.id] = rank
    by_rank: dict[int, list[int]] = {}
    for option_id, rank in ranks.items():
        by_rank.setdefault(rank, []).append(option_id)
    for rank, option_ids in sorted(by_rank.items()):
        if len(option_ids) > 1:
            for option_id in option_ids:
                reader.errors.append(
                    FieldError(rank_field(q.id, option_id), Code.RANK_DUPLICATE, {"rank": rank})
                )
    if not final:
        return tuple(o for o, _ in sorted(ranks.items(), key=lambda item: item[1]))
    used = sorted(by_rank)
    if used and used != list(range(1, len(used) + 1)):
        missing = next(r for r in range(1, len(used) + 1) if r not in by_rank)
        first = next(o.id for o in q.options if o.id in ranks and ranks[o.id] > missing)
        reader.errors.append(FieldError(rank_field(q.id, first), Code.RANK_GAP, {"rank": missing}))
    if used and not q.allow_partial and len(ranks) < n:
        unranked = next(o.id for o in q.options if o.id not in ranks)
        reader.errors.append(FieldError(rank_field(q.id, unranked), Code.RANK_INCOMPLETE))
    return tuple(o for o, _ in sorted(ranks.items(), key=lambda item: item[1]))


def _parse_choices(q: QuestionSpec, reader: _Reader, final: bool) -> tuple[int, ...]:
    name = f"q{q.id}-choice"
    raw_values = [v.strip() for v in reader.form.get(name) or () if v.strip()]
    if raw_values and not q.may_vote:
        reader.errors.append(FieldError(name, Code.OBSERVERS_MAY_NOT_VOTE))
        return ()
    if q.kind is Kind.SINGLE and len(raw_values) > 1:
        reader.errors.append(FieldError(name, Code.TOO_MANY_CHOICES, {"max": 1}))
        return ()
    chosen: list[int] = []
    for raw in raw_values:
        if not raw.isascii() or not raw.isdigit() or int(raw) not in q.option_ids:
            reader.errors.append(FieldError(name, Code.UNKNOWN_OPTION))
            return ()
        if int(raw) in chosen:
            reader.errors.append(FieldError(name, Code.DUPLICATED_FIELD))
            return ()
        chosen.append(int(raw))
    if final and q.may_vote:
        low = q.min_choices if q.kind is Kind.CHOOSE else 1
        high = q.max_choices if q.kind is Kind.CHOOSE else 1
        if q.required and not chosen:
            reader.errors.append(FieldError(name, Code.REQUIRED))
        elif chosen and low is not None and len(chosen) < low:
            reader.errors.append(FieldError(name, Code.TOO_FEW_CHOICES, {"min": low}))
        if high is not None and len(chosen) > high:
            reader.errors.append(FieldError(name, Code.TOO_MANY_CHOICES, {"max": high}))
    order = {option_id: i for i, option_id in enumerate(q.option_ids)}
    return tuple(sorted(chosen, key=order.__getitem__))


def _parse_likert(q: QuestionSpec, reader: _Reader, final: bool) -> tuple[int | None, bool]:
    name = f"q{q.id}-value"
    raw = reader.one(name).strip()
    if not raw:
        if final and q.required:
            reader.errors.append(FieldError(name, Code.REQUIRED))
        return None, False
    if raw == "none" and q.allow_no_opinion:
        return None, True
    if raw.isascii() and raw.isdigit() and len(raw) <= 2 and 1 <= int(raw) <= q.points:
        return int(raw), False
    reader.errors.append(FieldError(name, Code.NOT_ON_SCALE, {"max": q.points}))
    return None, False


def draft_fields(spec: BallotSpec, form: Form) -> dict[str, list[str]]:
    """The known fields of a (validated) draft, as typed, to show them again later."""
    known = {"comment"}
    for q in spec.questions:
        known |= {f"q{q.id}-{suffix}" for suffix in ("choice", "value", "text", "writein")}
        known |= {rank_field(q.id, o.id) for o in q.options}
        known |= {comment_field(q.id, o.id) for o in q.options}
    return {
        name: [v for v in values if v]
        for name, values in form.items()
        if name in known and any(values)
    }


def ballot_from_canonical(content: Mapping[str, Any]) -> Ballot:
    """The inverse of :meth:`Ballot.canonical` (reads a stored revision)."""
    return Ballot(
        tuple(
            QuestionAnswer(
                int(q["question"]),
                ranking=tuple(q["ranking"]),
                selected=tuple(q["selected"]),
                value=q["value"],
                no_opinion=bool(q["no_opinion"]),
                text=q["text"],
                write_in=q["write_in"],
                comments={int(k): v for k, v in q["comments"].items()},
            )
            for q in content["questions"]
        ),
        content.get("comment", ""),
    )


def ballot_to_form(ballot: Ballot) -> dict[str, list[str]]:
    """The form fields that reproduce ``ballot`` (to prefill the page)."""
    form: dict[str, list[str]] = {}
    for a in ballot.answers:
        for rank, option_id in enumerate(a.ranking, start=1):
            form[rank_field(a.question_id, option_id)] = [str(rank)]
        if a.selected:
            form[f"q{a.question_id}-choice"] = [str(o) for o in a.selected]
        if a.value is not None:
            form[f"q{a.question_id}-value"] = [str(a.value)]
        if a.no_opinion:
            form[f"q{a.question_id}-value"] = ["none"]
        if a.text:
            form[f"q{a.question_id}-text"] = [a.text]
        if a.write_in:
            form[f"q{a.question_id}-writein"] = [a.write_in]
        for option_id, text in a.comments.items():
            form[comment_field(a.question_id, option_id)] = [text]
    if ballot.comment:
        form["comment"] = [ballot.comment]
    return form

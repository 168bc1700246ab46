"""The CSV report: results, responses and comments, streamed row by row.

Each ``*_rows`` function yields plain rows (header first); :mod:`consult.results.csvsafe`
neutralises and encodes them. The responses file reads answers through one streamed query, so
memory stays flat in the number of responses.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import gettext as _

from consult.auth.models import User
from consult.ballots.models import Answer, Entry, Response, ResponseStatus
from consult.ballots.rules import NO_OPINION
from consult.consultations import kinds
from consult.consultations.kinds.base import Source
from consult.consultations.kinds.number import cell as number_cell
from consult.consultations.models import Consultation, ObserversMay, Question
from consult.core.templating import locale_code, localized
from consult.extensions import db
from consult.members.models import Member, MemberKind, Region
from consult.results import loaders
from consult.results.csvsafe import Cell, csv_bytes
from consult.results.services import ConsultationResults
from consult.results.sqltext import IsoDate, IsoUtc, neutralised

Row = list[Cell]
FILES = ("results", "responses", "comments")


def filename(consultation: Consultation, name: str) -> str:
    return f"{consultation.slug}-{name}.csv"


def statement_filename(consultation: Consultation) -> str:
    """The signed statement of the audit head that goes with an export."""
    return f"{consultation.slug}-audit-statement.txt"


# Results ---------------------------------------------------------------------------------

RESULTS_HEADER = [
    "question",
    "option",
    "first_preferences",
    "borda_points",
    "pairwise_wins",
    "irv_eliminated_in_round",
    "selections",
    "responses",
    "question_number",
    "kind",
    "official_method",
    "official_winner",
    "tie",
    "share",
    "mean",
    "median",
    "total",
    "currency",
    "firm_total",
    "indicative_total",
    "members",
    "observers",
    "write_in",
]


def results_rows(results: ConsultationResults) -> Iterator[Row]:
    """One row per question and option (per scale point for Likert, one row for free text).

    Computed at once (a few rows per option): a streamed response runs after the request's
    database session is gone, so nothing may be read from the ORM objects by then."""
    return iter(list(_results_rows(results)))


class _Labels:
    """Labels in the reader's language, taken before streaming."""

    def __init__(self, consultation: Consultation) -> None:
        self.labels = {
            o.id: localized(o, "label") for q in consultation.questions for o in q.options
        }
        self.locale = locale_code()
        self.no_opinion = _("No opinion")
        self.programme = _("Whole programme")
        self.all_targets = _("All together")

    def option(self, option_id: int) -> str:
        return self.labels.get(option_id, "")

    def point(self, question: Question, value: int) -> str:
        return question.scale_label(value, self.locale) if question.scale else ""


def _results_rows(results: ConsultationResults) -> Iterator[Row]:
    yield list(RESULTS_HEADER)
    labels = _Labels(results.consultation)
    for q in results.questions:
        question = q.question
        base: dict[str, Cell] = {
            "question": localized(question, "prompt"),
            "question_number": q.number,
            "kind": question.kind.value,
            "responses": q.respondents,
        }
        for values in kinds.get(question.kind).result_rows(q, question, labels):
            yield _row(base, **values)


def _row(base: dict[str, Cell], **values: Cell) -> Row:
    merged = {**base, **values}
    return [merged.get(column) for column in RESULTS_HEADER]


# Responses -------------------------------------------------------------------------------


#: The provenance of a response that counts, when the secretariat entered it.
ENTRY_COLUMNS = (
    "entered_by_secretariat",
    "received_as",
    "received_on",
    "reference",
    "late_entry",
    "late_reason",
)


def _response_columns(questions: list[Question]) -> tuple[Row, list[tuple[str, int, int | None]]]:
    """The header and, for each answer column, what fills it: (what, question, option)."""
    header: Row = [
        "member_code",
        "member_name",
        "kind",
        "region",
        "status",
        "counted",
        "revision",
        "submitted_at_utc",
        "submitted_by",
        "receipt",
        *ENTRY_COLUMNS,
    ]
    columns: list[tuple[str, int, int | None]] = []
    options = {o.id: o for q in questions for o in q.options}
    for number, q in enumerate(questions, start=1):
        for column in kinds.get(q.kind).response_columns(q):
            word = gettext(column.word)
            if column.option_id is None:
                header.append(f"Q{number} {word}")
            else:
                option = options[column.option_id]
                header.append(f"Q{number} {word}: {localized(option, 'label')}")
            columns.append((column.what, q.id, column.option_id))
    return header, columns


#: The answer columns that only ever hold numbers (the fixed columns that hold text someone
#: typed come neutralised from the query, :func:`~consult.results.sqltext.neutralised`).
_NUMBER_COLUMNS = frozenset({"rank", "selected"})


def responses_text_columns(consultation: Consultation) -> list[int]:
    """The columns of :func:`responses_rows` (after its header) that can hold text put there
    by Python: the only cells the formula check needs to look at. The fixed columns that hold
    typed text (names, receipt, reference, reason) come neutralised from the query itself."""
    _header, columns = _response_columns(list(consultation.questions))
    fixed = len(_header) - len(columns)
    return [fixed + i for i, (what, _q, _o) in enumerate(columns) if what not in _NUMBER_COLUMNS]


def responses_rows(consultation: Consultation) -> Iterator[Row]:
    """One row per member response (drafts included, marked), answers spread in columns.

    Headers, labels and the locale are taken now; the rows are read while streaming, through
    one query of plain tuples grouped by response."""
    questions = list(consultation.questions)
    header, columns = _response_columns(questions)
    several = {q.id: kinds.get(q.kind) for q in questions if kinds.get(q.kind).cells_of_rows}
    words = {w: gettext(w) for kind in several.values() for w in kind.cell_words}
    return _stream_responses(
        consultation.id,
        header,
        {key[1:]: i for i, key in enumerate(columns) if key[1] not in several},
        {o.id: localized(o, "label") for q in questions for o in q.options},
        consultation.observers_may is ObserversMay.VOTE,
        locale_code(),
        _("No opinion"),
        frozenset(q.id for q in questions if Source.NUMBERS in kinds.get(q.kind).reads),
        _Cells(several, {key: i for i, key in enumerate(columns) if key[1] in several}, words),
    )


class _Cells:
    """The answer rows of kinds that fill several columns per row (funding intentions)."""

    def __init__(
        self,
        kinds_by_question: dict[int, Any],
        position: dict[tuple[str, int, int | None], int],
        words: dict[str, str],
    ) -> None:
        self.kinds = kinds_by_question
        self.position = position
        self.words = words

    def fill(self, cells: Row, question_id: int, option_id: int | None, text: str | None) -> bool:
        """Fill the row's cells if its question's kind does; whether it did."""
        kind = self.kinds.get(question_id)
        if kind is None:
            return False
        if text:
            for what, value in kind.response_cells(option_id, text, self.words).items():
                index = self.position.get((what, question_id, option_id))
                if index is not None:
                    cells[index] = value
        return True


def _response_query(locale: str) -> sa.Select[*tuple[Any, ...]]:
    """Each response of a consultation (bound parameter ``consultation_id``) with its member,
    submitter and the secretariat's entry of the revision that counts, joined to the answer
    rows the file needs, in the order the responses were first saved (the keys give it
    without a sort). The response's columns come as the file writes them (:data:`_FIXED`),
    typed text neutralised and None for an empty cell, so that Python only places answers."""
    submitter = sa.orm.aliased(User)
    enterer = sa.orm.aliased(User)
    return (
        sa.select(
            Response.id,
            neutralised(Member.code),
            neutralised(_name_in(locale)),
            sa.type_coerce(Member.kind, sa.String),  # the stored words, as the file writes them
            neutralised(Region.name),
            sa.type_coerce(Response.status, sa.String),
            sa.func.nullif(Response.revision, 0),
            IsoUtc(Response.submitted_at),
            neutralised(submitter.name),
            neutralised(Response.receipt),
            # The provenance columns: empty unless the secretariat entered the revision that
            # counts (the outer join finds no entry otherwise).
            neutralised(enterer.name),
            sa.type_coerce(Entry.channel, sa.String),
            IsoDate(Entry.received_on),
            neutralised(Entry.reference),
            sa.case((Entry.id.is_(None), None), (Entry.late, "yes"), else_="no"),
            neutralised(Entry.reason),
            Answer.question_id,
            Answer.option_id,
            Answer.rank,
            sa.type_coerce(Answer.selected, sa.Integer),  # true or false as read, unconverted
            Answer.value,
            Answer.text,
            Answer.ranking_key,
        )
        .join(Member, Member.id == Response.member_id)
        .join(Region, Region.id == Member.region_id)
        .outerjoin(submitter, submitter.id == Response.submitted_by_id)
        .outerjoin(
            Entry,
            sa.and_(Entry.response_id == Response.id, Entry.revision == Response.revision),
        )
        .outerjoin(enterer, enterer.id == Entry.entered_by_id)
        .outerjoin(Answer, sa.and_(Answer.response_id == Response.id, _NOT_RANKED_LATER))
        .where(Response.consultation_id == sa.bindparam("consultation_id", type_=sa.Integer()))
        .order_by(Response.id)
    )


#: Where a response's own columns are in a row of :func:`_response_query`: the member's
#: code and name, kind, region and status (the line's "counted" after them), then from the
#: revision to the late entry's reason, each written as it comes.
_MEMBER, _REST = slice(1, 6), slice(6, 16)
#: Where its answer row is: question, option, rank, selected, value, text; the ranking text.
_ANSWER, _QUESTION, _RANKING = slice(16, 22), 16, 22


def _stream_responses(
    consultation_id: int,
    header: Row,
    position: dict[tuple[int, int | None], int],
    labels: dict[int, str],
    observers_vote: bool,
    locale: str,
    no_opinion: str,
    numeric: frozenset[int] = frozenset(),
    several: _Cells | None = None,
) -> Iterator[Row]:
    """One streamed query (:func:`_response_query`), one row per answer row (a ranking is
    read whole from the ranking text on its first-ranked row, :data:`_NOT_RANKED_LATER`),
    the response's columns on each; a response without answers has one row."""
    yield header
    rows = _streamed(_response_query(locale), {"consultation_id": consultation_id})
    width = len(position) + (len(several.position) if several else 0)
    fill = _Filler(position, labels, no_opinion, numeric, several)
    kept, ranks_of = fill.rankings, fill.ranks
    # Whether a response counts, by its member's kind and its status (the same few pairs).
    counted = {
        (kind.value, status.value): "yes" if loaders.counts(kind, status, observers_vote) else "no"
        for kind in MemberKind
        for status in ResponseStatus
    }
    current: Any = None
    line: Row = []
    cells: Row = []
    for row in rows:
        if row[0] != current:
            if current is not None:
                line += cells
                yield line
            current = row[0]
            line = [*row[_MEMBER], counted[row[3], row[5]], *row[_REST]]
            cells = [None] * width
        ranking = row[_RANKING]
        if ranking is not None:  # a ranking, whole (most rows)
            start, ranks = kept.get((row[_QUESTION], ranking)) or ranks_of(row[_QUESTION], ranking)
            if start >= 0:
                cells[start : start + len(ranks)] = ranks
            else:
                for own, place in cast(list[tuple[int, int]], ranks):
                    cells[own] = place
        elif row[_QUESTION] is not None:
            fill(cells, row[_ANSWER])
    if current is not None:
        line += cells
        yield line


#: The answer rows the file needs: a ranking's first-ranked row carries the whole ranking
#: (``Answer.ranking_key``, option ids best first, so the option in place ``k`` has rank
#: ``k``), its later rows add nothing (their comments are in the comments file). One row per
#: ranking instead of one per ranked option.
_NOT_RANKED_LATER = sa.or_(Answer.rank.is_(None), Answer.rank == 1)


def _name_in(locale: str) -> sa.ColumnElement[str]:
    """The member's name in ``locale`` read in SQL (``core.translated.in_language``: the
    translation when there is one, else the English name), without decoding its JSON."""
    translated = Member.translations[(locale, "name")].as_string()
    return sa.func.coalesce(sa.func.nullif(translated, ""), Member.name)


def _streamed(
    stmt: sa.Select[*tuple[Any, ...]], params: dict[str, Any]
) -> sa.CursorResult[*tuple[Any, ...]]:
    """Rows as they are read, through the Core connection (no ORM row handling). PostgreSQL
    needs a server-side cursor for that; SQLite's cursor is lazy already, and SQLAlchemy's
    buffered reading would only slow it down."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        stmt = stmt.execution_options(yield_per=5000)
    return connection.execute(stmt, params)


#: How many distinct rankings the responses file keeps worked out (memory stays bounded when
#: every ballot ranks differently).
RANKINGS_KEPT = 5000


class _Filler:
    """Puts one response's answer rows into its answer columns (``numeric``: the questions
    whose answer is a number, kept a number in the file; ``several``: the kinds whose rows
    fill several columns). A ranked or chosen option, most of the rows, takes one look-up."""

    def __init__(
        self,
        position: dict[tuple[int, int | None], int],
        labels: dict[int, str],
        no_opinion: str,
        numeric: frozenset[int] = frozenset(),
        several: _Cells | None = None,
    ) -> None:
        self.position = position
        self.labels = labels
        self.no_opinion = no_opinion
        self.numeric = numeric
        self.several = several
        several_ids = set(several.kinds) if several is not None else set()
        #: The columns a rank or a choice goes to straight, by (question, option).
        self.direct = {key: i for key, i in position.items() if key[0] not in several_ids}
        #: Each question's option columns: (the first, how many), when they follow each other
        #: (a ranking's do, ``kinds.ranking``); others are filled one by one.
        self.options: dict[int, tuple[int, int]] = {}
        columns: dict[int, list[int]] = {}
        for (question_id, option_id), i in self.direct.items():
            if option_id is not None:
                columns.setdefault(question_id, []).append(i)
        for question_id, found in columns.items():
            if max(found) - min(found) + 1 == len(found):
                self.options[question_id] = (min(found), len(found))
        #: The option columns of each ranking text met so far, by (question, text).
        self.rankings: dict[tuple[int, str], tuple[int, list[Any]]] = {}

    def __call__(self, cells: Row, row: Any) -> None:
        """Put one answer row (other than a whole ranking) into the response's cells."""
        question_id, option_id, rank, selected, value, text = row
        if rank is not None or selected:
            own = self.direct.get((question_id, option_id))
            if own is not None:
                cells[own] = rank if rank is not None else 1
                return
        self.other(cells, question_id, option_id, rank, selected, value, text)

    def ranks(self, question_id: int, ranking: str) -> tuple[int, list[Any]]:
        """The first of a ranking question's option columns and what they hold for a stored
        ranking text (each option's rank, None when unranked); or -1 and (column, rank) pairs
        should its columns not follow each other. The same rankings recur, so each distinct
        one is worked out once (up to :data:`RANKINGS_KEPT` of them)."""
        found = self.rankings.get((question_id, ranking))
        if found is None:
            places = {
                own: place
                for place, option in enumerate(ranking.split(","), start=1)
                if (own := self.direct.get((question_id, int(option)))) is not None
            }
            start, count = self.options.get(question_id, (0, 0))
            if count and all(start <= own < start + count for own in places):
                found = (start, [places.get(own) for own in range(start, start + count)])
            else:  # columns apart: each rank on its own (never for a ranking's)
                found = (-1, list(places.items()))
            if len(self.rankings) < RANKINGS_KEPT:
                self.rankings[question_id, ranking] = found
        return found

    def other(
        self,
        cells: Row,
        question_id: int,
        option_id: int | None,
        rank: int | None,
        selected: bool,
        value: int | None,
        text: str | None,
    ) -> None:
        """Every other answer row: funding's cells, a grid's statement, a single choice, a
        scale value, a number, a write-in or a free text."""
        several = self.several
        if several is not None and several.fill(cells, question_id, option_id, text):
            return
        own = self.position.get((question_id, option_id))  # a ranked or a chosen option's column
        shared = self.position.get((question_id, None))  # the question's single column
        no_opinion = self.no_opinion
        if rank is not None and own is not None:
            cells[own] = rank
        elif selected and own is not None:
            cells[own] = 1
        elif value is not None and own is not None:  # a grid's statement
            cells[own] = no_opinion if value == NO_OPINION else value
        elif selected and shared is not None:
            cells[shared] = self.labels.get(cast(int, option_id), "")
        elif option_id is None and shared is not None:
            if value is not None:
                cells[shared] = no_opinion if value == NO_OPINION else value
            elif text and question_id in self.numeric:
                cells[shared] = number_cell(Decimal(text))
            elif text:
                cells[shared] = text


# Comments --------------------------------------------------------------------------------

COMMENTS_HEADER = [
    "member_code",
    "member_name",
    "kind",
    "region",
    "question_number",
    "question",
    "option",
    "text",
]


def comments_rows(consultation: Consultation) -> Iterator[Row]:
    """One row per comment on an option and per general comment, with who wrote it."""
    questions: dict[int | None, tuple[int | None, str]] = {
        q.id: (n, localized(q, "prompt")) for n, q in enumerate(consultation.questions, start=1)
    }
    questions[None] = (None, _("General comment"))
    labels = {o.id: localized(o, "label") for q in consultation.questions for o in q.options}
    ids = loaders.text_questions(consultation, comments_only=True)
    return _stream_comments(consultation.id, ids, questions, labels, locale_code())


def _stream_comments(
    consultation_id: int,
    question_ids: list[int],
    questions: dict[int | None, tuple[int | None, str]],
    labels: dict[int, str],
    locale: str,
) -> Iterator[Row]:
    yield list(COMMENTS_HEADER)
    for row in loaders.iter_texts(consultation_id, question_ids):
        if row.question_id is not None and row.option_id is None:
            continue  # write-ins and free-text answers are in the responses file
        number, prompt = questions.get(row.question_id, (None, ""))
        yield [
            row.member.code,
            row.member.localized_name(locale),
            row.member.kind.value,
            row.member.region,
            number,
            prompt,
            labels.get(row.option_id or 0, ""),
            row.text,
        ]


# Files -----------------------------------------------------------------------------------


def csv_file(
    name: str, consultation: Consultation, results: ConsultationResults | None
) -> Iterator[bytes]:
    """The encoded CSV ``name`` (one of :data:`FILES`)."""
    if name == "results":
        assert results is not None  # noqa: S101 - the caller computes the results
        return csv_bytes(results_rows(results))
    if name == "responses":
        return csv_bytes(responses_rows(consultation), responses_text_columns(consultation))
    return csv_bytes(comments_rows(consultation))


class _Pipe:
    """A write-only file whose content is taken away chunk by chunk (for a streamed zip)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def zip_stream(files: Iterable[tuple[str, Iterable[bytes]]]) -> Iterator[bytes]:
    """A zip archive of ``(name, chunks)`` entries, produced as it is sent."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
        for name, chunks in files:
            with archive.open(name, "w") as entry:
                for chunk in chunks:
                    entry.write(chunk)
                    if pipe.offset and len(pipe.chunks) > 16:
                        yield pipe.take()
            yield pipe.take()
    yield pipe.take()

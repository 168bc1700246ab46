"""The results of a consultation: participation, tallies, write-ins and comments.

One entry point, :func:`consultation_results`, feeds the results page, the published view and
the CSV report alike, so that what the Council reads and what the Administration downloads
come from the same computation.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from consult import tally
from consult.ballots.models import ResponseStatus
from consult.ballots.services import load_consultation
from consult.consultations import kinds, signals, structure, writeins
from consult.consultations.kinds.base import Inputs, Official
from consult.consultations.kinds.funding import FundingTotals
from consult.consultations.models import Consultation, Question
from consult.consultations.outcomes import OfficialResult
from consult.consultations.row import COLUMNS as CONSULTATION_COLUMNS
from consult.consultations.row import ConsultationRow
from consult.core import audit
from consult.core.actions import Action
from consult.core.database import Prepared, write_transaction
from consult.core.plaintext import NO_GROUPING, WriteInGroup
from consult.extensions import db
from consult.mail import outbox
from consult.members.models import MemberKind
from consult.results import loaders
from consult.results.loaders import EnteredRow, MemberInfo, ParticipationRow, TextRow


@dataclass(frozen=True)
class Breakdown:
    """Participation of one group of invited members (a kind, a region, or all of them)."""

    key: str
    invited: int = 0
    submitted: int = 0
    drafts: int = 0

    @property
    def not_started(self) -> int:
        return self.invited - self.submitted - self.drafts

    @property
    def rate(self) -> float:
        return self.submitted / self.invited if self.invited else 0.0


@dataclass(frozen=True)
class Participation:
    total: Breakdown
    by_kind: tuple[Breakdown, ...]
    by_region: tuple[Breakdown, ...]
    #: Member states and observers apart: their totals, and each by region.
    states: Breakdown
    observers: Breakdown
    states_by_region: tuple[Breakdown, ...]
    observers_by_region: tuple[Breakdown, ...]
    #: Invited members that have not submitted (a draft only, or nothing), by region and name.
    missing: tuple[ParticipationRow, ...]
    #: The invited members' regions' translations (``Region.translations``), by English name.
    region_translations: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionResults:
    question: Question
    number: int
    ranking: tally.RankingTally | None = None
    selections: tally.Selections | None = None
    likert: tally.Likert | None = None
    #: Observers' Likert answers, shown apart when observers do not vote.
    likert_observers: tally.Likert | None = None
    #: Number questions: members' numbers, and observers' apart when observers do not vote.
    numbers: tally.Numbers | None = None
    numbers_observers: tally.Numbers | None = None
    #: Grids: each statement's distribution, and observers' apart when observers do not vote.
    statements: dict[int, tally.Likert] | None = None
    statements_observers: dict[int, tally.Likert] | None = None
    #: Funding intentions: member states', and observers' (always apart).
    funding: FundingTotals | None = None
    funding_observers: FundingTotals | None = None
    official: Official | None = None
    write_ins: tuple[WriteInGroup, ...] = ()
    comments: tuple[TextRow, ...] = ()
    answers: tuple[TextRow, ...] = ()

    @property
    def respondents(self) -> int:
        """How many counted ballots answered the question."""
        if self.ranking is not None:
            return self.ranking.ballots
        if self.selections is not None:
            return self.selections.respondents
        if self.likert is not None:
            return self.likert.answers + self.likert.no_opinion
        if self.numbers is not None:
            return self.numbers.count
        if self.funding is not None:
            return self.funding.members
        if self.statements is not None:
            return max((s.answers + s.no_opinion for s in self.statements.values()), default=0)
        return len(self.answers)

    def comments_on(self, option_id: int) -> list[TextRow]:
        return [c for c in self.comments if c.option_id == option_id]


@dataclass(frozen=True)
class ConsultationResults:
    consultation: Consultation
    participation: Participation
    questions: tuple[QuestionResults, ...]
    general_comments: tuple[TextRow, ...]
    members: dict[int, MemberInfo] = field(default_factory=dict)
    #: Responses that count now and were entered by the secretariat, with their marks.
    entered: tuple[EnteredRow, ...] = ()

    @property
    def observer_comments(self) -> int:
        rows = [*self.general_comments]
        for q in self.questions:
            rows += [*q.comments, *q.answers]
        return sum(1 for r in rows if r.member.is_observer)


def summarise_participation(
    counts: Iterable[loaders.ParticipationCount], missing: Iterable[ParticipationRow]
) -> Participation:
    """Invited, submitted and draft-only members, overall, by kind and by region."""
    tally_: Counter[tuple[str, str, str]] = Counter()
    translations: dict[str, dict[str, Any]] = {}
    for c in counts:
        translations[c.region] = c.region_translations or {}
        state = c.status.value if c.status else "none"
        tally_["all", "", state] += c.count
        tally_["kind", c.kind.value, state] += c.count
        tally_["region", c.region, state] += c.count
        side = "states" if c.kind is MemberKind.MEMBER_STATE else "observers"
        tally_[side, "", state] += c.count
        tally_[side + "-region", c.region, state] += c.count

    def breakdown(group: str, key: str) -> Breakdown:
        submitted = tally_[group, key, ResponseStatus.SUBMITTED.value]
        drafts = tally_[group, key, ResponseStatus.DRAFT.value]
        return Breakdown(key, submitted + drafts + tally_[group, key, "none"], submitted, drafts)

    regions = sorted({key for group, key, _ in tally_ if group == "region"})
    return Participation(
        total=breakdown("all", ""),
        by_kind=tuple(breakdown("kind", kind.value) for kind in MemberKind),
        by_region=tuple(breakdown("region", region) for region in regions),
        states=breakdown("states", ""),
        observers=breakdown("observers", ""),
        states_by_region=tuple(
            b for b in (breakdown("states-region", r) for r in regions) if b.invited
        ),
        observers_by_region=tuple(
            b for b in (breakdown("observers-region", r) for r in regions) if b.invited
        ),
        missing=tuple(missing),
        region_translations=translations,
    )


def consultation_results(
    consultation: Consultation, *, missing: bool = True
) -> ConsultationResults:
    """Everything the results page shows, in a fixed number of queries; each question's
    figures come from its kind (``consultations/kinds/``). ``missing=False`` leaves out the
    list of members that have not submitted (the page reads it a page at a time)."""
    counted = loaders.counted_rows(consultation)
    participation = summarise_participation(
        counted.participation, loaders.not_submitted(consultation.id) if missing else ()
    )
    selections = loaders.selections(consultation)
    values = loaders.value_counts(consultation)
    statements = loaders.statement_counts(consultation)
    numbers = loaders.numbers(consultation)
    funding = loaders.funding(consultation)
    texts = loaders.texts(consultation.id, loaders.text_questions(consultation))
    # The corrections of the write-ins' grouping, for the questions that have write-ins.
    written_in = {r.question_id for r in texts if r.option_id is None}
    groupings = writeins.groupings(
        db.session,
        (q.id for _, q in writeins.write_in_questions(consultation) if q.id in written_in),
    )
    members = {row.member.id: row.member for row in texts}
    by_question: dict[int | None, list[TextRow]] = {}
    for row in texts:
        by_question.setdefault(row.question_id, []).append(row)

    questions = []
    for number, question in enumerate(consultation.questions, start=1):
        kind = kinds.get(question.kind)
        rows = by_question.get(question.id, [])
        inputs = Inputs(
            rankings=counted.rankings.get(question.id, {}),
            selections=selections.get(question.id, []),
            values={
                observers: counts
                for (question_id, observers), counts in values.items()
                if question_id == question.id
            },
            texts=[r for r in rows if r.option_id is None],
            numbers={
                observers: found
                for (question_id, observers), found in numbers.items()
                if question_id == question.id
            },
            statements={
                observers: counts
                for (question_id, observers), counts in statements.items()
                if question_id == question.id
            },
            funding={
                observers: found
                for (question_id, observers), found in funding.items()
                if question_id == question.id
            },
            grouping=groupings.get(question.id, NO_GROUPING),
            questions=consultation.questions,
        )
        questions.append(
            QuestionResults(
                question,
                number,
                comments=tuple(r for r in rows if r.option_id is not None),
                **kind.summarise(question, inputs),
            )
        )
    return ConsultationResults(
        consultation,
        participation,
        tuple(questions),
        tuple(by_question.get(None, [])),
        members,
        tuple(loaders.entered(consultation.id)),
    )


def page_consultation(slug: str) -> Consultation | None:
    """The consultation of ``slug`` for a page that reads its results: its plain row (one
    prepared statement, which also counts the messages the outbox could not send, for the
    layout) with the questions and options of its structure kept per process
    (:func:`structure.with_structure`), not loaded as ORM objects on every view."""
    found = _by_slug().first(db.session.connection(), {"slug": slug})
    if found is None:
        return None
    outbox.failures_counted(found[-1])  # the layout's badge, read with the page's row
    return structure.with_structure(ConsultationRow(*found[:-1]))


@functools.cache
def _by_slug() -> Prepared:
    """The consultation's row of a slug (bound parameter ``slug``), with the count of
    messages the outbox could not send (the layout's badge), built once per process: the
    ORM's entity and execute cost more than the database's work."""
    return Prepared(
        sa.select(*CONSULTATION_COLUMNS, outbox.failed_count_column()).where(
            Consultation.slug == sa.bindparam("slug")
        )
    )


def on_counting(
    _sender: Any, *, consultation: Consultation, found: list[OfficialResult], **_extra: Any
) -> None:
    """Answer :data:`signals.counting`: the official result of every question that has one."""
    found.extend(official_of(consultation_results(consultation)))


def official_of(results: ConsultationResults) -> list[OfficialResult]:
    """The official result of every question of ``results`` that has one."""
    return [
        OfficialResult(q.question, q.number, q.official)
        for q in results.questions
        if q.official is not None
    ]


def connect() -> None:
    """Connect the receivers (connecting twice changes nothing)."""
    signals.counting.connect(on_counting, weak=False)


@dataclass(frozen=True)
class Export:
    consultation: Consultation
    #: The signed statement of the audit head the export was recorded at (its checkpoint).
    statement: str


def record_export(slug: str, actor_id: int | None, name: str) -> Export | None:
    """Log a download of the report in the audit trail (CSV-3) with a checkpoint of its head,
    then return the consultation freshly loaded with its questions and options (the commit
    expired what was read before) and the checkpoint's statement; None when there is no such
    consultation."""
    consultation_id = db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == slug))
    if consultation_id is None:
        return None
    with write_transaction(db.session) as session:
        event = audit.record(
            session,
            Action.RESULTS_EXPORTED,
            actor_id=actor_id,
            consultation_id=consultation_id,
            file=name,
        )
        statement = audit.statement_of(session, event)
    consultation = load_consultation(slug)
    return Export(consultation, statement) if consultation is not None else None

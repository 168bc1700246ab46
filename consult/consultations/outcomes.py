"""The outcome beside the count: the official results it is checked against, the text it starts
from, and what the pages and the report show of it (selected options, reason, errata).

Recording, publishing and correcting the outcome are lifecycle actions (:mod:`cycle`); this
module gives them and the pages the official result of each question that has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.lists import format_list
from flask_babel import force_locale
from flask_babel import gettext as _

from consult.config import LANGUAGES
from consult.consultations import signals
from consult.consultations.departure import departures
from consult.consultations.kinds.base import Official
from consult.consultations.models import Consultation, Option, Question
from consult.core.text import Text


@dataclass(frozen=True)
class OfficialResult:
    """A question with an official result (a ranking or a choose-N), numbered as on the ballot."""

    question: Question
    number: int
    official: Official

    @property
    def winners(self) -> list[Option]:
        by_id = {o.id: o for o in self.question.options}
        return [by_id[o] for o in self.official.winners if o in by_id]

    @property
    def decided(self) -> bool:
        """The count names the options without a tie to decide."""
        return bool(self.official.winners) and not self.official.tie


def official_results(consultation: Consultation) -> list[OfficialResult]:
    """The official result of every question that has one, from the one results computation
    (asked through :data:`signals.counting`; without a receiver there is no count to check
    against, which is an error, never a pass)."""
    if not signals.counting.receivers:
        raise RuntimeError("nothing counts the results: the results package is not connected")
    found: list[OfficialResult] = []
    signals.counting.send(None, consultation=consultation, found=found)
    return found


def departing(consultation: Consultation, official: list[OfficialResult]) -> list[OfficialResult]:
    """The questions whose recorded outcome is not the official result (or decides a tie)."""
    found = set(
        departures(
            [o.id for o in consultation.selected_options],
            {r.question.id: r.official for r in official},
            {r.question.id: [o.id for o in r.question.options] for r in official},
        )
    )
    return [r for r in official if r.question.id in found]


def unexplained(
    consultation: Consultation, official: list[OfficialResult] | None = None
) -> list[int]:
    """The numbers of the questions whose recorded outcome departs from the official result
    while the outcome gives no reason: publishing is refused until it does."""
    if consultation.outcome_reason:
        return []
    results = official if official is not None else official_results(consultation)
    return [r.number for r in departing(consultation, results)]


def prefill(official: list[OfficialResult]) -> Text:
    """ "The membership has selected …" in each language, for every question the count decided
    (numbered when there are several)."""
    decided = [r for r in official if r.decided]
    texts: dict[str, str] = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            sentences = []
            for r in decided:
                options = format_list(
                    [f"*{o.localized('label', lang)}*" for o in r.winners], locale=lang
                )
                sentences.append(
                    _("The membership has selected %(options)s.", options=options)
                    if len(official) == 1
                    else _(
                        "Question %(number)d: the membership has selected %(options)s.",
                        number=r.number,
                        options=options,
                    )
                )
            texts[lang] = "\n\n".join(sentences)
    return Text(texts["en"], texts["fr"], texts["es"])


@dataclass(frozen=True)
class Selected:
    """The options the Administration named for one question, in the reader's language."""

    number: int
    prompt: str
    options: list[str]
    official: list[str]
    departs: bool


@dataclass(frozen=True)
class Correction:
    """One erratum: when, why, and the text before and after, in the reader's language."""

    number: int
    corrected_at: datetime
    reason: str
    before: str
    after: str


@dataclass(frozen=True)
class OutcomeSummary:
    """What the Administration decided, as the pages and the report show it, in ``locale``."""

    text: str
    rationale: str
    reason: str
    recorded_at: datetime | None
    selected: list[Selected]
    corrections: list[Correction]

    @property
    def departs(self) -> bool:
        return any(s.departs for s in self.selected)


def summary(
    consultation: Consultation, locale: str, official: list[OfficialResult] | None = None
) -> OutcomeSummary:
    """The outcome of ``consultation`` in ``locale``; ``official`` when already computed."""
    results = official if official is not None else official_results(consultation)
    departs = {r.question.id for r in departing(consultation, results)}
    chosen = {o.id for o in consultation.selected_options}
    selected = [
        Selected(
            r.number,
            r.question.localized("prompt", locale),
            [o.localized("label", locale) for o in r.question.options if o.id in chosen],
            [o.localized("label", locale) for o in r.winners],
            r.question.id in departs,
        )
        for r in results
    ]
    return OutcomeSummary(
        text=consultation.localized("outcome", locale),
        rationale=consultation.localized("rationale", locale),
        reason=consultation.localized("outcome_reason", locale),
        recorded_at=consultation.outcome_recorded_at,
        selected=selected,
        corrections=[
            Correction(
                e.number,
                e.corrected_at,
                Text.from_stored(e.reason).get(locale),
                Text.from_stored(e.before).get(locale),
                Text.from_stored(e.after).get(locale),
            )
            for e in consultation.errata
        ],
    )

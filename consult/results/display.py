"""What the results templates need beyond the figures: option labels, charts and wording."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.consultations.models import Consultation
from consult.core.paging import Page
from consult.core.templating import decimal, locale_code, percent
from consult.core.timefmt import format_moment
from consult.core.translated import in_language
from consult.members.models import MemberKind
from consult.results.charts import BarChart, StackedChart, bar_chart, stacked_chart
from consult.results.loaders import ParticipationRow, TextRow
from consult.results.services import (
    Breakdown,
    ConsultationResults,
    Participation,
    QuestionResults,
)
from consult.tally import IRVRound

#: Each kind of member as a group (the participation tables; the lists' kind column).
KIND_NAMES = {
    MemberKind.MEMBER_STATE: _l("Member states"),
    MemberKind.OBSERVER_STATE: _l("Observer states"),
    MemberKind.OBSERVER_ORG: _l("Observer organisations"),
}

TIE_RULES = {
    "previous_rounds": _l("fewest votes in the previous rounds"),
    "borda": _l("fewest Borda points"),
    "ballot_order": _l("later place on the ballot"),
}


def option_labels(consultation: Consultation) -> dict[int, str]:
    """Every option's label in the reader's language."""
    locale = locale_code()
    return {o.id: o.localized("label", locale) for q in consultation.questions for o in q.options}


def tie_rule_name(rule: str) -> str:
    return str(TIE_RULES.get(rule, rule))


def transfer_text(round_: IRVRound, labels: dict[int, str]) -> str:
    """``Option A 12, Option B 3, exhausted 2``: where an eliminated option's ballots went."""
    moves = [
        f"{labels.get(option, '?')} {decimal(count)}"
        for option, count in sorted(round_.transfers.items(), key=lambda kv: -kv[1])
        if count
    ]
    if round_.newly_exhausted:
        moves.append(_("exhausted %(num)s", num=decimal(round_.newly_exhausted)))
    return ", ".join(moves)


def question_charts(
    q: QuestionResults, labels: dict[int, str], locale: str | None = None
) -> dict[str, BarChart | StackedChart]:
    """The bar charts of one question, highlighted where the official result lies (numbers
    written as ``locale`` writes them, the reader's language by default)."""
    locale = locale or locale_code()
    options = [o.id for o in q.question.options]
    winners = set(q.official.winners) if q.official else set()
    charts: dict[str, BarChart | StackedChart] = {}
    if q.ranking is not None:
        first = q.ranking.first
        charts["first"] = bar_chart(
            _("First preferences"),
            [
                (
                    labels[o],
                    first.counts[o],
                    f"{decimal(first.counts[o], locale=locale)}"
                    f" · {percent(first.shares[o], locale)}",
                    o in winners,
                )
                for o in options
            ],
        )
        points = q.ranking.borda.points
        charts["borda"] = bar_chart(
            _("Borda points"),
            [
                (
                    labels[o],
                    points[o],
                    decimal(points[o], locale=locale),
                    o in q.ranking.borda.winners,
                )
                for o in options
            ],
        )
    if q.selections is not None:
        s = q.selections
        charts["selections"] = bar_chart(
            _("Selections"),
            [
                (
                    labels[o],
                    s.counts[o],
                    f"{decimal(s.counts[o], locale=locale)} · {percent(s.shares[o], locale)}",
                    o in winners,
                )
                for o in options
            ],
        )
    for key, likert in (("likert", q.likert), ("likert_observers", q.likert_observers)):
        if likert is None:
            continue
        scale = q.question.scale
        charts[key] = bar_chart(
            _("Distribution of answers"),
            [
                (
                    f"{v} · {q.question.scale_label(v, locale)}" if scale else str(v),
                    likert.distribution[v],
                    decimal(likert.distribution[v], locale=locale),
                    False,
                )
                for v in range(1, likert.points + 1)
            ],
        )
    for key, statements in (
        ("statements", q.statements),
        ("statements_observers", q.statements_observers),
    ):
        if statements is None:
            continue
        scale = q.question.scale or []
        charts[key] = stacked_chart(
            _("Answers to each statement"),
            [f"{v} · {q.question.scale_label(v, locale)}" for v in range(1, len(scale) + 1)],
            _("No opinion"),
            [
                (
                    labels[o],
                    [statements[o].distribution[v] for v in range(1, statements[o].points + 1)],
                    statements[o].no_opinion,
                    decimal(statements[o].answers + statements[o].no_opinion, locale=locale),
                )
                for o in options
                if o in statements
            ],
        )
    return charts


def region_names(participation: Participation, locale: str | None = None) -> dict[str, str]:
    """The name in the reader's language of each region of the invited members (those a
    results page shows), by its English name: read with the participation's counts."""
    locale = locale or locale_code()
    return {
        name: in_language(translations, "name", locale, name)
        for name, translations in participation.region_translations.items()
    }


def labelled(
    rows: Iterable[Breakdown], names: Mapping[str, str], other: str | None = None
) -> list[tuple[str, Breakdown]]:
    """Each breakdown with its label: its key's name in ``names``, else ``other`` (the key
    itself by default); the participation tables write a table's rows in one call."""
    return [(names.get(b.key, b.key if other is None else other), b) for b in rows]


class Said(NamedTuple):
    """A comment or a free-text answer as the results pages write it."""

    #: Who said it, in the reader's language, and the name of its region.
    name: str
    region: str
    observer: bool
    text: str


def shown(row: TextRow, who: str) -> bool:
    """Whether a comment passes the page's filter (``all``, ``members``: member states only,
    ``observers``)."""
    return who == "all" or (who == "observers") == row.member.is_observer


def said(rows: Iterable[TextRow], who: str, regions: Mapping[str, str], locale: str) -> list[Said]:
    """The comments or answers of ``rows`` that pass the filter ``who``, as the page writes
    them (worked out here: a lookup costs more in Jinja than the text it finds)."""
    return [
        Said(
            row.member.localized_name(locale),
            regions.get(row.member.region, row.member.region),
            row.member.is_observer,
            row.text,
        )
        for row in rows
        if shown(row, who)
    ]


class Listed(NamedTuple):
    """A member in the lists of who has and who has not submitted, as the page writes it."""

    name: str
    code: str
    kind: str
    region: str
    #: A response saved (a draft in the list of those who have not submitted).
    saved: bool
    #: When it was saved or submitted, in words ("" if never).
    when: str
    #: Where to enter the response received from it, if the page offers it.
    link: str | None


def listed(
    page: Page[ParticipationRow] | None, regions: Mapping[str, str], links: Mapping[int, str]
) -> list[Listed]:
    """The rows of one page of a participation list, worked out here rather than in the
    template (a page lists up to fifty members; Jinja's lookups cost more than the text)."""
    if page is None:
        return []
    locale = locale_code()
    timezone = current_app.config["TIMEZONE"]
    kinds = {kind: str(name) for kind, name in KIND_NAMES.items()}
    rows = []
    for row in page.items:
        m = row.member
        rows.append(
            Listed(
                m.localized_name(locale),
                m.code,
                kinds[m.kind],
                regions.get(m.region, m.region),
                row.status is not None,
                "" if row.updated_at is None else format_moment(row.updated_at, timezone, locale),
                links.get(m.id),
            )
        )
    return rows


def page_context(
    results: ConsultationResults, regions: dict[str, str] | None = None
) -> dict[str, object]:
    """Labels, charts and helpers for ``results/_macros.html`` (``regions``: the regions'
    names, when the caller has read them)."""
    labels = option_labels(results.consultation)
    locale = locale_code()
    names = region_names(results.participation, locale) if regions is None else regions

    def said_here(rows: Iterable[TextRow], who: str = "all") -> list[Said]:
        return said(rows, who, names, locale)

    return {
        "results": results,
        "labels": labels,
        "charts": {q.question.id: question_charts(q, labels, locale) for q in results.questions},
        "transfer_text": transfer_text,
        "region_names": names,
        "said": said_here,
        "tie_rule_name": tie_rule_name,
        "labelled": labelled,
    }

"""What the results templates need beyond the figures: option labels, charts and wording."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from consult.consultations.models import Consultation
from consult.core.paging import Page
from consult.core.templating import decimal, locale_code, percent
from consult.core.timefmt import format_moment
from consult.core.translated import in_language
from consult.members.models import MemberKind
from consult.results.charts import BarChart, StackedChart, bar_chart, stacked_chart
from consult.results.loaders import MemberInfo, ParticipationRow, TextRow
from consult.results.services import (
    Breakdown,
    ConsultationResults,
    Participation,
    QuestionResults,
)
from consult.tally import IRVRound, RankingTally

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


def text_html(text: str) -> str:
    """``text`` escaped for HTML as Jinja escapes it (markupsafe's entities), as a plain
    string: the rows written below hold many short texts, and escaping each one as Jinja does
    (a :class:`Markup` made per text) costs more than writing the row."""
    return (
        text.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


@dataclass(frozen=True, slots=True)
class Said:
    """Comments or free-text answers as the results pages list them: how many, and the
    list's items, written here (``results/_macros.html``, ``comment_list``)."""

    count: int
    items: Markup


def shown(row: TextRow, who: str) -> bool:
    """Whether a comment passes the page's filter (``all``, ``members``: member states only,
    ``observers``)."""
    return who == "all" or (who == "observers") == row.member.is_observer


def said(rows: Iterable[TextRow], who: str, regions: Mapping[str, str], locale: str) -> Said:
    """The comments or answers of ``rows`` that pass the filter ``who``, each with who said
    it, its region and, for an observer, a badge (worked out here: a lookup and an escape
    per text cost more in Jinja than the text)."""
    items = []
    badge = None
    for row in rows:
        if not shown(row, who):
            continue
        member = row.member
        region = regions.get(member.region, member.region)
        mark = ""
        if member.is_observer:
            if badge is None:
                observer = _("Observer")  # outside the f-string: the extractor reads it
                badge = f' <span class="badge observer">{observer}</span>'
            mark = badge
        items.append(
            f'<li><span class="who-said">{text_html(member.localized_name(locale))}</span>'
            f' <span class="muted">({text_html(region)})</span>{mark}: '
            f'<span class="comment-text">{text_html(row.text)}</span></li>'
        )
    return Said(len(items), Markup("".join(items)))  # noqa: S704 - each text escaped above


def listed(
    page: Page[ParticipationRow] | None,
    regions: Mapping[str, str],
    links: Mapping[int, str],
    *,
    submitted: bool,
    entry_column: bool,
) -> Markup:
    """The rows of one page of a participation list (who has ``submitted``, or who has not),
    written here rather than in the template: a page lists up to fifty members, and Jinja's
    lookups and escapes cost more than the text. ``entry_column``: the column of links to
    enter a response received otherwise (always there in the list of who has submitted)."""
    if page is None:
        return Markup()
    locale = locale_code()
    timezone = current_app.config["TIMEZONE"]
    kinds = {kind: text_html(str(name)) for kind, name in KIND_NAMES.items()}
    if submitted:
        enter, draft, not_started = _("Enter a revision received"), "", ""
    else:
        enter, draft, not_started = (
            _("Enter a response received"),
            _("Draft saved %(when)s"),
            _("Not started"),
        )
    rows = []
    for row in page.items:
        m = row.member
        name = text_html(m.localized_name(locale))
        when = (
            ""
            if row.updated_at is None
            else text_html(format_moment(row.updated_at, timezone, locale))
        )
        if not submitted:
            when = draft % {"when": when} if row.status is not None else not_started
        entry = ""
        if submitted or entry_column:
            link = links.get(m.id)
            entry = (
                "<td></td>"
                if link is None
                else f'<td><a href="{text_html(link)}">{enter}'
                f'<span class="visually-hidden"> ({name})</span></a></td>'
            )
        rows.append(
            f'<tr><td>{name} <span class="muted">{text_html(m.code)}</span></td>'
            f"<td>{kinds[m.kind]}</td><td>{text_html(regions.get(m.region, m.region))}</td>"
            f"<td>{when}</td>{entry}</tr>"
        )
    return Markup("".join(rows))  # noqa: S704 - each text escaped above


def member_options(members: Iterable[MemberInfo]) -> Markup:
    """The entry form's choice of members (``<option>``s), in the reader's language."""
    locale = locale_code()
    return Markup(  # noqa: S704 - each text escaped
        "".join(
            f'<option value="{m.id}">{text_html(m.localized_name(locale))}'
            f" ({text_html(m.code)})</option>"
            for m in members
        )
    )


def rounds_rows(ranking: RankingTally, options: Sequence[int], labels: Mapping[int, str]) -> Markup:
    """The body of the instant-runoff table: a row per option (its count in each round, or
    a dash once it is out), then the exhausted ballots, as ``ranking_results`` writes it."""
    locale = locale_code()
    irv = ranking.irv
    out = []
    # The words outside the f-strings: the catalogue's extractor does not read inside them.
    winner, eliminated, exhausted_ballots = _("winner"), _("eliminated"), _("Exhausted ballots")
    winner_badge = f' <span class="badge">{winner}</span>'
    eliminated_badge = f' <span class="badge">{eliminated}</span>'
    for o in options:
        badge = winner_badge if o == irv.winner else ""
        out.append(f'\n      <tr><th scope="row">{text_html(labels[o])}{badge}</th>\n      ')
        for round_ in irv.rounds:
            if o in round_.counts:
                cell = decimal(round_.counts[o], locale=locale)
                if o in round_.eliminated:
                    cell += eliminated_badge
            else:
                cell = "—"
            out.append(f'\n        <td class="num">{cell}</td>\n      ')
        out.append("</tr>\n    ")
    exhausted = "".join(
        f'<td class="num">{decimal(round_.exhausted, locale=locale)}</td>' for round_ in irv.rounds
    )
    out.append(f'\n      <tr><th scope="row">{exhausted_ballots}</th>{exhausted}</tr>')
    return Markup("".join(out))  # noqa: S704 - labels escaped, numbers and our texts


def pairwise_rows(
    ranking: RankingTally, options: Sequence[int], labels: Mapping[int, str]
) -> Markup:
    """The body of the head-to-head table: how many ballots prefer each row's option to each
    column's, marked where it beats or loses, then its wins."""
    locale = locale_code()
    matrix, wins = ranking.pairwise.matrix, ranking.pairwise.wins
    out = []
    for a in options:
        cells = []
        for b in options:
            if a == b:
                cells.append('<td class="num">—</td>')
                continue
            n, m = matrix[a, b], matrix[b, a]
            mark = "beats" if n > m else ("loses" if n < m else "")
            number = decimal(n, locale=locale)
            cells.append(f'<td class="num"><span class="{mark}">{number}</span></td>')
        out.append(
            f'<tr><th scope="row">{text_html(labels[a])}</th>\n      {"".join(cells)}'
            f'\n      <td class="num">{wins[a]}</td></tr>'
        )
    return Markup("".join(out))  # noqa: S704 - labels escaped, numbers


def bar_rows(chart: BarChart) -> Markup:
    """The rows of a bar chart (``bar_chart`` in ``results/_macros.html``), written here: a
    row per option, whose lookups and escapes cost more in Jinja than the text."""
    return Markup(  # noqa: S704 - label and text escaped, the width a number
        "".join(
            '\n  <div class="chart-row">\n    <span class="chart-label">'
            f'{text_html(bar.label)}</span>\n    <span class="chart-bar"><svg viewBox="0 0 100 10"'
            ' preserveAspectRatio="none" focusable="false"><rect class="bar'
            f'{" official" if bar.highlight else ""}" x="0" y="0" width="{bar.width}"'
            ' height="10"></rect></svg><span class="chart-value">'
            f"{text_html(bar.text)}</span></span>\n  </div>\n  "
            for bar in chart.bars
        )
    )


def page_context(
    results: ConsultationResults, regions: dict[str, str] | None = None
) -> dict[str, object]:
    """Labels, charts and helpers for ``results/_macros.html`` (``regions``: the regions'
    names, when the caller has read them)."""
    labels = option_labels(results.consultation)
    locale = locale_code()
    names = region_names(results.participation, locale) if regions is None else regions

    def said_here(rows: Iterable[TextRow], who: str = "all") -> Said:
        return said(rows, who, names, locale)

    return {
        "results": results,
        "labels": labels,
        "charts": {q.question.id: question_charts(q, labels, locale) for q in results.questions},
        "ranking_rows": {
            q.question.id: ranking_rows(q.ranking, [o.id for o in q.question.options], labels)
            for q in results.questions
            if q.ranking is not None
        },
        "transfer_text": transfer_text,
        "bar_rows": bar_rows,
        "region_names": names,
        "said": said_here,
        "tie_rule_name": tie_rule_name,
        "labelled": labelled,
    }


class RankingRows(NamedTuple):
    """The bodies of a ranking question's two tables of figures, written in Python."""

    rounds: Markup
    pairwise: Markup


def ranking_rows(
    ranking: RankingTally, options: Sequence[int], labels: Mapping[int, str]
) -> RankingRows:
    return RankingRows(
        rounds_rows(ranking, options, labels), pairwise_rows(ranking, options, labels)
    )

"""The results document of a consultation in one language, built from the results.

:func:`compose` turns :func:`~consult.results.services.consultation_results` into a
:class:`~consult.results.docmodel.Document`: every text translated (``force_locale``), every
figure kept a number. The PDF, DOCX and XLSX renderers lay out that one model;
:func:`response_sheet` and :func:`comment_sheet` stream the two long sheets of the XLSX.

What is in it follows the published results: comments, free-text answers and who suggested
what appear only when the consultation says results are attributed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.ballots.messages import channel_name, mark_text
from consult.ballots.onbehalf import Channel
from consult.consultations import kinds, outcomes
from consult.consultations.enums import TallyMethod
from consult.consultations.kinds.base import Source
from consult.consultations.models import Consultation, ObserversMay
from consult.core import clock
from consult.core.markdown import plain_paragraphs
from consult.core.templating import decimal, organisation_name
from consult.core.timefmt import format_moment
from consult.extensions import db
from consult.members.models import MemberKind, Region
from consult.results import display, loaders, report, services
from consult.results.docmodel import (
    Amount,
    Block,
    Bullets,
    Cell,
    Chart,
    Document,
    Heading,
    Paragraph,
    Percent,
    Section,
    Table,
    number_text,
)
from consult.results.loaders import MemberInfo, TextRow
from consult.results.services import (
    Breakdown,
    ConsultationResults,
    QuestionResults,
    summarise_participation,
)
from consult.tally import Likert, Numbers

#: One member's kind, beside its name.
KIND_NAME = {
    MemberKind.MEMBER_STATE: _l("Member state"),
    MemberKind.OBSERVER_STATE: _l("Observer state"),
    MemberKind.OBSERVER_ORG: _l("Observer organisation"),
}
METHOD_NAMES = {
    "irv": _l("Instant-runoff"),
    "schulze": _l("Schulze (beatpath)"),
    "borda": _l("Borda count"),
    "selections": _l("Selections"),
}
#: Words of the CSV results columns, for a kind the document does not lay out itself.
COLUMN_WORDS = {
    "option": _l("Option"),
    "first_preferences": _l("First preferences"),
    "borda_points": _l("Borda points"),
    "selections": _l("Count"),
    "share": _l("Share"),
    "mean": _l("Mean"),
    "median": _l("Median"),
    "total": _l("Total"),
    "official_winner": _l("Official result"),
    "tie": _l("Tie"),
    # Funding intentions (kind: funding), whose rows the document shows this way.
    "currency": _l("Currency"),
    "firm_total": _l("Firm"),
    "indicative_total": _l("Indicative"),
    "members": _l("Members"),
    "observers": _l("Observers"),
}
#: Columns of the CSV results file that say nothing a reader needs in a table.
_SKIPPED = {"official_method", "pairwise_wins", "irv_eliminated_in_round"}
#: The sheet names and headers of the long XLSX sheets.
WORDS = {
    "summary": _l("Summary"),
    "participation": _l("Participation"),
    "responses": _l("Responses"),
    "comments": _l("Comments"),
    "yes": _l("yes"),
    "no": _l("no"),
}
RESPONSE_HEADER = (
    _l("Code"),
    _l("Member"),
    _l("Kind"),
    _l("Region"),
    _l("Status"),
    _l("Counted"),
    _l("Revision"),
    _l("Submitted (UTC)"),
    _l("Submitted by"),
    _l("Receipt"),
    # Where the response that counts came from, when the secretariat entered it.
    _l("Entered by the secretariat"),
    _l("Received as"),
    _l("Date of receipt"),
    _l("Reference"),
    _l("Late entry"),
    _l("Reason for the late entry"),
)
COMMENT_HEADER = (
    _l("Code"),
    _l("Member"),
    _l("Kind"),
    _l("Region"),
    _l("Question number"),
    _l("Question"),
    _l("Option"),
    _l("Comment"),
)
STATUS_NAMES = {"submitted": _l("Submitted"), "draft": _l("Draft only")}


def compose(results: ConsultationResults, locale: str, now: datetime | None = None) -> Document:
    """The document of ``results`` in ``locale`` (en, fr or es)."""
    with force_locale(locale):
        return _Composer(results, locale, now or clock.now()).document()


class _Composer:
    def __init__(self, results: ConsultationResults, locale: str, now: datetime) -> None:
        self.results = results
        self.c: Consultation = results.consultation
        self.locale = locale
        self.now = now
        self.zone = str(current_app.config["TIMEZONE"])
        self.labels = display.option_labels(self.c)
        self.regions = region_names(locale)
        self.attributed = bool(self.c.results_attributed)
        self.decision = outcomes.summary(self.c, locale, services.official_of(results))
        self.selected = {s.number: s for s in self.decision.selected}

    # The whole ---------------------------------------------------------------------------

    def document(self) -> Document:
        c = self.c
        sections = [self.participation()]
        if self.decision.text:
            sections.insert(0, self.outcome())
        sections += [self.question(q) for q in self.results.questions]
        if self.attributed and self.results.general_comments:
            sections.append(
                Section(
                    _("General comments"),
                    _("General comments")[:31],
                    (self.comment_list(self.results.general_comments),),
                )
            )
        return Document(
            locale=self.locale,
            organisation=organisation_name(self.locale),
            heading=_("Results of the consultation"),
            title=c.localized("title", self.locale),
            reference=c.reference,
            facts=tuple(self.facts()),
            produced=self.moment(self.now),
            summary=self.summary(),
            sections=tuple(sections),
            words={
                "page": _("Page %(page)s of %(pages)s", page="{page}", pages="{pages}"),
                "produced": _("Produced on %(when)s", when=self.moment(self.now)),
                **{key: str(word) for key, word in WORDS.items()},
            },
        )

    def moment(self, value: datetime) -> str:
        return format_moment(value, self.zone, self.locale)

    def facts(self) -> Iterator[tuple[str, str]]:
        c = self.c
        if c.reference:
            yield _("Reference"), c.reference
        if c.opens_at:
            yield _("Opened"), self.moment(c.opens_at)
        if c.previous_closes_at:
            yield _("Original deadline"), self.moment(c.previous_closes_at)
        if c.closed_early and c.original_closes_at:
            yield _("Deadline"), self.moment(c.original_closes_at)
            yield _("Closed early"), self.moment(c.closes_at)
            if why := c.localized("close_reason", self.locale):
                yield _("Reason for closing early"), why
        else:
            yield _("Deadline"), self.moment(c.closes_at)
        if c.published_at:
            yield _("Published"), self.moment(c.published_at)
        yield _("Produced"), self.moment(self.now)

    def outcome(self) -> Section:
        """The outcome as recorded (:func:`outcomes.summary`): the text, the options selected
        beside the official result, why it departs from it, the rationale, and the errata with
        the texts they replaced."""
        d = self.decision
        blocks: list[Block] = []
        if d.corrections:
            last = d.corrections[-1].corrected_at
            blocks.append(Paragraph(_("Corrected on %(when)s.", when=self.moment(last)), "note"))
        blocks += [Paragraph(text, "result") for text in plain_paragraphs(d.text)]
        if any(s.options for s in d.selected):
            yes, no = str(WORDS["yes"]), str(WORDS["no"])
            blocks.append(
                Table(
                    _("Options selected by the Administration"),
                    (
                        _("No."),
                        _("Question"),
                        _("Selected by the Administration"),
                        _("Official result"),
                        _("Follows the official result"),
                    ),
                    tuple(
                        (
                            s.number,
                            s.prompt,
                            ", ".join(s.options) or "—",
                            ", ".join(s.official) or "—",
                            no if s.departs else yes,
                        )
                        for s in d.selected
                    ),
                    row_names=False,
                )
            )
        if d.reason:
            blocks.append(Heading(_("Why the outcome departs from the official result"), 3))
            blocks += [Paragraph(text) for text in plain_paragraphs(d.reason)]
        if d.rationale:
            blocks.append(Heading(_("Rationale"), 3))
            blocks += [Paragraph(text) for text in plain_paragraphs(d.rationale)]
        if d.corrections:
            blocks.append(Heading(_("Corrections"), 3))
            for correction in reversed(d.corrections):
                blocks.append(
                    Paragraph(
                        _(
                            "Corrected on %(when)s. Reason: %(reason)s",
                            when=self.moment(correction.corrected_at),
                            reason=correction.reason,
                        )
                    )
                )
                blocks.append(Paragraph(_("Earlier text:"), "note"))
                blocks += [Paragraph(text, "note") for text in plain_paragraphs(correction.before)]
        title = _("Outcome") if self.c.published_at else _("Outcome (not yet published)")
        return Section(title, _("Outcome")[:31], tuple(blocks))

    # Summary -----------------------------------------------------------------------------

    def summary(self) -> Table:
        rows: list[tuple[Cell, ...]] = []
        for q in self.results.questions:
            method = q.official.method if q.official else None
            rows.append(
                (
                    q.number,
                    q.question.localized("prompt", self.locale),
                    _(kinds.get(q.question.kind).label),
                    str(METHOD_NAMES[method]) if method else "",
                    self.result_text(q),
                    q.respondents,
                )
            )
        return Table(
            _("Summary of results"),
            (_("No."), _("Question"), _("Kind"), _("Method"), _("Result"), _("Respondents")),
            tuple(rows),
        )

    def option_list(self, ids: Sequence[int]) -> str:
        return ", ".join(self.labels[o] for o in ids)

    def result_text(self, q: QuestionResults) -> str:
        """The official result in one sentence, or the main figure of a question that decides
        nothing."""
        off = q.official
        if off is not None:
            if not off.winners:
                return _("No valid answers yet: there is no result.")
            if q.selections is not None and q.question.kind == "choose":
                text = _("Selected: %(options)s", options=self.option_list(off.winners))
                if q.selections.tie_at_cutoff:
                    text += " " + _("(tie at the last place to be filled)")
                return text
            if off.tie:
                return _("Tied for first place: %(options)s", options=self.option_list(off.winners))
            return _("Preferred option: %(option)s", option=self.labels[off.winners[0]])
        if q.likert is not None and q.likert.mean is not None:
            return _(
                "Mean: %(mean)s · Median: %(median)s",
                mean=decimal(q.likert.mean),
                median=decimal(q.likert.median),
            )
        if q.numbers is not None and q.numbers.count:
            return _(
                "Sum: %(total)s · Mean: %(mean)s",
                total=decimal(q.numbers.total, 6),
                mean=decimal(q.numbers.mean),
            )
        if q.selections is not None and q.selections.leaders:
            return _("Chosen most: %(options)s", options=self.option_list(q.selections.leaders))
        return ""

    # Participation -----------------------------------------------------------------------

    def participation(self) -> Section:
        p = self.results.participation
        counts = loaders.participation_counts(self.c.id)
        states = summarise_participation(
            [n for n in counts if n.kind is MemberKind.MEMBER_STATE], []
        )
        kinds_ = {b.key: b for b in p.by_kind}
        member_states = kinds_[MemberKind.MEMBER_STATE.value]
        blocks: list[Block] = [
            Paragraph(
                _(
                    "%(submitted)s of %(invited)s invited member states submitted a response "
                    "(%(rate)s).",
                    submitted=decimal(member_states.submitted),
                    invited=decimal(member_states.invited),
                    rate=number_text(Percent(member_states.rate), self.locale),
                ),
                "result",
            )
        ]
        observers = [kinds_[k.value] for k in MemberKind if k.is_observer]
        invited = sum(b.invited for b in observers)
        if invited:
            blocks.append(
                Paragraph(
                    _(
                        "Observers, not in this figure: %(submitted)s of %(invited)s invited "
                        "submitted a response.",
                        submitted=decimal(sum(b.submitted for b in observers)),
                        invited=decimal(invited),
                    )
                )
            )
        blocks.append(
            self.breakdown_table(
                _("By kind of member"),
                _("Kind"),
                [(str(display.KIND_NAMES[MemberKind(b.key)]), b) for b in p.by_kind if b.invited],
                (_("All invited"), p.total),
            )
        )
        blocks.append(
            self.breakdown_table(
                _("Member states by region"),
                _("Region"),
                [(self.region(b.key), b) for b in states.by_region],
                (_("All member states"), states.total),
            )
        )
        blocks.append(
            Heading(
                ngettext(
                    "%(num)d invited member has not submitted",
                    "%(num)d invited members have not submitted",
                    len(p.missing),
                ),
                3,
            )
        )
        if p.missing:
            blocks.append(
                Table(
                    _("Invited members that have not submitted"),
                    (_("Member"), _("Code"), _("Kind"), _("Region"), _("Status")),
                    tuple(
                        (
                            row.member.localized_name(self.locale),
                            row.member.code,
                            str(KIND_NAME[row.member.kind]),
                            self.region(row.member.region),
                            _("Draft only") if row.status else _("Not started"),
                        )
                        for row in p.missing
                    ),
                )
            )
        blocks += self.entered()
        return Section(_("Participation"), str(WORDS["participation"])[:31], tuple(blocks))

    def entered(self) -> list[Block]:
        """The responses that count and were entered by the secretariat on a member's behalf,
        with where each came from ("from note verbale REF of DATE") and late entries flagged
        (nothing when the members answered themselves)."""
        if not self.results.entered:
            return []
        yes, no = str(WORDS["yes"]), str(WORDS["no"])
        return [
            Heading(_("Responses entered by the secretariat"), 3),
            Table(
                _("Responses entered by the secretariat"),
                (_("Member"), _("Code"), _("Revision"), _("Entered"), _("Late entry")),
                tuple(
                    (
                        self.who(row.member),
                        row.member.code,
                        row.revision,
                        mark_text(row.mark),
                        yes if row.mark.late else no,
                    )
                    for row in self.results.entered
                ),
            ),
        ]

    def region(self, name: str) -> str:
        return self.regions.get(name, name)

    def breakdown_table(
        self,
        title: str,
        first: str,
        rows: list[tuple[str, Breakdown]],
        total: tuple[str, Breakdown],
    ) -> Table:
        def row(label: str, b: Breakdown) -> tuple[Cell, ...]:
            return (label, b.invited, b.submitted, Percent(b.rate), b.drafts, b.not_started)

        return Table(
            title,
            (first, _("Invited"), _("Submitted"), _("Rate"), _("Drafts only"), _("Not started")),
            (*(row(label, b) for label, b in rows), row(*total)),
        )

    # Questions ---------------------------------------------------------------------------

    def question(self, q: QuestionResults) -> Section:
        blocks: list[Block] = []
        if q.official is not None:
            blocks.append(Heading(_("Official result"), 3))
            blocks.append(Paragraph(self.result_text(q), "result"))
            blocks += self.selection(q)
            blocks += [Paragraph(text, "note") for text in self.method_words(q)]
        charts = display.question_charts(q, self.labels)
        if q.ranking is not None:
            blocks += self.ranking(q, charts)
        if q.selections is not None:
            blocks += self.selections(q, charts)
        if q.likert is not None:
            blocks += self.likert(q, q.likert, charts.get("likert"), self.counted_caption())
            if q.likert_observers is not None:
                blocks += self.likert(
                    q, q.likert_observers, charts.get("likert_observers"), self.observers()
                )
        if q.statements is not None:
            blocks += self.grid(q, q.statements, self.counted_caption())
            if q.statements_observers:
                blocks += self.grid(q, q.statements_observers, self.observers())
        if q.numbers is not None:
            blocks += self.numbers(q, q.numbers, self.counted_caption())
            if q.numbers_observers is not None:
                blocks += self.numbers(q, q.numbers_observers, self.observers())
        known = (q.ranking, q.selections, q.likert, q.statements, q.numbers)
        reads = kinds.get(q.question.kind).reads
        if all(f is None for f in known):
            if reads == {Source.TEXTS}:
                blocks += self.answers(q)
            else:
                blocks += self.generic(q)
        if q.write_ins:
            blocks += self.write_ins(q)
        if self.attributed and q.comments:
            blocks.append(Heading(_("Comments on the options"), 3))
            for option in q.question.options:
                rows = q.comments_on(option.id)
                if rows:
                    blocks.append(Heading(self.labels[option.id], 4))
                    blocks.append(self.comment_list(rows))
        prompt = q.question.localized("prompt", self.locale)
        return Section(f"{q.number}. {prompt}", _("Q%(n)d", n=q.number), tuple(blocks))

    def selection(self, q: QuestionResults) -> list[Block]:
        """What the outcome selected for this question, when the Administration named options,
        and whether that departs from the official result."""
        chosen = self.selected.get(q.number)
        if chosen is None or not chosen.options:
            return []
        text = _("Selected by the Administration: %(options)s", options=", ".join(chosen.options))
        if chosen.departs:
            text += " " + _("(differs from the official result or decides a tie; see the outcome)")
        return [Paragraph(text, "result")]

    def counted_caption(self) -> str:
        return _("All answers") if self.c.observers_may is ObserversMay.VOTE else _("Member states")

    def observers(self) -> str:
        return _("Observers (not counted above)")

    def method_words(self, q: QuestionResults) -> list[str]:
        """The official method and its tie rule in words (docs/tally.md)."""
        off = q.official
        assert off is not None  # noqa: S101 - only called with an official result
        words = [_("Official method: %(method)s.", method=METHOD_NAMES[off.method])]
        n = len(q.question.options)
        if off.method == TallyMethod.IRV.value:
            words.append(
                _(
                    "Each round, every ballot counts for its highest-ranked option still in the "
                    "race. An option with more than half of the ballots still counting wins; "
                    "otherwise the option with the fewest votes is eliminated. Ties for "
                    "elimination are broken by the fewest votes in the previous rounds, then by "
                    "the fewest Borda points, then by the later place on the ballot."
                )
            )
            if q.ranking is not None and q.ranking.irv.ties:
                words.append(
                    _("At least one elimination needed the tie rule; see the rounds below.")
                )
        elif off.method == TallyMethod.SCHULZE.value:
            words.append(
                _(
                    "For every two options, the margin is the number of ballots preferring the "
                    "first to the second minus the number preferring the second to the first. "
                    "An option is placed above another when its strongest chain of winning "
                    "margins to it is stronger than the other's chain back; the winners are the "
                    "options no other option is placed above. Options still level are reported "
                    "together as a tie, for the Administration to decide."
                )
            )
        elif off.method == TallyMethod.BORDA.value:
            words.append(
                _(
                    "With %(n)d options, a first place earns %(top)d points, each following "
                    "place one point less, down to 0. Options a ballot leaves unranked share "
                    "equally the points of the places left. The option with the most points "
                    "wins; options with equal points are reported together as a tie, for the "
                    "Administration to decide.",
                    n=n,
                    top=n - 1,
                )
            )
        else:
            places = int(getattr(q.question, "max_choices", None) or 1)
            words.append(
                ngettext(
                    "Each option's count is the number of members that selected it. The option "
                    "selected most is selected; when options are tied for that place, all of "
                    "them are listed and the tie is flagged, for the Administration to decide.",
                    "Each option's count is the number of members that selected it. The "
                    "%(num)d options selected most are selected; when options are tied for the "
                    "last place to be filled, all of them are listed and the tie is flagged, for "
                    "the Administration to decide.",
                    places,
                )
            )
        if q.ranking is not None:
            words.append(
                _(
                    "A delegation may rank only some options: its ranking places the options it "
                    "names above the others and says nothing about the order of those it leaves "
                    "out."
                )
            )
        words.append(
            _(
                "Only submitted responses of invited member states count in the tallies (and "
                "those of observers when the consultation lets observers vote). Drafts never "
                "count. Observers' comments are shown and marked."
            )
        )
        return words

    def option_rows(self, q: QuestionResults) -> list[int]:
        return [o.id for o in q.question.options]

    def ranking(self, q: QuestionResults, charts: dict) -> list[Block]:
        r = q.ranking
        assert r is not None  # noqa: S101
        ids = self.option_rows(q)
        label = self.labels
        blocks: list[Block] = [
            Paragraph(ngettext("%(num)d valid ballot.", "%(num)d valid ballots.", r.ballots)),
            Heading(_("First preferences"), 3),
            Chart(charts["first"]),
            Table(
                _("First preferences"),
                (_("Option"), _("First preferences"), _("Share")),
                tuple((label[o], r.first.counts[o], Percent(r.first.shares[o])) for o in ids),
            ),
            Heading(_("Borda points"), 3),
            Chart(charts["borda"]),
            Table(
                _("Borda points"),
                (_("Option"), _("Points")),
                tuple((label[o], Amount(r.borda.points[o], 1)) for o in ids),
            ),
            Heading(_("Instant-runoff rounds"), 3),
        ]
        rounds = r.irv.rounds
        rows: list[tuple[Cell, ...]] = []
        for o in ids:
            cells: list[Cell] = [label[o]]
            for rnd in rounds:
                cells.append(rnd.counts.get(o, "—"))
            rows.append(tuple(cells))
        rows.append((_("Exhausted ballots"), *(rnd.exhausted for rnd in rounds)))
        blocks.append(
            Table(
                _("Votes per option in each round"),
                (_("Option"), *(_("Round %(n)d", n=rnd.number) for rnd in rounds)),
                tuple(rows),
            )
        )
        for rnd in rounds:
            if rnd.eliminated:
                text = _(
                    "Round %(n)d: %(options)s eliminated.",
                    n=rnd.number,
                    options=self.option_list(rnd.eliminated),
                )
                moves = display.transfer_text(rnd, label)
                if moves:
                    text += " " + _("Their ballots went to: %(moves)s.", moves=moves)
                blocks.append(Paragraph(text))
            if rnd.tie:
                blocks.append(
                    Paragraph(
                        _(
                            "Round %(n)d: %(options)s were tied for elimination; %(chosen)s was "
                            "eliminated by the rule “%(rule)s”.",
                            n=rnd.number,
                            options=self.option_list(rnd.tie.tied),
                            chosen=label[rnd.tie.chosen],
                            rule=display.tie_rule_name(rnd.tie.rule),
                        ),
                        "result",
                    )
                )
        if r.irv.winner is not None:
            blocks.append(
                Paragraph(_("Instant-runoff winner: %(option)s.", option=label[r.irv.winner]))
            )
            if not r.irv.majority:
                blocks.append(
                    Paragraph(
                        _(
                            "The winner is the last option left; it did not reach a majority "
                            "of the ballots still counting."
                        ),
                        "note",
                    )
                )
        matrix = r.pairwise.matrix
        # Beyond four options the columns are headed by the options' numbers (the rows say
        # which is which), so that the matrix fits the width of a page.
        numbered = len(ids) > 4
        names = {o: f"{n}. {label[o]}" if numbered else label[o] for n, o in enumerate(ids, 1)}
        heads = [str(n) if numbered else label[o] for n, o in enumerate(ids, 1)]
        blocks += [
            Heading(_("Head-to-head comparisons"), 3),
            Table(
                _(
                    "Each cell: how many ballots prefer the option of the row to the option of "
                    "the column."
                ),
                ("", *heads, _("Wins")),
                tuple(
                    (
                        names[a],
                        *(("—" if a == b else matrix[a, b]) for b in ids),
                        r.pairwise.wins[a],
                    )
                    for a in ids
                ),
            ),
        ]
        if r.pairwise.condorcet_winner is not None:
            text = _(
                "Condorcet winner (beats every other option head to head): %(option)s.",
                option=label[r.pairwise.condorcet_winner],
            )
        else:
            text = _("There is no Condorcet winner: no option beats every other head to head.")
        if r.pairwise.condorcet_loser is not None:
            text += " " + _(
                "Condorcet loser: %(option)s.", option=label[r.pairwise.condorcet_loser]
            )
        blocks.append(Paragraph(text))
        if r.schulze.winners:
            blocks.append(
                Paragraph(
                    ngettext(
                        "Schulze winner: %(options)s.",
                        "Schulze winners (tied): %(options)s.",
                        len(r.schulze.winners),
                        options=self.option_list(r.schulze.winners),
                    )
                )
            )
            order = " > ".join(" = ".join(label[o] for o in tier) for tier in r.schulze.order)
            blocks.append(
                Paragraph(_("Complete Schulze order, best first: %(order)s.", order=order))
            )
        return blocks

    def selections(self, q: QuestionResults, charts: dict) -> list[Block]:
        s = q.selections
        assert s is not None  # noqa: S101
        return [
            Paragraph(ngettext("%(num)d respondent.", "%(num)d respondents.", s.respondents)),
            Chart(charts["selections"]),
            Table(
                _("Selections"),
                (_("Option"), _("Selections"), _("Share of respondents")),
                tuple(
                    (self.labels[o], s.counts[o], Percent(s.shares[o])) for o in self.option_rows(q)
                ),
            ),
        ]

    def likert(self, q: QuestionResults, likert: Likert, chart, caption: str) -> list[Block]:
        question = q.question
        rows: list[tuple[Cell, ...]] = [
            (
                f"{v} · {question.scale_label(v, self.locale)}" if question.scale else str(v),
                likert.distribution[v],
            )
            for v in range(1, likert.points + 1)
        ]
        rows.append((_("No opinion (not in the mean or median)"), likert.no_opinion))
        blocks: list[Block] = [Heading(caption, 3)]
        if chart is not None:
            blocks.append(Chart(chart))
        blocks.append(Table(caption, (_("Answer"), _("Count")), tuple(rows)))
        if likert.answers:
            blocks.append(
                Paragraph(
                    _(
                        "Mean: %(mean)s · Median: %(median)s · %(n)s answers on the scale",
                        mean=decimal(likert.mean),
                        median=decimal(likert.median),
                        n=decimal(likert.answers),
                    )
                )
            )
        else:
            blocks.append(Paragraph(_("No answers on the scale yet.")))
        return blocks

    def grid(self, q: QuestionResults, statements: dict[int, Likert], caption: str) -> list[Block]:
        question = q.question
        points = len(question.scale or ())
        header = (
            _("Statement"),
            *(f"{v} · {question.scale_label(v, self.locale)}" for v in range(1, points + 1)),
            _("No opinion"),
            _("Mean"),
            _("Median"),
        )
        rows = []
        for o in self.option_rows(q):
            likert = statements[o]
            rows.append(
                (
                    self.labels[o],
                    *(likert.distribution[v] for v in range(1, likert.points + 1)),
                    likert.no_opinion,
                    None if likert.mean is None else Amount(likert.mean),
                    None if likert.median is None else Amount(likert.median),
                )
            )
        return [
            Heading(caption, 3),
            Table(caption, header, tuple(rows)),
            Paragraph(
                _(
                    "Each cell: how many answered the statement with that point of the scale. "
                    "“No opinion” is not in the mean or median."
                ),
                "note",
            ),
        ]

    def numbers(self, q: QuestionResults, n: Numbers, caption: str) -> list[Block]:
        unit = kinds.settings_of(q.question).get("unit")
        unit_text = unit.get(self.locale) if unit is not None and hasattr(unit, "get") else ""
        title = f"{caption} ({unit_text})" if unit_text else caption
        blocks: list[Block] = [
            Heading(title, 3),
            Table(
                title,
                (_("Answer"), _("Members")),
                tuple((Amount(value, 6), count) for value, count in n.distribution),
                row_names=False,
            ),
        ]
        if n.count and n.total is not None and n.mean is not None and n.median is not None:
            blocks.append(
                Table(
                    _("Totals"),
                    (_("Answers"), _("Sum"), _("Mean"), _("Median")),
                    ((n.count, Amount(n.total, 6), Amount(n.mean), Amount(n.median, 6)),),
                    row_names=False,
                )
            )
        else:
            blocks.append(Paragraph(_("No answers yet.")))
        return blocks

    def answers(self, q: QuestionResults) -> list[Block]:
        if self.attributed:
            return [
                Heading(
                    ngettext("%(num)d answer", "%(num)d answers", len(q.answers)),
                    3,
                ),
                self.comment_list(q.answers),
            ]
        return [
            Paragraph(
                ngettext(
                    "%(num)d answer; individual answers are not published.",
                    "%(num)d answers; individual answers are not published.",
                    len(q.answers),
                )
            )
        ]

    def generic(self, q: QuestionResults) -> list[Block]:
        """A kind this module does not lay out: its rows of the CSV results, in words."""
        kind = kinds.get(q.question.kind)
        labels = report._Labels(self.c)
        rows = [row for row in kind.result_rows(q, q.question, labels) if row]
        keys = [*report.RESULTS_HEADER, *(k for row in rows for k in row)]
        columns = [
            key
            for key in dict.fromkeys(keys)
            if key not in _SKIPPED and any(row.get(key) not in (None, "") for row in rows)
        ]
        if not columns:
            return []
        yes = {"yes": _("yes"), "": ""}
        return [
            Table(
                _("Results"),
                tuple(str(COLUMN_WORDS.get(key, key)) for key in columns),
                tuple(
                    tuple(_generic_cell(key, row.get(key), yes) for key in columns) for row in rows
                ),
                row_names="option" in columns,
            )
        ]

    def write_ins(self, q: QuestionResults) -> list[Block]:
        header: tuple[str, ...] = (_("Suggestion"), _("Members"))
        if self.attributed:
            header += (_("Suggested by"),)
        rows = []
        for group in q.write_ins:
            label = group.label
            if len(group.variants) > 1:
                label += (
                    " ("
                    + _("also written: %(variants)s", variants=" · ".join(group.variants[1:]))
                    + ")"
                )
            row: tuple[Cell, ...] = (label, group.count)
            if self.attributed:
                row += (
                    ", ".join(
                        self.results.members[m].localized_name(self.locale)
                        for m in group.member_ids
                    ),
                )
            rows.append(row)
        return [
            Heading(_("Other suggestions (write-ins)"), 3),
            Table(_("Other suggestions (write-ins)"), header, tuple(rows)),
        ]

    def comment_list(self, rows: Sequence[TextRow]) -> Bullets:
        return Bullets(tuple(f"{self.who(row.member)}: {row.text}" for row in rows))

    def who(self, member: MemberInfo) -> str:
        name = member.localized_name(self.locale)
        if member.is_observer:
            observer = _("Observer")  # outside the f-string: the extractor reads it
            return f"{name} ({observer})"
        return name


def _generic_cell(key: str, value: object, yes: dict[str, str]) -> Cell:
    if key == "share" and isinstance(value, int | float):
        return Percent(float(value))
    if key in ("official_winner", "tie"):
        return yes.get(str(value or ""), str(value))
    if isinstance(value, bool) or value is None:
        return None if value is None else str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return Amount(value)
    return str(value)


def region_names(locale: str) -> dict[str, str]:
    """Every region's name in ``locale``, by its English name (one query)."""
    return {
        region.name: region.localized("name", locale)
        for region in db.session.scalars(sa.select(Region))
    }


# The long sheets of the XLSX -------------------------------------------------------------


def response_sheet(consultation: Consultation, locale: str) -> tuple[list[str], Iterator[list]]:
    """The responses, one row per member response, headers and words in ``locale``; the rows
    are read as they are written (:func:`consult.results.report.responses_rows`)."""
    with force_locale(locale):
        rows = report.responses_rows(consultation)
        header = [str(cell) for cell in next(rows)]
        header[: len(RESPONSE_HEADER)] = [str(word) for word in RESPONSE_HEADER]
        words = _value_words(locale)
    return header, _responses(rows, words)


def _value_words(locale: str) -> dict[str, str]:
    words = {kind.value: str(name) for kind, name in KIND_NAME.items()}
    words.update({channel.value: channel_name(channel) for channel in Channel})
    words.update({key: str(name) for key, name in STATUS_NAMES.items()})
    words.update(yes=str(WORDS["yes"]), no=str(WORDS["no"]))
    words.update(region_names(locale))
    return words


def _responses(rows: Iterator[list], words: dict[str, str]) -> Iterator[list]:
    for row in rows:
        row[2], row[3], row[4], row[5] = (words.get(v, v) for v in row[2:6])
        if row[7]:
            row[7] = datetime.strptime(row[7], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if row[10]:  # entered by the secretariat: how it came, on what day, late or not
            row[11] = words.get(row[11], row[11])
            row[12] = date.fromisoformat(row[12]) if row[12] else None
            row[14] = words.get(row[14], row[14])
        yield row


def comment_sheet(consultation: Consultation, locale: str) -> tuple[list[str], Iterator[list]]:
    """Comments on options and general comments, with who wrote them, in ``locale``."""
    with force_locale(locale):
        rows = report.comments_rows(consultation)
        next(rows)
        header = [str(word) for word in COMMENT_HEADER]
        words = _value_words(locale)
    return header, _comments(rows, words)


def _comments(rows: Iterator[list], words: dict[str, str]) -> Iterator[list]:
    for row in rows:
        row[2], row[3] = words.get(row[2], row[2]), words.get(row[3], row[3])
        yield row

"""Ranking: a preference vote over the options, partial rankings allowed, with a write-in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from consult import tally
from consult.consultations.enums import QuestionKind, TallyMethod
from consult.consultations.kinds.base import (
    N_,
    Cell,
    Inputs,
    Labels,
    Official,
    QuestionLike,
    ResponseColumn,
    Setting,
    SettingType,
    Source,
)
from consult.consultations.kinds.fields import (
    Code,
    QuestionAnswer,
    QuestionSpec,
    Reader,
    rank_field,
    whole_number,
)
from consult.consultations.kinds.options import ALLOW_OPTION_COMMENTS, OptionKind, option_ids
from consult.core.plaintext import WriteIn, group_write_ins

WRITE_IN_LIMIT = 500


def official_result(result: tally.RankingTally, method: TallyMethod) -> Official:
    """The winner(s) by ``method``: instant-runoff breaks ties by its stated rule, so it names
    one winner; Schulze and Borda report every option tied at the top."""
    if method is TallyMethod.IRV:
        winner = result.irv.winner
        return Official(method.value, () if winner is None else (winner,))
    if method is TallyMethod.SCHULZE:
        return Official(method.value, tuple(result.schulze.winners))
    return Official(method.value, tuple(result.borda.winners))


class Ranking(OptionKind):
    name: ClassVar[QuestionKind] = QuestionKind.RANKING
    label: ClassVar[str] = N_("Ranking (preference vote)")
    conditions_name_options: ClassVar[bool] = True
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting(
            "allow_partial",
            SettingType.FLAG,
            True,
            N_("Partial rankings allowed (options may be left unranked)"),
        ),
        Setting(
            "allow_write_in",
            SettingType.FLAG,
            False,
            N_("Members may suggest an alternative (write-in)"),
        ),
        Setting("official_method", SettingType.METHOD, "irv", N_("Official tally method")),
        ALLOW_OPTION_COMMENTS,
    )
    is_vote: ClassVar[bool] = True
    decides: ClassVar[bool] = True
    reads: ClassVar[frozenset[Source]] = frozenset({Source.RANKINGS, Source.TEXTS})

    def own_fields(self, q: QuestionSpec) -> set[str]:
        names = {rank_field(q.id, o.id) for o in q.options}
        if q.allow_write_in:
            names.add(q.field("writein"))
        return names

    def parse(self, q: QuestionSpec, reader: Reader, final: bool) -> QuestionAnswer:
        comments = self.comments(q, reader)
        ranking = _parse_ranking(q, reader, final)
        write_in = reader.text(q.field("writein"), WRITE_IN_LIMIT) if q.allow_write_in else ""
        if final and q.required and q.may_vote and not ranking and not write_in:
            reader.error(rank_field(q.id, q.options[0].id), Code.RANK_NONE, about=f"q{q.id}")
        return QuestionAnswer(q.id, ranking=ranking, write_in=write_in, comments=comments)

    def summarise(self, question: QuestionLike, inputs: Inputs) -> dict[str, Any]:
        profile = tally.Profile(tuple(option_ids(question)), inputs.rankings)
        result = tally.tally_ranking(profile)
        groups = group_write_ins(
            (WriteIn(r.text, r.member.id) for r in inputs.texts), inputs.grouping
        )
        return {
            "ranking": result,
            "official": official_result(result, TallyMethod(question.official_method)),
            "write_ins": tuple(groups),
        }

    def result_rows(self, results: Any, question: Any, labels: Labels) -> Iterator[dict[str, Cell]]:
        r = results.ranking
        winners = set(results.official.winners) if results.official else set()
        tied = set(results.official.winners) if results.official and results.official.tie else set()
        for rnd in r.irv.rounds:
            if rnd.tie is not None:
                tied |= set(rnd.tie.tied)
        eliminated = {o: rnd.number for rnd in r.irv.rounds for o in rnd.eliminated}
        for option in question.options:
            yield {
                "option": labels.option(option.id),
                "first_preferences": r.first.counts[option.id],
                "share": round(r.first.shares[option.id], 4),
                "borda_points": r.borda.points[option.id],
                "pairwise_wins": r.pairwise.wins[option.id],
                "irv_eliminated_in_round": eliminated.get(option.id),
                "official_method": TallyMethod(question.official_method).value,
                "official_winner": "yes" if option.id in winners else "",
                "tie": "yes" if option.id in tied else "",
            }
        for group in results.write_ins:  # grouped as on the results page, joins and splits too
            yield {"option": group.label, "write_in": "yes", "members": group.count}

    def response_columns(self, question: Any) -> list[ResponseColumn]:
        columns = [ResponseColumn("rank", o.id, N_("rank")) for o in question.options]
        if question.allow_write_in:
            columns.append(ResponseColumn("free", None, N_("other suggestion")))
        return columns


def _parse_ranking(q: QuestionSpec, reader: Reader, final: bool) -> tuple[int, ...]:
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
            reader.error(name, Code.OBSERVERS_MAY_NOT_VOTE)
            continue
        rank = whole_number(raw)
        if rank is None:
            reader.error(name, Code.RANK_NOT_A_NUMBER, max=n)
            continue
        if not 1 <= rank <= n:
            reader.error(name, Code.RANK_OUT_OF_RANGE, max=n)
            continue
        ranks[option.id] = rank
    by_rank: dict[int, list[int]] = {}
    for option_id, rank in ranks.items():
        by_rank.setdefault(rank, []).append(option_id)
    for rank, option_ids_ in sorted(by_rank.items()):
        if len(option_ids_) > 1:
            for option_id in option_ids_:
                reader.error(rank_field(q.id, option_id), Code.RANK_DUPLICATE, rank=rank)
    ordered = tuple(o for o, _ in sorted(ranks.items(), key=lambda item: item[1]))
    if not final:
        return ordered
    used = sorted(by_rank)
    if used and used != list(range(1, len(used) + 1)):
        missing = next(r for r in range(1, len(used) + 1) if r not in by_rank)
        first = next(o.id for o in q.options if o.id in ranks and ranks[o.id] > missing)
        reader.error(rank_field(q.id, first), Code.RANK_GAP, rank=missing)
    if used and not q.allow_partial and len(ranks) < n:
        unranked = next(o.id for o in q.options if o.id not in ranks)
        reader.error(rank_field(q.id, unranked), Code.RANK_INCOMPLETE)
    return ordered

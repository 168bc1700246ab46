"""Instant-runoff voting with partial rankings and a stated tie rule (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from consult.tally.borda import Borda, borda
from consult.tally.extremes import fewest
from consult.tally.profile import Profile, Ranking

PREVIOUS_ROUNDS = "previous_rounds"
BORDA = "borda"
BALLOT_ORDER = "ballot_order"


@dataclass(frozen=True)
class TieBreak:
    """Options tied for elimination, the step of the tie rule that decided, and the option it
    eliminated. ``rule`` is ``"previous_rounds"``, ``"borda"`` or ``"ballot_order"``."""

    tied: tuple[int, ...]
    rule: str
    chosen: int


@dataclass(frozen=True)
class IRVRound:
    """One round of the count.

    ``counts``: the ballots counting for each continuing option (ballot order). ``exhausted``:
    the ballots with no continuing option left, so far; counts plus exhausted equal the
    ballots. ``eliminated``: the option eliminated at the end of the round (none in the final
    round). ``transfers``: where its ballots count in the next round, for every option still
    continuing (0 allowed); ``newly_exhausted``: those of its ballots that name no continuing
    option and are exhausted from the next round. ``tie``: set when the elimination needed the
    tie rule.
    """

    number: int
    counts: Mapping[int, int]
    exhausted: int
    eliminated: tuple[int, ...]
    transfers: Mapping[int, int]
    tie: TieBreak | None
    newly_exhausted: int = 0


@dataclass(frozen=True)
class IRV:
    """The round-by-round count and its winner.

    ``winner`` is ``None`` only when there are no ballots. ``majority`` is true when the winner
    had more than half of the continuing ballots while at least one other option was still
    continuing; false when it won as the last one standing (after its last opponent was
    eliminated on a tie, or as the only option of the question). ``ties``: a tie rule was used
    in some round (the results page flags it).
    """

    rounds: tuple[IRVRound, ...]
    winner: int | None
    majority: bool
    ties: bool


def instant_runoff(profile: Profile, borda_count: Borda | None = None) -> IRV:
    """Count by instant runoff, eliminating one option per round.

    In every round each ballot counts for its highest-ranked option still continuing; a ballot
    naming no continuing option is exhausted and no longer counts. When an option has more than
    half of the continuing (not exhausted) ballots, or is the only one left, it wins. Otherwise
    the option with the fewest ballots is eliminated (exactly one per round, even when it has
    none) and its ballots pass to their next continuing option.

    When several options share the fewest ballots, the tie rule eliminates, among them:

    1. ``previous_rounds``: the one with the fewest ballots in the previous round; those still
       tied are compared in the round before, and so on back to the first round;
    2. ``borda``: failing that, the one with the fewest Borda points (averaged rule, over the
       whole profile: the figures of the Borda table; ``borda_count`` when given);
    3. ``ballot_order``: failing that, the one placed later on the ballot, an order the
       Administration fixes before the consultation opens.

    Every use of the rule is recorded as a :class:`TieBreak` on its round.
    """
    options = profile.options
    if not profile.ballots:
        return IRV((), None, majority=False, ties=False)

    # Each pile holds the rankings counting for an option, with the position they are at.
    piles: dict[int, list[tuple[Ranking, int, int]]] = {option: [] for option in options}
    votes = dict.fromkeys(options, 0)
    for ranking, count in profile.rankings.items():
        piles[ranking[0]].append((ranking, count, 0))
        votes[ranking[0]] += count

    continuing = list(options)
    out: set[int] = set()
    exhausted = 0
    history: list[dict[int, int]] = []
    rounds: list[IRVRound] = []
    while True:
        counts = {option: votes[option] for option in continuing}
        leader = max(continuing, key=votes.__getitem__)
        if len(continuing) == 1 or 2 * votes[leader] > profile.ballots - exhausted:
            rounds.append(IRVRound(len(rounds) + 1, counts, exhausted, (), {}, None))
            return IRV(
                tuple(rounds),
                leader,
                majority=len(continuing) > 1,
                ties=any(r.tie for r in rounds),
            )

        tie = None
        tied = fewest(counts)
        if len(tied) > 1:
            borda_count = borda_count or borda(profile)
            tie = break_tie(tied, history, borda_count)
        loser = tie.chosen if tie else tied[0]
        history.append(counts)
        continuing.remove(loser)
        out.add(loser)

        transfers, newly_exhausted = pass_on(piles, loser, out)
        for option, count in transfers.items():
            votes[option] += count
        rounds.append(
            IRVRound(len(rounds) + 1, counts, exhausted, (loser,), transfers, tie, newly_exhausted)
        )
        exhausted += newly_exhausted


def pass_on(
    piles: dict[int, list[tuple[Ranking, int, int]]], loser: int, out: set[int]
) -> tuple[dict[int, int], int]:
    """Move the eliminated option's pile to each ranking's next option not ``out``; return the
    ballots passed to each continuing option and the number exhausted."""
    transfers = {option: 0 for option in piles if option != loser}
    exhausted = 0
    for ranking, count, at in piles.pop(loser):
        at += 1
        while at < len(ranking) and ranking[at] in out:
            at += 1
        if at == len(ranking):
            exhausted += count
        else:
            piles[ranking[at]].append((ranking, count, at))
            transfers[ranking[at]] += count
    return transfers, exhausted


def break_tie(
    tied: Sequence[int], history: Sequence[Mapping[int, int]], borda_count: Borda
) -> TieBreak:
    """Choose which of ``tied`` (in ballot order) to eliminate, by the rule of
    :func:`instant_runoff`; ``history`` holds the counts of the rounds before, first to last."""
    left = tuple(tied)
    for counts in reversed(history):
        left = fewest({option: counts[option] for option in left})
        if len(left) == 1:
            return TieBreak(tuple(tied), PREVIOUS_ROUNDS, left[0])
    left = fewest({option: borda_count.points[option] for option in left})
    if len(left) == 1:
        return TieBreak(tuple(tied), BORDA, left[0])
    return TieBreak(tuple(tied), BALLOT_ORDER, left[-1])

"""Properties every tally keeps, and the runoff (tie rule included) against a plain recount."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from consult.tally import Profile, TieBreak, borda, selections, tally_ranking
from tests.unit.test_tally_oracle import profiles

EXAMPLES = 200


def recount(profile: Profile) -> list[tuple[dict[int, int], int, int | None, TieBreak | None]]:
    """Instant runoff as its docstring states it, recounting every ballot in every round:
    ``(counts, exhausted, eliminated, tie)`` per round."""
    points = borda(profile).points
    continuing = list(profile.options)
    rounds: list[tuple[dict[int, int], int, int | None, TieBreak | None]] = []
    while True:
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ranking, count in profile.rankings.items():
            top = next((o for o in ranking if o in counts), None)
            if top is None:
                exhausted += count
            else:
                counts[top] += count
        best = max(counts.values())
        if len(continuing) == 1 or 2 * best > profile.ballots - exhausted:
            rounds.append((counts, exhausted, None, None))
            return rounds
        tied = [o for o in continuing if counts[o] == min(counts.values())]
        left, rule = tied, "ballot_order"
        for earlier, *_ in reversed(rounds):
            left = [o for o in left if earlier[o] == min(earlier[x] for x in left)]
            if len(left) == 1:
                rule = "previous_rounds"
                break
        if len(left) > 1:
            left = [o for o in left if points[o] == min(points[x] for x in left)]
            if len(left) == 1:
                rule = "borda"
        loser = left[-1]
        tie = TieBreak(tuple(tied), rule, loser) if len(tied) > 1 else None
        rounds.append((counts, exhausted, loser, tie))
        continuing.remove(loser)


@settings(max_examples=EXAMPLES, deadline=None)
@given(profiles(min_options=1, max_options=7))
def test_runoff_matches_a_plain_recount_round_by_round(profile):
    irv = tally_ranking(profile).irv
    expected = recount(profile)
    assert [(dict(r.counts), r.exhausted, r.tie) for r in irv.rounds] == [
        (counts, exhausted, tie) for counts, exhausted, _, tie in expected
    ]
    assert [r.eliminated for r in irv.rounds] == [
        () if loser is None else (loser,) for *_, loser, _ in expected
    ]
    assert irv.winner == max(expected[-1][0], key=expected[-1][0].__getitem__)


@settings(max_examples=EXAMPLES, deadline=None)
@given(profiles(min_options=1, max_options=7))
def test_tally_invariants(profile):
    result = tally_ranking(profile)
    options = profile.options
    n = len(options)
    ballots = profile.ballots

    assert math.isclose(sum(result.first.shares.values()), 1.0)
    assert sum(result.first.counts.values()) == ballots
    assert sum(result.borda.points.values()) == ballots * n * (n - 1) / 2
    for (a, b), count in result.pairwise.matrix.items():
        assert count + result.pairwise.matrix[b, a] <= ballots
    if result.pairwise.condorcet_winner is not None:
        assert result.schulze.winners == (result.pairwise.condorcet_winner,)
        assert result.pairwise.wins[result.pairwise.condorcet_winner] == n - 1
    assert result.schulze.winners == result.schulze.order[0]
    assert sorted(o for tier in result.schulze.order for o in tier) == sorted(options)

    irv = result.irv
    assert [r.number for r in irv.rounds] == list(range(1, len(irv.rounds) + 1))
    assert irv.winner in irv.rounds[-1].counts
    assert irv.ties == any(r.tie for r in irv.rounds)
    for current, following in zip(irv.rounds, irv.rounds[1:], strict=False):
        assert sum(current.counts.values()) + current.exhausted == ballots
        (gone,) = current.eliminated
        assert sum(current.transfers.values()) + current.newly_exhausted == current.counts[gone]
        assert following.counts == {
            o: current.counts[o] + current.transfers[o] for o in current.counts if o != gone
        }
        assert following.exhausted == current.exhausted + current.newly_exhausted
        if current.tie:
            assert current.tie.chosen == gone
            assert all(current.counts[o] == current.counts[gone] for o in current.tie.tied)
    assert irv.rounds[-1].eliminated == ()


@settings(max_examples=100, deadline=None)
@given(profiles(), st.randoms(use_true_random=False))
def test_the_order_of_ballots_and_of_the_rankings_map_does_not_matter(profile, rng: random.Random):
    shuffled = list(profile.rankings.items())
    rng.shuffle(shuffled)
    assert tally_ranking(Profile(profile.options, dict(shuffled))) == tally_ranking(profile)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sets(st.integers(1, 6), max_size=6), max_size=30),
    st.integers(1, 6),
)
def test_selection_invariants(ballots, n):
    options = list(range(1, 7))
    result = selections(options, ballots, n=n)
    assert result.respondents == sum(1 for b in ballots if b)
    if result.respondents:
        total = sum(result.counts.values()) / result.respondents
        assert math.isclose(sum(result.shares.values()), total)
    chosen = sorted((o for o in options if result.counts[o]), key=lambda o: -result.counts[o])
    assert set(chosen[:n]) <= set(result.top) <= set(chosen)
    assert result.tie_at_cutoff == (len(result.top) > n)
    if result.top:
        cutoff = min(result.counts[o] for o in result.top)
        assert all(result.counts[o] < cutoff for o in options if o not in result.top)

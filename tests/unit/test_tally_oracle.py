"""The ranking tally agrees with pref_voting, an independent implementation, on random profiles.

pref_voting's ProfileWithTies holds partial rankings as {option: rank}. Our pairwise rule
(ranked above unranked, two unranked not compared) is its *extended* strict preference; our
averaged Borda is an affine transform of its symmetric Borda score (options ranked below
minus options ranked above, the unranked tied at the bottom):
symmetric = 2 × averaged − (n − 1) per ballot. Our Schulze is its beat path on margins, and
``instant_runoff_for_truncated_linear_orders`` is instant runoff with exhausted ballots left
out of the majority, eliminating every option tied for fewest at once: it matches ours
whenever our count needed no tie rule.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import TYPE_CHECKING

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from consult.tally import Profile, tally_ranking

if TYPE_CHECKING:
    from pref_voting.profiles_with_ties import ProfileWithTies

EXAMPLES = 300  # bench/tally.py compares thousands more profiles, runoff ties included


@st.composite
def profiles(draw: st.DrawFn, min_options: int = 2, max_options: int = 6) -> Profile:
    """2 to 6 options with scattered ids; up to 12 distinct rankings, full or truncated, cast
    1 to 8 times each (1 to ~60 ballots), in shuffled order."""
    n = draw(st.integers(min_options, max_options))
    options = draw(st.lists(st.integers(1, 99), min_size=n, max_size=n, unique=True))
    groups = draw(ranking_groups(n))
    ballots = draw(st.permutations([r for r, count in groups for _ in range(count)]))
    return Profile.from_ballots(options, [tuple(options[i] for i in r) for r in ballots])


@functools.cache
def ranking_groups(n: int) -> st.SearchStrategy[list[tuple[tuple[int, ...], int]]]:
    """Rankings of ``n`` options by their positions, each with its count, made once per ``n``
    rather than around each profile's ids: Hypothesis checks each new strategy the first time
    it draws from it (40 % of the drawing). A shuffle draws the same choices whatever it
    shuffles, and strategies are told apart by their kind and code, not by the object: the
    profiles are the ones the strategies built around the ids drew (the same 300 for a seed)."""
    ranking = st.permutations(range(n)).flatmap(prefixes)
    return st.lists(st.tuples(ranking, st.integers(1, 8)), min_size=1, max_size=12)


def prefixes(order: list[int]) -> st.SearchStrategy[tuple[int, ...]]:
    """A ranking: the first 1 to all of ``order``."""
    return prefixes_of(tuple(order))


@functools.cache
def prefixes_of(order: tuple[int, ...]) -> st.SearchStrategy[tuple[int, ...]]:
    return st.integers(1, len(order)).map(lambda k: order[:k])


@functools.cache
def pref_voting() -> SimpleNamespace:
    """pref_voting's functions, imported by the first test that calls them: pref_voting loads
    scipy, numba and matplotlib (1.5-2 s), which a worker of ``make test`` that runs neither
    test need not pay for when it collects this module."""
    from pref_voting.iterative_methods import instant_runoff_for_truncated_linear_orders
    from pref_voting.margin_based_methods import beat_path
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.scoring_methods import borda_for_profile_with_ties, symmetric_borda_scores

    return SimpleNamespace(
        instant_runoff=instant_runoff_for_truncated_linear_orders,
        beat_path=beat_path,
        ProfileWithTies=ProfileWithTies,
        borda=borda_for_profile_with_ties,
        symmetric_borda_scores=symmetric_borda_scores,
    )


def theirs(profile: Profile) -> ProfileWithTies:
    rankings = list(profile.rankings)
    return pref_voting().ProfileWithTies(
        [{option: rank for rank, option in enumerate(r, start=1)} for r in rankings],
        rcounts=[profile.rankings[r] for r in rankings],
        candidates=list(profile.options),
    )


@settings(max_examples=EXAMPLES, deadline=None)
@given(profiles())
def test_every_method_agrees_with_pref_voting(profile):
    pv = pref_voting()
    ours = tally_ranking(profile)
    prof = theirs(profile)
    n = len(profile.options)

    assert ours.first.counts == prof.plurality_scores()
    if not ours.irv.ties:
        assert [ours.irv.winner] == pv.instant_runoff(prof)

    prof.use_extended_strict_preference()
    assert ours.pairwise.matrix == {
        (a, b): prof.support(a, b) for a in profile.options for b in profile.options if a != b
    }
    assert ours.pairwise.condorcet_winner == prof.condorcet_winner()
    assert ours.pairwise.condorcet_loser == prof.condorcet_loser()
    assert sorted(ours.schulze.winners) == pv.beat_path(prof)

    symmetric = pv.symmetric_borda_scores(prof)
    assert {o: 2 * p - profile.ballots * (n - 1) for o, p in ours.borda.points.items()} == symmetric
    assert sorted(ours.borda.winners) == pv.borda(prof)


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(profiles(min_options=3))
def test_runoff_agrees_with_pref_voting_when_no_tie_rule_is_needed(profile):
    """Every example reaches the comparison; hypothesis fails the test on its own when the
    generator rarely produces a count without ties (health check)."""
    ours = tally_ranking(profile).irv
    assume(not ours.ties)
    assert [ours.winner] == pref_voting().instant_runoff(theirs(profile))
    assert len(ours.rounds) >= 1

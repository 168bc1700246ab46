"""The ranking tally: the same results as pref_voting on every method both compute, the same
runoff winner as pyrankvote, and its speed, ours against pref_voting's in alternating rounds.

Agreement: thousands of random profiles (2 to 7 options, up to 12 distinct rankings, full or
truncated, cast 1 to 8 times, so ties are frequent) compared with pref_voting 1.x on

* first preferences (plurality scores),
* Borda points: ours (averaged rule) against its symmetric Borda score by the exact identity
  symmetric = 2 × averaged − ballots × (n − 1), and the Borda winners,
* pairwise margins (ranked above unranked, two unranked not compared: its extended strict
  preference), Condorcet winner and loser,
* Schulze winners (its beat path on margins),
* the instant-runoff winner, ties included: with the eliminations our tie rule chose given to
  pref_voting as its tie-breaking order (``instant_runoff_tb``), the winner must be the same,
  and it must be one of the winners of its parallel-universe count (``instant_runoff_put``)
  over every possible tie-break; without ties, also its
  ``instant_runoff_for_truncated_linear_orders``;

and with pyrankvote's ``instant_runoff_voting`` on the same ballots (one ballot object per
vote) wherever our count needed no tie rule (its own rule for ties is a different one).

Speed, in CPU time of the process: ``tally_ranking`` on 100,000 random ballots over 10 and
over 5 options (every second ballot cut at a random length), grouping included, the median of
a few runs; and ours against pref_voting's same methods on 10,000 ballots over 8 options,
alternating rounds, median of per-round ratios.

Usage: ``.venv/bin/python bench/tally.py [--profiles 3000] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROUNDS, Goals, alternate, header, median_ratio, spread
from consult.tally import Profile, Ranking, tally_ranking

GOAL_SECONDS = {10: 1.0, 5: 0.050}
GOAL_RATIO = 40


def random_ballots(count: int, options: list[int], rng: random.Random) -> list[Ranking]:
    """``count`` random rankings; every second one is cut at a random length (1 to n − 1)."""
    ballots = []
    for i in range(count):
        ranking = rng.sample(options, len(options))
        if i % 2:
            del ranking[rng.randint(1, len(options) - 1) :]
        ballots.append(tuple(ranking))
    return ballots


def small_profile(rng: random.Random) -> Profile:
    """2 to 7 options with scattered ids; 1 to 12 distinct rankings cast 1 to 8 times each."""
    n = rng.randint(2, 7)
    options = rng.sample(range(1, 100), n)
    ballots: list[Ranking] = []
    for _ in range(rng.randint(1, 12)):
        order = rng.sample(options, n)
        ballots += [tuple(order[: rng.randint(1, n)])] * rng.randint(1, 8)
    rng.shuffle(ballots)
    return Profile.from_ballots(options, ballots)


def theirs(profile: Profile) -> Any:
    from pref_voting.profiles_with_ties import ProfileWithTies

    rankings = list(profile.rankings)
    return ProfileWithTies(
        [{option: rank for rank, option in enumerate(r, start=1)} for r in rankings],
        rcounts=[profile.rankings[r] for r in rankings],
        candidates=list(profile.options),
    )


def pyrankvote_winner(profile: Profile) -> int:
    import pyrankvote

    people = {o: pyrankvote.Candidate(str(o)) for o in profile.options}
    ballots = [
        pyrankvote.Ballot(ranked_candidates=[people[o] for o in ranking])
        for ranking, count in profile.rankings.items()
        for _ in range(count)
    ]
    result = pyrankvote.instant_runoff_voting(list(people.values()), ballots)
    return int(result.get_winners()[0].name)


def disagreements(profile: Profile) -> tuple[list[str], bool, bool]:
    """What differs from pref_voting and pyrankvote on one profile; whether the runoff needed
    the tie rule; whether pyrankvote was compared."""
    from pref_voting.iterative_methods import (
        instant_runoff_for_truncated_linear_orders,
        instant_runoff_put,
        instant_runoff_tb,
    )
    from pref_voting.margin_based_methods import beat_path
    from pref_voting.scoring_methods import borda_for_profile_with_ties, symmetric_borda_scores

    ours = tally_ranking(profile)
    prof = theirs(profile)
    n = len(profile.options)
    wrong = []
    if dict(ours.first.counts) != prof.plurality_scores():
        wrong.append("first preferences")
    symmetric = symmetric_borda_scores(prof)
    if {o: 2 * p - profile.ballots * (n - 1) for o, p in ours.borda.points.items()} != symmetric:
        wrong.append("Borda points")
    if sorted(ours.borda.winners) != borda_for_profile_with_ties(prof):
        wrong.append("Borda winners")
    # The runoff before the pairwise switch: pref_voting's IRV reads the rankings as given.
    eliminated = [loser for r in ours.irv.rounds for loser in r.eliminated]
    rest = [o for o in profile.options if o not in eliminated]
    # pref_voting eliminates the tied option placed first in its tie-breaking order.
    order = eliminated + sorted(rest, key=lambda o: o == ours.irv.winner)
    if [ours.irv.winner] != instant_runoff_tb(prof, tie_breaker=order):
        wrong.append("runoff winner (our tie-break given to pref_voting)")
    if ours.irv.winner not in instant_runoff_put(prof):
        wrong.append("runoff winner (not among pref_voting's parallel-universe winners)")
    if not ours.irv.ties and [ours.irv.winner] != instant_runoff_for_truncated_linear_orders(prof):
        wrong.append("runoff winner (no tie)")
    prof.use_extended_strict_preference()
    margins = {
        (a, b): prof.margin(a, b) for a in profile.options for b in profile.options if a != b
    }
    ours_margins = {
        (a, b): v - ours.pairwise.matrix[b, a] for (a, b), v in ours.pairwise.matrix.items()
    }
    if ours_margins != margins:
        wrong.append("pairwise margins")
    if ours.pairwise.condorcet_winner != prof.condorcet_winner():
        wrong.append("Condorcet winner")
    if ours.pairwise.condorcet_loser != prof.condorcet_loser():
        wrong.append("Condorcet loser")
    if sorted(ours.schulze.winners) != beat_path(prof):
        wrong.append("Schulze winners")
    compared = not ours.irv.ties
    if compared and pyrankvote_winner(profile) != ours.irv.winner:
        wrong.append("runoff winner (pyrankvote)")
    return wrong, ours.irv.ties, compared


def timed(action: Callable[[], Any]) -> float:
    """CPU seconds (user + system) of the process: steadier than wall time on a busy machine."""
    start = time.process_time()
    action()
    return time.process_time() - start


def pref_voting_methods(profile: Profile) -> None:
    """pref_voting's counterparts of what ``tally_ranking`` computes, on the same rankings."""
    from pref_voting.iterative_methods import instant_runoff_for_truncated_linear_orders
    from pref_voting.margin_based_methods import beat_path
    from pref_voting.scoring_methods import borda_for_profile_with_ties

    prof = theirs(profile)
    prof.plurality_scores()
    borda_for_profile_with_ties(prof)
    instant_runoff_for_truncated_linear_orders(prof)
    prof.use_extended_strict_preference()
    prof.condorcet_winner()
    prof.condorcet_loser()
    beat_path(prof)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--seed", type=int, default=2010)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    header("Tally")
    goals = Goals("tally")

    rng = random.Random(args.seed)
    failures: dict[str, int] = {}
    tied = pyrankvote_compared = 0
    for _ in range(args.profiles):
        wrong, ties, compared = disagreements(small_profile(rng))
        tied += ties
        pyrankvote_compared += compared
        for what in wrong:
            failures[what] = failures.get(what, 0) + 1
    print(
        f"\n{args.profiles} random profiles; {tied} needed the runoff's tie rule;"
        f" pyrankvote compared on {pyrankvote_compared}"
    )
    for what, count in sorted(failures.items()):
        print(f"  DIFFERENT: {what} on {count} profiles")
    goals.check(
        "tally = pref_voting on every shared method, runoff ties included",
        f"{sum(v for k, v in failures.items() if 'pyrankvote' not in k)} differences",
        "0 differences",
        not any("pyrankvote" not in k for k in failures),
    )
    goals.check(
        "runoff winner = pyrankvote's (counts without ties)",
        f"{failures.get('runoff winner (pyrankvote)', 0)} differences in {pyrankvote_compared}",
        "0 differences",
        "runoff winner (pyrankvote)" not in failures,
    )

    for size in (10, 5):
        options = list(range(101, 101 + size))
        ballots = random_ballots(100_000, options, random.Random(args.seed))
        runs = []
        for _ in range(args.rounds):
            runs.append(
                timed(lambda o=options, b=ballots: tally_ranking(Profile.from_ballots(o, b)))
            )
        profile = Profile.from_ballots(options, ballots)
        total = statistics.median(runs)
        goal = GOAL_SECONDS[size]
        print(
            f"\n100,000 ballots, {size} options, {len(profile.rankings):,} distinct rankings:"
            f" group and tally {total * 1000:.0f} ms CPU"
            f" (median of {args.rounds}; {spread(runs)} s)"
        )
        goals.check(
            f"group and tally 100,000 ballots over {size} options",
            f"{total * 1000:.0f} ms",
            f"< {goal * 1000:.0f} ms",
            total < goal,
        )

    options = list(range(1, 9))
    ballots = random_ballots(10_000, options, random.Random(args.seed))
    profile = Profile.from_ballots(options, ballots)
    results = alternate(
        [
            ("ours", lambda: timed(lambda: tally_ranking(Profile.from_ballots(options, ballots)))),
            ("pref_voting", lambda: timed(lambda: pref_voting_methods(profile))),
        ],
        args.rounds,
    )
    ratio = median_ratio(results["pref_voting"], results["ours"])
    ratios = [t / o for t, o in zip(results["pref_voting"], results["ours"], strict=True)]
    print(
        f"\n10,000 ballots over 8 options ({len(profile.rankings):,} distinct rankings):"
        f" ours {statistics.median(results['ours']) * 1000:.0f} ms (grouping included),"
        f" pref_voting {statistics.median(results['pref_voting']):.2f} s (same methods,"
        f" building its profile included)"
    )
    goals.check(
        "pref_voting time ÷ ours (10,000 ballots, 8 options)",
        f"{ratio:.0f}× (rounds {spread(ratios)})",
        f"≥ {GOAL_RATIO}×",
        ratio >= GOAL_RATIO,
    )


if __name__ == "__main__":
    main()

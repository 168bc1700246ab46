"""Benchmark of the ranking tally against pref_voting on the same profile.

Generates random ballots (half of them truncated at a random length), groups them into a
Profile and runs ``tally_ranking`` (first preferences, Borda, pairwise, Schulze, every
instant-runoff round), several times; prints the median. pref_voting then computes the same
methods on the same grouped rankings once (it takes tens of seconds). Usage:

    .venv/bin/python bench/tally.py [--ballots 100000] [--runs 5] [--no-pref-voting]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consult.tally import Profile, Ranking, RankingTally, tally_ranking

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


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def ours(options: list[int], ballots: list[Ranking], runs: int) -> tuple[float, float, Profile]:
    """Median seconds to group the ballots and to tally the profile, over ``runs`` runs."""
    grouping, tallying = [], []
    for _ in range(runs):
        seconds, profile = timed(lambda: Profile.from_ballots(options, ballots))
        grouping.append(seconds)
        seconds, _ = timed(lambda profile=profile: tally_ranking(profile))
        tallying.append(seconds)
    return statistics.median(grouping), statistics.median(tallying), profile


def theirs(profile: Profile) -> tuple[dict[str, float], dict[str, Any]]:
    """Seconds pref_voting takes for each method on the same grouped rankings, and results."""
    from pref_voting.iterative_methods import instant_runoff_for_truncated_linear_orders
    from pref_voting.margin_based_methods import beat_path
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.scoring_methods import borda_for_profile_with_ties

    rankings = list(profile.rankings)
    steps: dict[str, float] = {}
    results: dict[str, Any] = {}

    def step(name: str, action: Callable[[], Any]) -> Any:
        steps[name], results[name] = timed(action)
        return results[name]

    prof = step(
        "profile",
        lambda: ProfileWithTies(
            [{option: rank for rank, option in enumerate(r, 1)} for r in rankings],
            rcounts=[profile.rankings[r] for r in rankings],
            candidates=list(profile.options),
        ),
    )
    step("first preferences", prof.plurality_scores)
    step("Borda", lambda: borda_for_profile_with_ties(prof))
    step("IRV", lambda: instant_runoff_for_truncated_linear_orders(prof))
    step("pairwise (ranked above unranked)", prof.use_extended_strict_preference)
    step("Condorcet winner", prof.condorcet_winner)
    step("Schulze", lambda: beat_path(prof))
    return steps, results


def agree(result: RankingTally, results: dict[str, Any]) -> bool:
    """Both libraries name the same winners and first-preference counts."""
    return (
        dict(result.first.counts) == results["first preferences"]
        and list(result.borda.winners) == results["Borda"]
        and result.pairwise.condorcet_winner == results["Condorcet winner"]
        and sorted(result.schulze.winners) == results["Schulze"]
        and (result.irv.ties or [result.irv.winner] == results["IRV"])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2010)
    parser.add_argument("--no-pref-voting", action="store_true", help="skip the comparison")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(
        f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores,"
        f" median of {args.runs} runs"
    )

    for size in (10, 5):
        options = list(range(101, 101 + size))
        ballots = random_ballots(args.ballots, options, random.Random(args.seed))
        grouping, tallying, profile = ours(options, ballots, args.runs)
        result = tally_ranking(profile)
        total = grouping + tallying
        goal = GOAL_SECONDS[size]
        print(
            f"\n{args.ballots:,} ballots, {size} options, {len(profile.rankings):,} distinct"
            f" rankings, {len(result.irv.rounds)} IRV rounds"
        )
        print(f"  consult.tally  group {grouping * 1000:7.1f} ms")
        print(f"                 tally {tallying * 1000:7.1f} ms")
        verdict = "met" if total < goal else "NOT met"
        print(
            f"                 total {total * 1000:7.1f} ms"
            f"  (goal < {goal * 1000:.0f} ms: {verdict})"
        )
        if args.no_pref_voting or size != 10:
            continue
        steps, results = theirs(profile)
        for name, seconds in steps.items():
            print(f"  pref_voting    {name:34} {seconds:8.2f} s")
        slow = sum(steps.values())
        ratio = slow / total
        methods_only = (slow - steps["profile"]) / total
        verdict = "met" if min(ratio, methods_only) >= GOAL_RATIO else "NOT met"
        print(f"  pref_voting    total {slow:.2f} s")
        print(
            f"  ratio {ratio:.0f}x, {methods_only:.0f}x without building pref_voting's profile"
            f" (goal >= {GOAL_RATIO}x: {verdict})"
        )
        print(f"  same results: {'yes' if agree(result, results) else 'NO'}")


if __name__ == "__main__":
    main()

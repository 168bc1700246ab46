"""Borda count with partial rankings, by the "averaged" rule (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from consult.tally.extremes import most
from consult.tally.pairwise import Pairwise, pairwise
from consult.tally.profile import Profile

AVERAGED = "averaged"


@dataclass(frozen=True)
class Borda:
    """Borda points of every option, and the options with the most (several on a tie).

    With n options, the option a ballot ranks r-th earns n − r points (n − 1 for the first,
    0 for the last). When a ballot ranks only k options, the options it leaves unranked share
    equally the points of the positions left, 0 to n − k − 1: each gets (n − k − 1) / 2. Every
    ballot therefore hands out the same total, n(n − 1)/2, whether complete or not, and an
    option left out is neither ignored nor punished below the last ranked one (the "averaged"
    rule). Points are halves or whole numbers. No winners when there are no ballots.
    """

    points: Mapping[int, float]
    winners: tuple[int, ...]
    rule: str = AVERAGED


def borda(profile: Profile, pairs: Pairwise | None = None) -> Borda:
    """Borda points by the averaged rule.

    An option's points on one ballot equal the number of options it is preferred to, plus half
    the number of options it is left unranked with. Summed over ballots, that is
    ((n − 1) × ballots + the sum of its pairwise margins) / 2, which is how they are computed
    here from the pairwise comparisons.
    """
    pairs = pairs or pairwise(profile)
    options = profile.options
    base = (len(options) - 1) * profile.ballots
    points = {a: (base + sum(pairs.margin(a, b) for b in options if b != a)) / 2 for a in options}
    return Borda(points, most(points) if profile.ballots else ())

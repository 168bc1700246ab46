"""Head-to-head comparisons between options, and the Condorcet winner and loser (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from consult.tally.profile import Profile


@dataclass(frozen=True)
class Pairwise:
    """How many ballots prefer each option to each other one.

    A ballot prefers a to b when it ranks a above b, or ranks a and leaves b unranked; a ballot
    leaving both unranked does not compare them. ``matrix[a, b]`` counts the ballots preferring
    a to b, for every pair of distinct options, so ``matrix[a, b] + matrix[b, a]`` never exceeds
    the ballots. a *beats* b when ``matrix[a, b] > matrix[b, a]``; ``wins`` counts the opponents
    an option beats. The Condorcet winner beats every other option, the Condorcet loser loses to
    every other option; either is ``None`` when there is none, or fewer than two options.
    """

    options: tuple[int, ...]
    matrix: Mapping[tuple[int, int], int]
    wins: Mapping[int, int]
    condorcet_winner: int | None
    condorcet_loser: int | None

    def margin(self, a: int, b: int) -> int:
        """Ballots preferring a to b minus ballots preferring b to a."""
        return self.matrix[a, b] - self.matrix[b, a]


def pairwise(profile: Profile) -> Pairwise:
    """Compare every pair of options over all ballots.

    Each position of a ranking is counted once, keyed by the option there and the *set* of
    options ranked above it: that option is preferred to every option outside the set. Rankings
    sharing that key (very common among the first positions) are then expanded together, so
    the work grows with the number of distinct rankings times their length, not with the
    number of pairs on every ballot.
    """
    options = profile.options
    bit = {option: 1 << i for i, option in enumerate(options)}
    below: dict[tuple[int, int], int] = {}
    for ranking, count in profile.rankings.items():
        above = 0
        for option in ranking:
            key = (above, option)
            below[key] = below.get(key, 0) + count
            above |= bit[option]

    matrix = {(a, b): 0 for a in options for b in options if a != b}
    for (above, a), count in below.items():
        for b in options:
            if b != a and not above & bit[b]:
                matrix[a, b] += count

    wins = dict.fromkeys(options, 0)
    losses = dict.fromkeys(options, 0)
    for (a, b), count in matrix.items():
        if count > matrix[b, a]:
            wins[a] += 1
            losses[b] += 1
    everyone_else = len(options) - 1
    winner = loser = None
    if everyone_else > 0:
        winner = next((o for o in options if wins[o] == everyone_else), None)
        loser = next((o for o in options if losses[o] == everyone_else), None)
    return Pairwise(options, matrix, wins, winner, loser)

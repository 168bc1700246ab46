"""The Schulze (beatpath) method on pairwise margins (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from consult.tally.pairwise import Pairwise, pairwise
from consult.tally.profile import Profile


@dataclass(frozen=True)
class Schulze:
    """Strongest path strengths, the Schulze winners and the complete Schulze order.

    Margins variant: the link from a to b has strength d = (ballots preferring a to b) −
    (ballots preferring b to a) when d > 0; there is no link otherwise. A path is a chain of
    links; its strength is that of its weakest link. ``strongest[a, b]`` is the strength of
    the strongest path from a to b (0 when there is none). a *defeats* b when
    ``strongest[a, b] > strongest[b, a]``. The winners are the options no other option defeats
    (several on a tie; a Condorcet winner is always the only one). This relation is transitive,
    so ``order`` lists tiers, best first: the winners, then the options defeated only by
    options of earlier tiers, and so on, each tier in ballot order. Without ballots there are
    no winners and no order.
    """

    strongest: Mapping[tuple[int, int], int]
    winners: tuple[int, ...]
    order: tuple[tuple[int, ...], ...]


def schulze(profile: Profile, pairs: Pairwise | None = None) -> Schulze:
    """Strongest paths by the Floyd–Warshall widest-path algorithm, then winners and tiers."""
    pairs = pairs or pairwise(profile)
    options = pairs.options
    strongest = {(a, b): max(pairs.margin(a, b), 0) for a, b in pairs.matrix}
    for via in options:
        for a in options:
            to_via = strongest.get((a, via), 0)
            if not to_via:
                continue
            for b in options:
                if b != a and b != via:
                    through = min(to_via, strongest[via, b])
                    if through > strongest[a, b]:
                        strongest[a, b] = through
    if not profile.ballots:
        return Schulze(strongest, (), ())

    def undefeated(among: list[int]) -> tuple[int, ...]:
        return tuple(
            a for a in among if all(strongest[a, b] >= strongest[b, a] for b in among if b != a)
        )

    order = []
    left = list(options)
    while left:
        tier = undefeated(left)
        order.append(tier)
        left = [option for option in left if option not in tier]
    return Schulze(strongest, order[0], tuple(order))

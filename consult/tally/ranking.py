"""Every method for one ranking question, computed together (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from consult.tally.borda import Borda, borda
from consult.tally.first import FirstPreferences, first_preferences
from consult.tally.pairwise import Pairwise, pairwise
from consult.tally.profile import Profile
from consult.tally.runoff import IRV, instant_runoff
from consult.tally.schulze import Schulze, schulze


@dataclass(frozen=True)
class RankingTally:
    """First preferences, Borda points, pairwise comparisons, Schulze and instant runoff."""

    ballots: int
    first: FirstPreferences
    borda: Borda
    pairwise: Pairwise
    schulze: Schulze
    irv: IRV


def tally_ranking(profile: Profile) -> RankingTally:
    """Run every method on ``profile``, sharing the pairwise comparisons between them."""
    pairs = pairwise(profile)
    points = borda(profile, pairs)
    return RankingTally(
        ballots=profile.ballots,
        first=first_preferences(profile),
        borda=points,
        pairwise=pairs,
        schulze=schulze(profile, pairs),
        irv=instant_runoff(profile, points),
    )

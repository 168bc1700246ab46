"""First preferences: how many ballots put each option first (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from consult.tally.extremes import most
from consult.tally.profile import Profile


@dataclass(frozen=True)
class FirstPreferences:
    """Ballots ranking each option first, and their share of the valid ballots.

    ``counts`` and ``shares`` list every option in ballot order (0 allowed); a share is 0.0 when
    there are no ballots. ``leaders`` are the options with the most first preferences, several
    on a tie, none when there are no ballots.
    """

    ballots: int
    counts: Mapping[int, int]
    shares: Mapping[int, float]
    leaders: tuple[int, ...]


def first_preferences(profile: Profile) -> FirstPreferences:
    """Count the ballots ranking each option first."""
    counts = dict.fromkeys(profile.options, 0)
    for ranking, count in profile.rankings.items():
        counts[ranking[0]] += count
    ballots = profile.ballots
    return FirstPreferences(
        ballots=ballots,
        counts=counts,
        shares={option: counts[option] / ballots if ballots else 0.0 for option in counts},
        leaders=most(counts) if ballots else (),
    )

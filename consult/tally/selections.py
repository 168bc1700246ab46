"""Choose-N and single-choice questions: how often each option was selected (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from consult.tally.extremes import most


@dataclass(frozen=True)
class Selections:
    """Times each option was selected, and the options selected most.

    ``respondents``: ballots selecting at least one option. ``counts`` and ``shares`` (of the
    respondents; 0.0 without any) list every option in ballot order. ``leaders``: the options
    selected most, several on a tie. ``top``: the n options selected most, by count then ballot
    order, with every option tied with the n-th one (so it may hold more than n; options nobody
    selected are never in it); ``tie_at_cutoff`` says it does.
    """

    respondents: int
    counts: Mapping[int, int]
    shares: Mapping[int, float]
    leaders: tuple[int, ...]
    top: tuple[int, ...]
    tie_at_cutoff: bool


def selections(options: Sequence[int], ballots: Iterable[Iterable[int]], n: int = 1) -> Selections:
    """Count the selections; an unknown or repeated option in a ballot raises ``ValueError``."""
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    counts = dict.fromkeys(options, 0)
    respondents = 0
    for ballot in ballots:
        chosen = tuple(ballot)
        if len(set(chosen)) != len(chosen):
            raise ValueError(f"an option is selected twice in {chosen}")
        for option in chosen:
            if option not in counts:
                raise ValueError(f"{chosen} selects an option that is not on the ballot")
            counts[option] += 1
        respondents += bool(chosen)

    ranked = sorted((o for o in counts if counts[o]), key=counts.__getitem__, reverse=True)
    top = ranked[:n]
    if len(ranked) > n:
        cutoff = counts[ranked[n - 1]]
        top += [o for o in ranked[n:] if counts[o] == cutoff]
    return Selections(
        respondents=respondents,
        counts=counts,
        shares={o: counts[o] / respondents if respondents else 0.0 for o in counts},
        leaders=most(counts) if respondents else (),
        top=tuple(top),
        tie_at_cutoff=len(top) > n,
    )

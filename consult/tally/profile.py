"""The input of a ranking tally: the options of a question and the rankings cast (pure)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

OptionId = int
Ranking = tuple[int, ...]
"""Option ids, best first. A ranking may stop early (a partial ranking): the options it leaves
out are *unranked*, below every ranked option and not ordered among themselves."""


@dataclass(frozen=True)
class Profile:
    """Every option of a question in ballot (display) order, and how many ballots cast each
    distinct non-empty ranking.

    Identical rankings are grouped, so every method works once per distinct ranking, not once
    per ballot. A ranking naming an option that is not on the ballot, naming one twice, or
    naming none, and a count below one, raise ``ValueError``.
    """

    options: tuple[int, ...]
    rankings: Mapping[Ranking, int]
    _ballots: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        options = tuple(self.options)
        if len(set(options)) != len(options):
            raise ValueError(f"an option appears twice on the ballot: {options}")
        object.__setattr__(self, "options", options)
        if not self._valid():
            self._explain()
        object.__setattr__(self, "_ballots", sum(self.rankings.values()))

    def _valid(self) -> bool:
        """Check every ranking at once (the common case, kept fast for large profiles)."""
        rankings = self.rankings
        return (
            () not in rankings
            and all(map(set(self.options).issuperset, rankings))
            and list(map(len, rankings)) == list(map(len, map(set, rankings)))
            and min(rankings.values(), default=1) >= 1
        )

    def _explain(self) -> None:
        """Raise ``ValueError`` naming the first invalid ranking."""
        known = set(self.options)
        for ranking, count in self.rankings.items():
            if not ranking:
                raise ValueError("an empty ranking is not a vote")
            if len(set(ranking)) != len(ranking):
                raise ValueError(f"an option is ranked twice in {ranking}")
            if not known.issuperset(ranking):
                raise ValueError(f"{ranking} ranks an option that is not on the ballot")
            if count < 1:
                raise ValueError(f"{ranking} is counted {count} times")

    @classmethod
    def from_ballots(cls, options: Sequence[int], ballots: Iterable[Ranking]) -> Profile:
        """Group identical rankings; empty rankings are dropped (they are not valid votes)."""
        grouped = Counter(map(tuple, ballots))
        grouped.pop((), None)
        return cls(tuple(options), dict(grouped))

    @property
    def ballots(self) -> int:
        """The number of valid (non-empty) ballots."""
        return self._ballots

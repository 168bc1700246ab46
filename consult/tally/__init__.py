"""Tallies of ranking, choice, Likert and number questions (pure: plain tuples in, frozen
results out).

Each voting rule and its tie rule is stated in the docstring of its result class and
function; docs/tally.md explains them for the Council report.
"""

from consult.tally.borda import Borda, borda
from consult.tally.first import FirstPreferences, first_preferences
from consult.tally.likert import Likert, likert
from consult.tally.numbers import Numbers, numbers
from consult.tally.pairwise import Pairwise, pairwise
from consult.tally.profile import OptionId, Profile, Ranking
from consult.tally.ranking import RankingTally, tally_ranking
from consult.tally.runoff import IRV, IRVRound, TieBreak, instant_runoff
from consult.tally.schulze import Schulze, schulze
from consult.tally.selections import Selections, selections

__all__ = [
    "IRV",
    "Borda",
    "FirstPreferences",
    "IRVRound",
    "Likert",
    "Numbers",
    "OptionId",
    "Pairwise",
    "Profile",
    "Ranking",
    "RankingTally",
    "Schulze",
    "Selections",
    "TieBreak",
    "borda",
    "first_preferences",
    "instant_runoff",
    "likert",
    "numbers",
    "pairwise",
    "schulze",
    "selections",
    "tally_ranking",
]

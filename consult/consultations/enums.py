"""The words a consultation is built from: kinds of question, tally methods, observer rights.

Pure (no Flask, no SQLAlchemy): the models store these by value, and the question kinds, the
YAML reader and the ballot rules read them without a database.
"""

from __future__ import annotations

import enum


class ResponseStatus(enum.StrEnum):
    """A member's response: a draft saved, or submitted (what counts)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class ObserversMay(enum.StrEnum):
    """What observers (observer states and organisations) may do in a consultation."""

    NOTHING = "nothing"
    COMMENT = "comment"
    VOTE = "vote"


class QuestionKind(enum.StrEnum):
    """Every kind of question; each has its module in :mod:`consult.consultations.kinds`."""

    RANKING = "ranking"
    CHOOSE = "choose"
    SINGLE = "single"
    LIKERT = "likert"
    TEXT = "text"
    NUMBER = "number"
    GRID = "grid"
    FUNDING = "funding"


class TallyMethod(enum.StrEnum):
    """Official methods of a ranking question."""

    IRV = "irv"
    SCHULZE = "schulze"
    BORDA = "borda"

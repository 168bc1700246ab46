"""When an outcome departs from the count (pure).

The Administration names the options it selects; where, for a question with an official
result, they are not exactly the official winners — or that result is a tie it had to decide —
the outcome must say why.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from consult.consultations.kinds.base import Official


def departures(
    selected: Collection[int],
    official: Mapping[int, Official],
    options: Mapping[int, Collection[int]],
) -> list[int]:
    """The questions (ids, in the order of ``official``) whose outcome needs a reason:
    ``selected`` (option ids) holds, among the question's ``options``, other options than the
    official winners, or the official result is a tie."""
    chosen = set(selected)
    return [
        question_id
        for question_id, result in official.items()
        if result.tie or chosen & set(options.get(question_id, ())) != set(result.winners)
    ]

"""What a service raises when it refuses a change, so that every page handles it alike.

A service raises :class:`Refused` (the change is not allowed now) or :class:`Invalid` (what was
typed has problems, each naming its form field); nothing was written in either case. The reasons
are codes: each package words them in its ``messages`` module, and
:mod:`consult.core.formpage` puts the words on the form's fields or in a flash.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class Refused(Exception):
    """A change a service refused; nothing was written."""

    def located(self) -> list[tuple[str | None, Any]]:
        """Each reason with the form field it concerns (None: the form as a whole)."""
        return [(None, self)]


class Invalid(Refused):
    """What was typed has problems; nothing was written. Each problem names its field in
    ``field`` (a problem without one concerns the form as a whole)."""

    def __init__(self, problems: Iterable[Any], message: str | None = None) -> None:
        self.problems = list(problems)
        super().__init__(
            message
            if message is not None
            else ", ".join(f"{self._field(p)}: {p}" for p in self.problems)
        )

    @staticmethod
    def _field(problem: Any) -> str | None:
        field = getattr(problem, "field", None)
        return field if isinstance(field, str) else None

    def located(self) -> list[tuple[str | None, Any]]:
        return [(self._field(p), p) for p in self.problems]

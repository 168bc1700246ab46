"""Numbered pages of a list: which slice to show and the links around it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from consult.core.database import DbSession

T = TypeVar("T")

PAGE_SIZE = 50


def page_number(text: str | None) -> int:
    """The page asked for in the query string: 1 unless a sensible positive number."""
    text = (text or "").strip()
    if text.isascii() and text.isdigit() and len(text) < 7:
        return max(int(text), 1)
    return 1


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of ``total`` items: ``items`` are those of page ``number``."""

    items: Sequence[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.size - 1) // self.size, 1)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    @classmethod
    def of(cls, items: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
        """The page ``number`` of a list already in order (the last page if beyond it)."""
        pages = max((len(items) + size - 1) // size, 1)
        number = min(number, pages)
        start = (number - 1) * size
        return cls(items[start : start + size], number, size, len(items))


def page_of(
    session: DbSession, query: sa.Select[Any], number: int, size: int | None = None
) -> Page[Any]:
    """The page ``number`` of an ordered query (the last page if beyond it): a count and the
    page's rows, two statements whatever the length of the list. A query of one column gives
    its values, of several the rows."""
    size = size or PAGE_SIZE
    total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    pages = max(((total or 0) + size - 1) // size, 1)
    number = min(number, pages)
    shown = query.limit(size).offset((number - 1) * size)
    if len(shown.column_descriptions) == 1:
        rows: Sequence[Any] = list(session.scalars(shown))
    else:
        rows = [tuple(row) for row in session.execute(shown)]
    return Page(rows, number, size, total or 0)

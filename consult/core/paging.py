"""Numbered pages of a list: which slice to show and the links around it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

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

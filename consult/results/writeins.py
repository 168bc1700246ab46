"""Grouping of write-in suggestions that differ only in case, spacing or accents (pure)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = " \t\n.,;:!?¡¿'\"«»“”‘’()[]-–—"


def normalise(text: str) -> str:
    """The grouping key: accents removed, case folded, inner spaces collapsed, outer
    punctuation trimmed. "  Migration  et Santé. " and "migration et sante" share a key."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare.casefold()).strip(_EDGE_PUNCTUATION)


@dataclass(frozen=True)
class WriteIn:
    """One suggestion as a member wrote it."""

    text: str
    member_id: int


@dataclass(frozen=True)
class WriteInGroup:
    """Suggestions sharing a key; ``label`` is the spelling used most (first seen on a tie)."""

    key: str
    label: str
    variants: tuple[str, ...]
    member_ids: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.member_ids)


def group_write_ins(items: Iterable[WriteIn]) -> list[WriteInGroup]:
    """Group suggestions by :func:`normalise`, most suggested first, then alphabetically."""
    spellings: dict[str, Counter[str]] = {}
    members: dict[str, dict[int, None]] = {}  # an ordered set: first suggestion first
    for item in items:
        key = normalise(item.text)
        if not key:
            continue
        spellings.setdefault(key, Counter())[item.text.strip()] += 1
        members.setdefault(key, {})[item.member_id] = None
    groups = [
        WriteInGroup(
            key=key,
            label=counter.most_common(1)[0][0],
            variants=tuple(counter),
            member_ids=tuple(members[key]),
        )
        for key, counter in spellings.items()
    ]
    return sorted(groups, key=lambda g: (-g.count, g.key))

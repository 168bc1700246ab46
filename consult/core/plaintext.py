"""Plain text as people type it (pure): cleaning, accent folding and write-in grouping.

One home for what "the same words" means: the registry and delegate searches compare
:func:`fold` forms, write-ins are grouped by :func:`normalise` (a fold with spacing and edge
punctuation evened out), and every typed text goes through :func:`clean_text` first.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

#: A cell starting with one of these is a formula to a spreadsheet: a members CSV refuses it, an
#: export prefixes it (``results/csvsafe.py``).
FORMULA_SIGNS = ("=", "+", "-", "@")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = " \t\n.,;:!?¡¿'\"«»“”‘’()[]-–—"


class TextFault(enum.StrEnum):
    """Why :func:`clean_text` refused a text (the values are the ballot's field codes too)."""

    CONTROL_CHARACTER = "control_character"
    INVALID_TEXT = "invalid_text"
    TEXT_TOO_LONG = "text_too_long"


def clean_text(raw: str, limit: int) -> tuple[str, TextFault | None]:
    """Normalise line ends and outer spaces; refuse control characters, lone surrogates and
    texts longer than ``limit`` characters. Returns the text and a fault, if any."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if _CONTROL.search(text):
        return "", TextFault.CONTROL_CHARACTER
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "", TextFault.INVALID_TEXT
    text = unicodedata.normalize("NFC", text)
    if len(text) > limit:
        return "", TextFault.TEXT_TOO_LONG
    return text, None


def fold(text: str) -> str:
    """Lower case without accents, so that "cote" finds "Côte d'Ivoire"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """The grouping key of a write-in: :func:`fold`, inner spaces collapsed, outer punctuation
    trimmed. "  Migration  et Santé. " and "migration et sante" share a key."""
    return _SPACES.sub(" ", fold(text)).strip(_EDGE_PUNCTUATION)


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

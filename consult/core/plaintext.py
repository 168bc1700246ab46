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
    """Suggestions grouped together; ``label`` is the name the Administration gave a joined
    group, or else the spelling used most (first seen on a tie). ``variants`` are the
    spellings, the label first; ``parts`` the automatic keys the group holds; ``entries``
    each suggestion as written, in order; ``join_id`` the joined group it is, if any, and
    ``split`` whether it is one member's suggestion taken out of its group."""

    key: str
    label: str
    variants: tuple[str, ...]
    member_ids: tuple[int, ...]
    parts: tuple[str, ...] = ()
    entries: tuple[WriteIn, ...] = ()
    join_id: int | None = None
    split: bool = False

    @property
    def count(self) -> int:
        return len(self.member_ids)


@dataclass(frozen=True)
class Join:
    """Automatic groups (their keys) the Administration joined into one, named ``label``
    (empty: the spelling used most)."""

    id: int
    keys: frozenset[str]
    label: str = ""


@dataclass(frozen=True)
class Grouping:
    """The Administration's corrections of the automatic grouping of one question:
    groups joined, and members' suggestions ``(member id, automatic key)`` split out."""

    joins: tuple[Join, ...] = ()
    splits: frozenset[tuple[int, str]] = frozenset()


NO_GROUPING = Grouping()


def join_key(join_id: int) -> str:
    """The key of a joined group (no automatic key starts with a colon: it is trimmed)."""
    return f":join:{join_id}"


def split_key(member_id: int, key: str) -> str:
    """The key of one member's suggestion split out of its group."""
    return f":split:{member_id}:{key}"


def group_write_ins(
    items: Iterable[WriteIn], grouping: Grouping = NO_GROUPING
) -> list[WriteInGroup]:
    """Group suggestions by :func:`normalise`, then apply ``grouping``: a suggestion split
    out stands alone (whatever group its key is in), the keys of a join are one group.
    Most suggested first, then alphabetically by label.

    Rules naming keys nobody wrote any more change nothing, so a rule is kept when answers
    are revised and the results recomputed; a key in two joins counts in the first."""
    joined: dict[str, Join] = {}
    for join in grouping.joins:
        for key in join.keys:
            joined.setdefault(key, join)
    spellings: dict[str, Counter[str]] = {}
    members: dict[str, dict[int, None]] = {}  # an ordered set: first suggestion first
    parts: dict[str, dict[str, None]] = {}
    entries: dict[str, list[WriteIn]] = {}
    for item in items:
        key = normalise(item.text)
        if not key:
            continue
        if (item.member_id, key) in grouping.splits:
            group = split_key(item.member_id, key)
        elif key in joined:
            group = join_key(joined[key].id)
        else:
            group = key
        spellings.setdefault(group, Counter())[item.text.strip()] += 1
        members.setdefault(group, {})[item.member_id] = None
        parts.setdefault(group, {})[key] = None
        entries.setdefault(group, []).append(item)
    names = {join_key(j.id): j for j in grouping.joins}
    groups = []
    for key, counter in spellings.items():
        named = names.get(key)
        label = (named.label if named else "") or counter.most_common(1)[0][0]
        groups.append(
            WriteInGroup(
                key=key,
                label=label,
                variants=(label, *(v for v in counter if v != label)),
                member_ids=tuple(members[key]),
                parts=tuple(parts[key]),
                entries=tuple(entries[key]),
                join_id=named.id if named else None,
                split=key.startswith(":split:"),
            )
        )
    return sorted(groups, key=lambda g: (-g.count, normalise(g.label), g.key))

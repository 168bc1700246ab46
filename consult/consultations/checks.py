"""What makes a consultation, a question and its options well formed (pure).

The builder pages, the YAML import and the opening of a consultation apply the same rules;
each question kind states its own in ``consultations/kinds/`` with these pieces.
Each check returns :class:`Problem` values (a field, an :class:`Issue` code and parameters);
``consultations/messages.py`` words them in the reader's language.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any

from consult.core.params import SLUG
from consult.core.plaintext import TextFault, clean_text

LIMITS = {
    "slug": 80,
    "title": 300,
    "reference": 60,
    "summary": 20_000,
    "prompt": 1_000,
    "help": 5_000,
    "label": 300,
    "description": 10_000,
    "scale": 100,
    "outcome": 2_000,
    "rationale": 10_000,
    "reason": 1_000,
    "outcome_reason": 2_000,
}
#: Short names that would hide a page of the builder.
RESERVED_SLUGS = frozenset({"new"})


class Issue(enum.StrEnum):
    REQUIRED = "required"
    TOO_LONG = "too_long"
    CONTROL_CHARACTER = "control_character"
    SLUG_FORMAT = "slug_format"
    CLOSES_BEFORE_OPENS = "closes_before_opens"
    TOO_FEW_OPTIONS = "too_few_options"
    DUPLICATE_LABEL = "duplicate_label"
    BOUND_NOT_POSITIVE = "bound_not_positive"
    BOUNDS_ORDER = "bounds_order"
    BOUND_EXCEEDS_OPTIONS = "bound_exceeds_options"
    SCALE_SIZE = "scale_size"
    TEXT_LIMIT_RANGE = "text_limit_range"
    NO_QUESTIONS = "no_questions"
    NO_INVITEES = "no_invitees"
    POSITION_NOT_A_NUMBER = "position_not_a_number"
    POSITION_OUT_OF_RANGE = "position_out_of_range"
    POSITION_DUPLICATE = "position_duplicate"
    POSITIONS_INCOMPLETE = "positions_incomplete"
    SLUG_TAKEN = "slug_taken"
    SAME_OPTION = "same_option"
    SCALE_MISMATCH = "scale_mismatch"
    NOT_A_NUMBER = "not_a_number"
    NOT_WHOLE = "not_whole"
    CONDITION_NOT_EARLIER = "condition_not_earlier"
    CONDITION_UNKNOWN_ANSWER = "condition_unknown_answer"
    CONDITION_NO_OPTIONS = "condition_no_options"
    CONDITION_IN_USE = "condition_in_use"
    OPTIONS_FROM_NOT_EARLIER = "options_from_not_earlier"
    OPTIONS_FROM_WITH_OWN = "options_from_with_own"
    OPTIONS_FROM_IN_USE = "options_from_in_use"
    OUTCOME_REASON_REQUIRED = "outcome_reason_required"
    NOT_AN_OPTION = "not_an_option"
    OUTCOME_UNCHANGED = "outcome_unchanged"
    TOO_FEW_GROUPS = "too_few_groups"
    WRITE_INS_CHANGED = "write_ins_changed"
    WRITE_IN_ALONE = "write_in_alone"


@dataclass(frozen=True)
class Problem:
    field: str
    issue: Issue
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)


def clean(
    value: str | None, path: str, kind: str, *, required: bool = False
) -> tuple[str, list[Problem]]:
    """Tidy a text (line ends, outer spaces, NFC) and check it against the limit of ``kind``
    (a key of :data:`LIMITS`); ``path`` names the field in the problems."""
    limit = LIMITS[kind]
    text, fault = clean_text(value or "", limit)
    if fault is not None:
        issue = Issue.TOO_LONG if fault is TextFault.TEXT_TOO_LONG else Issue.CONTROL_CHARACTER
        return "", [Problem(path, issue, {"limit": limit})]
    if required and not text:
        return "", [Problem(path, Issue.REQUIRED)]
    return text, []


def check_slug(slug: str) -> list[Problem]:
    """Lower-case letters and digits in groups joined by single hyphens, e.g. ``idm-2010``."""
    if not slug:
        return [Problem("slug", Issue.REQUIRED)]
    if len(slug) > LIMITS["slug"]:
        return [Problem("slug", Issue.TOO_LONG, {"limit": LIMITS["slug"]})]
    if not SLUG.match(slug):
        return [Problem("slug", Issue.SLUG_FORMAT)]
    if slug in RESERVED_SLUGS:
        return [Problem("slug", Issue.SLUG_TAKEN)]
    return []


def check_schedule(opens_at: datetime | None, closes_at: datetime | None) -> list[Problem]:
    """A deadline is required and must come after the opening."""
    if closes_at is None:
        return [Problem("closes_at", Issue.REQUIRED)]
    if opens_at is not None and closes_at <= opens_at:
        return [Problem("closes_at", Issue.CLOSES_BEFORE_OPENS)]
    return []


def check_labels(labels: Sequence[str]) -> list[Problem]:
    """Every option has a label, and no two labels are the same."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, label in enumerate(labels, start=1):
        key = " ".join(label.split()).casefold()
        if not key:
            problems.append(Problem(f"options.{i}.label", Issue.REQUIRED))
        elif key in seen:
            problems.append(Problem(f"options.{i}.label", Issue.DUPLICATE_LABEL, {"label": label}))
        seen.add(key)
    return problems


def check_bounds(low: int | None, high: int | None, options: int) -> list[Problem]:
    """Choose-N bounds: each at least 1, low ≤ high, neither above the number of options."""
    problems: list[Problem] = []
    for name, value in (("min_choices", low), ("max_choices", high)):
        if value is None:
            continue
        if value < 1:
            problems.append(Problem(name, Issue.BOUND_NOT_POSITIVE))
        elif value > options:
            problems.append(Problem(name, Issue.BOUND_EXCEEDS_OPTIONS, {"options": options}))
    if low is not None and high is not None and low > high:
        problems.append(Problem("min_choices", Issue.BOUNDS_ORDER))
    return problems


def read_order(positions: Mapping[int, str]) -> tuple[list[int], list[Problem]]:
    """Ids in their new order, from the position typed beside each (``id -> "2"``).

    Positions must be whole numbers from 1 to the number of items, each used once.
    """
    problems: list[Problem] = []
    numbers: dict[int, int] = {}
    count = len(positions)
    for item_id, text in positions.items():
        text = text.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 6:
            problems.append(Problem(str(item_id), Issue.POSITION_NOT_A_NUMBER))
            continue
        number = int(text)
        if not 1 <= number <= count:
            problems.append(Problem(str(item_id), Issue.POSITION_OUT_OF_RANGE, {"max": count}))
            continue
        numbers[item_id] = number
    used: dict[int, int] = {}
    for item_id, number in numbers.items():
        if number in used:
            problems.append(Problem(str(item_id), Issue.POSITION_DUPLICATE, {"position": number}))
        used.setdefault(number, item_id)
    if problems:
        return [], problems
    return sorted(numbers, key=lambda item_id: numbers[item_id]), []

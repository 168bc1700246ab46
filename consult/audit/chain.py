"""Checking the digest chain of each response's revisions (pure).

Every submission appends a revision whose digest is SHA-256 over the previous revision's digest
and the canonical ballot (``ballots/receipts.py``). Recomputing the chain finds a revision whose
content was altered (its digest no longer matches), one that was removed (a gap in the numbers,
and the next link no longer matches), and — with the server secret — a digest recomputed by
someone who changed the content (the receipt, an HMAC with the receipt key whose id the revision
names, no longer matches). The response must
also point at its latest revision, and the answer rows the tallies read must be exactly those of
that revision.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from consult.ballots.receipts import GENESIS, chain_digest, receipt_code
from consult.ballots.rules import AnswerRow, answer_rows, ballot_from_canonical
from consult.core.anchors import Head


class Problem(enum.StrEnum):
    MISSING = "missing"
    DIGEST = "digest"
    RECEIPT = "receipt"
    KEY = "key"
    CURRENT = "current"
    ANSWERS = "answers"


@dataclass(frozen=True)
class StoredRevision:
    number: int
    content: Any
    digest: str
    receipt: str
    key_id: str | None = None
    head: Head | None = None


@dataclass(frozen=True)
class Break:
    response_id: int
    number: int | None
    problem: Problem

    def describe(self) -> str:
        what = {
            Problem.MISSING: "is missing",
            Problem.DIGEST: "does not match its digest chain",
            Problem.RECEIPT: "does not match its receipt",
            Problem.KEY: "was signed with a receipt key that is not configured",
            Problem.CURRENT: "is not the one the response counts",
            Problem.ANSWERS: "differs from the answers the tallies count",
        }[self.problem]
        return f"response {self.response_id} revision {self.number}: {what}"


def check_response(
    response_id: int,
    revisions: Sequence[StoredRevision],
    *,
    current: int,
    current_receipt: str | None,
    keys: Mapping[str | None, bytes],
) -> list[Break]:
    """Every break in one response's chain, revisions taken in number order; ``keys`` are
    the receipt keys by id."""
    breaks: list[Break] = []
    previous = GENESIS
    expected = 1
    for revision in sorted(revisions, key=lambda r: r.number):
        while expected < revision.number:
            breaks.append(Break(response_id, expected, Problem.MISSING))
            expected += 1
        digest = chain_digest(previous, response_id, revision.number, revision.content)
        key = keys.get(revision.key_id)
        if revision.digest != digest:
            breaks.append(Break(response_id, revision.number, Problem.DIGEST))
        elif key is None:
            breaks.append(Break(response_id, revision.number, Problem.KEY))
        elif revision.receipt != receipt_code(
            key, response_id, revision.number, revision.content, revision.head
        ):
            breaks.append(Break(response_id, revision.number, Problem.RECEIPT))
        previous = revision.digest
        expected = revision.number + 1
    latest = max((r.number for r in revisions), default=0)
    last_receipt = next((r.receipt for r in revisions if r.number == latest), None)
    if current != latest or (latest and current_receipt != last_receipt):
        breaks.append(Break(response_id, current, Problem.CURRENT))
    return breaks


def expected_answers(content: Any) -> set[AnswerRow]:
    """The answer rows a submission of ``content`` stores."""
    return set(answer_rows(ballot_from_canonical(content)))


def check_answers(response_id: int, latest: StoredRevision, stored: set[AnswerRow]) -> list[Break]:
    """A break when the stored answer rows are not those of the latest revision."""
    if stored != expected_answers(latest.content):
        return [Break(response_id, latest.number, Problem.ANSWERS)]
    return []

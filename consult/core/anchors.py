"""Heads of the audit trail recorded outside it, and signed statements of them (pure).

The audit trail is a chain: cutting its newest rows leaves a shorter chain that is still
intact. So the head of the trail at a moment — the number of its newest event and that event's
digest — is written where the trail cannot reach it unnoticed: in every receipt (signed with
it), in checkpoints written with every outcome, export and publication, and in statements the
secretariat files or e-mails. A recorded head whose event is gone shows a truncated trail; one
whose event now has another digest shows a rewritten one.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, replace

TITLE = "consult audit statement"
_FIELDS = ("time", "reason", "consultation", "event", "digest", "key")


@dataclass(frozen=True)
class Head:
    """The newest event of the trail at a moment: its number (1, 2, …) and its digest."""

    seq: int
    digest: str

    def __str__(self) -> str:
        return f"event {self.seq} ({self.digest})"


@dataclass(frozen=True)
class Statement:
    """A signed statement of a checkpoint, as printed by ``consult audit statement``."""

    time: str
    reason: str
    consultation: str
    head: Head
    key_id: str
    signature: str = ""

    def lines(self) -> list[str]:
        values = (
            self.time,
            self.reason,
            self.consultation or "-",
            str(self.head.seq),
            self.head.digest,
            self.key_id,
        )
        return [TITLE, *(f"{name}: {value}" for name, value in zip(_FIELDS, values, strict=True))]

    def text(self) -> str:
        """The statement as filed: its fields, then the signature over them."""
        return "\n".join([*self.lines(), f"signature: {self.signature}"]) + "\n"


class BadStatement(ValueError):
    """Text that is not a statement printed by consult."""


def sign(statement: Statement, key: bytes) -> Statement:
    """``statement`` with its signature: HMAC-SHA256 of its lines with ``key``."""
    body = "\n".join(statement.lines()).encode()
    return replace(statement, signature=hmac.new(key, body, hashlib.sha256).hexdigest())


def signature_valid(statement: Statement, keys: Mapping[str | None, bytes]) -> bool:
    key = keys.get(statement.key_id)
    return key is not None and hmac.compare_digest(
        sign(statement, key).signature, statement.signature
    )


def parse_statement(text: str) -> Statement:
    """Read a statement back (surrounding text, as in an e-mail, is ignored)."""
    lines = [line.strip() for line in text.splitlines()]
    try:
        start = lines.index(TITLE)
    except ValueError as error:
        raise BadStatement("no statement found") from error
    values: dict[str, str] = {}
    for line in lines[start + 1 : start + 2 + len(_FIELDS)]:
        name, _sep, value = line.partition(": ")
        values[name] = value
    try:
        return Statement(
            time=values["time"],
            reason=values["reason"],
            consultation="" if values["consultation"] == "-" else values["consultation"],
            head=Head(int(values["event"]), values["digest"]),
            key_id=values["key"],
            signature=values["signature"],
        )
    except (KeyError, ValueError) as error:
        raise BadStatement(f"missing or unreadable field: {error}") from error

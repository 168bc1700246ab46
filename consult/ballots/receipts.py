"""Receipts and chained digests of revisions (pure).

The digest of a revision is SHA-256 over the previous revision's digest and the canonical JSON
of the ballot, so that changing or removing a stored revision breaks every later link. The
receipt is an HMAC of the same content keyed with a receipt key (``core/keyfile.py``; the
revision stores the key's id): it cannot be guessed from the ballot, yet the server can
recompute it from the stored revision to prove it is genuine, after key rotations too. The
receipt also signs the head of the audit trail right after the submission was recorded
(``core/anchors.py``), so the receipt a delegate keeps vouches for the length of the trail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from consult.core.anchors import Head

GENESIS = "0" * 64


def canonical_json(content: Any) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload(response_id: int, number: int, content: Any) -> bytes:
    """What a revision's digest and receipt are computed over (its canonical content)."""
    return f"{response_id}\n{number}\n{canonical_json(content)}".encode()


def chain_digest(
    previous: str, response_id: int, number: int, content: Any, *, signed: bytes | None = None
) -> str:
    """SHA-256 of the previous digest and this revision's canonical content (``signed``: its
    :func:`payload`, when the caller has made it)."""
    signed = signed if signed is not None else payload(response_id, number, content)
    return hashlib.sha256(previous.encode() + b"\n" + signed).hexdigest()


def receipt_code(
    key: bytes,
    response_id: int,
    number: int,
    content: Any,
    head: Head | None = None,
    *,
    signed: bytes | None = None,
) -> str:
    """A 20-character code (100 bits) such as ``K7QD-M2XA-...``, grouped in fives; it signs
    the audit ``head`` too when given (receipts from before heads were recorded have none).
    ``signed``: the revision's :func:`payload`, when the caller has made it."""
    message = signed if signed is not None else payload(response_id, number, content)
    if head is not None:
        message += f"\n{head.seq}\n{head.digest}".encode()
    mac = hmac.new(key, message, hashlib.sha256)
    # The first 15 bytes of the MAC are the first 24 characters of its base32 (5 bytes make 8
    # characters): the same code as encoding all 32 bytes, for a third of the time.
    code = base64.b32encode(mac.digest()[:15]).decode()[:20]
    return "-".join(code[i : i + 5] for i in range(0, 20, 5))


def normalise_code(text: str) -> str:
    """Accept a code typed with spaces, lower case or without dashes."""
    letters = "".join(c for c in text.upper() if c.isalnum())[:20]
    return "-".join(letters[i : i + 5] for i in range(0, len(letters), 5))

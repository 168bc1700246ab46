"""The request id written into logs and audit rows: the client's, only when it is safe."""

from __future__ import annotations

import re
import secrets

#: Letters, digits, dot, underscore and hyphen, at most 40 (the audit column's width). Nothing
#: that a terminal or a log reader could take for a line break or an escape sequence.
SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


def accepted(header: str | None) -> str:
    """The ``X-Request-Id`` a proxy sent when it matches :data:`SAFE`, else a new random id
    (32 hex digits, as a UUID's: 128 random bits, without building a UUID for them)."""
    if header and SAFE.fullmatch(header):
        return header
    return secrets.token_hex(16)

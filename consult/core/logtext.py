"""Text from a request made safe for a log line or a log table (pure).

A name, an e-mail address or a path typed by someone else must not be able to forge a log line
(CR, LF), recolour a terminal (ANSI escapes start with ESC), or reorder what an administrator
reads (bidirectional controls). Every control, format and separator character is written as a
backslash escape, and the backslash itself is doubled so that an escape cannot be faked.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
_UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def _escape(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if unicodedata.category(char) not in _UNSAFE:
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def encode(text: object, limit: int = 300) -> str:
    """``text`` with unsafe characters escaped, cut to at most ``limit`` characters."""
    value = text if isinstance(text, str) else str(text)
    out = "".join(_escape(char) for char in value[: limit * 2])
    if len(out) > limit or len(value) > limit * 2:
        return out[: limit - 1] + ELLIPSIS
    return out

"""The receipt key file: named keys, the newest one signs, every one of them verifies (pure).

One key per line, ``<id> <secret>``: the id is the day it was made and four random hex digits
(``20270114-3fa9``), the secret 32 random bytes in URL-safe base64; ``#`` starts a comment.
Rotating appends a key, which signs from then on; the earlier keys stay, so that every receipt
and statement they signed still verifies. The file is written whole (a temporary file renamed
over it) and readable by its owner only.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ID = re.compile(r"[0-9]{8}-[0-9a-f]{4}")
HEADER = (
    "# consult receipt keys: '<id> <secret>', one a line; the last one signs, all of them verify.\n"
    "# Keep every key as long as a receipt or statement it signed may be checked; back it up.\n"
)


class BadKeyFile(ValueError):
    """The key file has a line that is not ``<id> <secret>``, or an id twice."""


class NoKey(LookupError):
    """The key file is missing or holds no key."""


@dataclass(frozen=True)
class Key:
    id: str
    secret: bytes = b""

    def __repr__(self) -> str:  # never print a secret by accident
        return f"Key({self.id!r})"


@dataclass(frozen=True)
class Keyring:
    keys: tuple[Key, ...] = ()

    @property
    def current(self) -> Key:
        """The key that signs (the newest)."""
        if not self.keys:
            raise NoKey
        return self.keys[-1]

    def secret(self, key_id: str) -> bytes | None:
        return next((k.secret for k in self.keys if k.id == key_id), None)


def parse(text: str) -> Keyring:
    keys: list[Key] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2 or not ID.fullmatch(parts[0]):
            raise BadKeyFile(f"line {number}: expected '<id> <secret>'")
        try:
            secret = base64.b64decode(parts[1].encode(), altchars=b"-_", validate=True)
        except ValueError as error:
            raise BadKeyFile(f"line {number}: the secret is not base64") from error
        if len(secret) < 32:
            raise BadKeyFile(f"line {number}: the secret is shorter than 32 bytes")
        if any(k.id == parts[0] for k in keys):
            raise BadKeyFile(f"line {number}: the id {parts[0]} appears twice")
        keys.append(Key(parts[0], secret))
    return Keyring(tuple(keys))


def dump(ring: Keyring) -> str:
    lines = (f"{k.id} {base64.urlsafe_b64encode(k.secret).decode()}\n" for k in ring.keys)
    return HEADER + "".join(lines)


def new_key(ring: Keyring, now: datetime) -> Key:
    """A fresh random key whose id is not yet in ``ring``."""
    while True:
        key = Key(f"{now:%Y%m%d}-{secrets.token_hex(2)}", secrets.token_bytes(32))
        if ring.secret(key.id) is None:
            return key


def read(path: Path) -> Keyring:
    """The keys in ``path``; none when the file does not exist."""
    try:
        return parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Keyring()


def rotate(path: Path, now: datetime) -> Key:
    """Append a new signing key to the file (creating it, owner-only) and return it."""
    ring = read(path)
    key = new_key(ring, now)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".receipt-keys-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(dump(Keyring((*ring.keys, key))))
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return key

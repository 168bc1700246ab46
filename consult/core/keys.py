"""The application's receipt keys, read from the key file (``consult keys rotate`` writes it).

The file is read again whenever it changes, so a rotation takes effect in running workers at
their next receipt. Receipts from before key ids (no id stored) were keyed with ``SECRET_KEY``
and verify with it while it stays the same.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

from consult.config import receipt_keys_path
from consult.core import clock
from consult.core.keyfile import Key, Keyring, read, rotate

_EXTENSION = "consult.keys"


def path() -> Path:
    """The key file: ``RECEIPT_KEYS_FILE``, else :func:`consult.config.receipt_keys_path`
    (its path made once per setting, not made again from it on every receipt)."""
    chosen = current_app.config.get("RECEIPT_KEYS_FILE")
    return Path(chosen) if chosen else receipt_keys_path()


def keyring() -> Keyring:
    """The keys of the file, created with a first key outside production."""
    where = path()
    try:
        stat = os.stat(where)
    except FileNotFoundError:
        if not current_app.config.get("RECEIPT_KEYS_CREATE", False):
            return Keyring()
        rotate(where, clock.now())
        stat = os.stat(where)
    stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = current_app.extensions.get(_EXTENSION)
    if cached is None or cached[0] != (where, stamp):
        cached = ((where, stamp), read(where))
        current_app.extensions[_EXTENSION] = cached
    return cached[1]


def signing_key() -> Key:
    """The key new receipts and statements are signed with (raises ``NoKey`` without one)."""
    return keyring().current


def verification_keys() -> dict[str | None, bytes]:
    """Every key that may have signed a stored receipt, by id (``None``: before key ids)."""
    keys: dict[str | None, bytes] = {k.id: k.secret for k in keyring().keys}
    keys[None] = str(current_app.config["SECRET_KEY"]).encode()
    return keys

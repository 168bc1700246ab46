"""Files of documents on disk, outside the database, each named by the SHA-256 of its bytes.

A file is written to a temporary name in the same folder, flushed to disk, checked (size and
content), then renamed to its digest: a name in the store always holds a complete file, and
it exists before any database row points to it. A failed upload leaves nothing behind; a row
refused after the file was stored leaves an unreferenced file, never a row without its file.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import current_app

from consult.documents.content import CHUNK, FileType, Issue, Limits, Refused, sniff

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class StorageFailed(Exception):
    """The server could not write the file: ``reason`` is ``disk_full`` or ``unwritable``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    file_type: FileType


def root() -> Path:
    """The folder of the store: ``DOCUMENTS_DIR``, else ``documents`` in the instance folder."""
    configured = current_app.config.get("DOCUMENTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "documents"


def max_bytes() -> int:
    return int(current_app.config["DOCUMENT_MAX_BYTES"])


def is_digest(value: str) -> bool:
    return bool(_DIGEST.match(value))


def path_of(sha256: str) -> Path:
    """Where the file of ``sha256`` lives (``ab/abcdef…``)."""
    if not is_digest(sha256):
        raise ValueError("not a SHA-256 digest")
    return root() / sha256[:2] / sha256


def exists(sha256: str) -> bool:
    return is_digest(sha256) and path_of(sha256).is_file()


def _write(target: IO[bytes], chunk: bytes) -> None:
    """One write to the temporary file (a seam for tests that simulate a full disk)."""
    target.write(chunk)


def _reason(error: OSError) -> str:
    return "disk_full" if error.errno in (errno.ENOSPC, errno.EDQUOT) else "unwritable"


def store(stream: IO[bytes], limits: Limits | None = None) -> Stored:
    """Copy ``stream`` into the store, refusing an empty, over-limit or unaccepted file
    (:class:`~consult.documents.content.Refused`) or failing with :class:`StorageFailed`."""
    limit = max_bytes()
    incoming = root() / "incoming"
    try:
        incoming.mkdir(parents=True, exist_ok=True)
        _sweep(incoming)
        handle, name = tempfile.mkstemp(dir=incoming, prefix="upload-")
    except OSError as error:
        raise StorageFailed(_reason(error)) from error
    temporary = Path(name)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(handle, "w+b") as target:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise Refused(Issue.TOO_LARGE)
                digest.update(chunk)
                _write(target, chunk)
            target.flush()
            os.fsync(target.fileno())
            file_type = sniff(target, size, limits or Limits())
        sha256 = digest.hexdigest()
        final = path_of(sha256)
        final.parent.mkdir(exist_ok=True)
        if final.is_file() and sha256_of(final) == sha256:  # a damaged copy is replaced
            temporary.unlink()
        else:
            os.replace(temporary, final)
            _sync_folder(final.parent)
        return Stored(sha256, size, file_type)
    except OSError as error:
        raise StorageFailed(_reason(error)) from error
    finally:
        temporary.unlink(missing_ok=True)


def _sweep(incoming: Path) -> None:
    """Remove what an upload interrupted by a crash left behind (older than a day)."""
    day_ago = time.time() - 24 * 3600
    for left in incoming.glob("upload-*"):
        with contextlib.suppress(OSError):
            if left.stat().st_mtime < day_ago:
                left.unlink()


def store_file(path: Path) -> Stored:
    """Store a file from the local disk (the command-line import)."""
    with path.open("rb") as stream:
        return store(stream)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (where the platform allows opening a folder)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    finally:
        os.close(handle)

"""What an uploaded file is, judged by its bytes rather than its name, and a safe name for it
(pure: no Flask, no database).

Four types are accepted: PDF, Word (DOCX), Excel (XLSX) and OpenDocument text (ODT).

- PDF: the file starts with ``%PDF-`` and ends (within its last 4 KB) with ``%%EOF``.
- DOCX, XLSX and ODT are zip archives. ODT names its type in a first, stored entry
  ``mimetype``; DOCX and XLSX declare their main part in ``[Content_Types].xml`` and hold
  ``word/document.xml`` or ``xl/workbook.xml``. Macro-enabled and template variants are not
  accepted.
- An archive is refused as a *zip bomb* when its entries, as declared or as actually
  unpacked (the check unpacks as a stream and stops at the limit), would exceed
  :attr:`Limits.unpacked_max` in total, when one sizeable entry unpacks more than
  :attr:`Limits.ratio_max` times its packed size, when it has more than
  :attr:`Limits.entries_max` entries, or when entries overlap (one packed stream counted
  several times). Encrypted or damaged archives are refused too.

Anything else (an executable or an HTML page renamed ``.pdf``, say) is refused.
"""

from __future__ import annotations

import enum
import itertools
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileType:
    code: str
    mimetype: str
    extension: str


PDF = FileType("pdf", "application/pdf", ".pdf")
DOCX = FileType(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
)
XLSX = FileType(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
)
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", ".odt")
TYPES = {t.code: t for t in (PDF, DOCX, XLSX, ODT)}

_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


class Issue(enum.StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_ALLOWED = "not_allowed"
    DAMAGED = "damaged"
    ZIP_BOMB = "zip_bomb"
    ENCRYPTED = "encrypted"


class Refused(Exception):
    """The file is not one we accept; ``issue`` says why."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.value)
        self.issue = issue


@dataclass(frozen=True)
class Limits:
    #: Total unpacked size of an archive.
    unpacked_max: int = 256 * 1024 * 1024
    #: Unpacked / packed size of one entry (XML compresses about 10 to 30 times).
    ratio_max: int = 200
    #: Entries smaller than this unpacked are never judged by their ratio.
    ratio_floor: int = 1024 * 1024
    entries_max: int = 10_000
    #: The largest ``[Content_Types].xml`` or ``mimetype`` entry read.
    manifest_max: int = 1024 * 1024


def sniff(stream: IO[bytes], size: int, limits: Limits = Limits()) -> FileType:
    """The type of the ``size`` bytes of ``stream`` (seekable), or :class:`Refused`."""
    if size <= 0:
        raise Refused(Issue.EMPTY)
    stream.seek(0)
    head = stream.read(8)
    if head.startswith(b"%PDF-"):
        stream.seek(max(0, size - 4096))
        if b"%%EOF" not in stream.read(4096):
            raise Refused(Issue.DAMAGED)
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _archive(stream, size, limits)
    raise Refused(Issue.NOT_ALLOWED)


def _archive(stream: IO[bytes], size: int, limits: Limits) -> FileType:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            _check_declared(entries, size, limits)
            found = _identify(archive, entries, limits)
            _check_unpacked(archive, entries, limits)
            return found
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError) as error:
        raise Refused(Issue.DAMAGED) from error
    except NotImplementedError as error:  # a compression method zipfile does not know
        raise Refused(Issue.NOT_ALLOWED) from error


def _check_declared(entries: list[zipfile.ZipInfo], size: int, limits: Limits) -> None:
    if not entries:
        raise Refused(Issue.DAMAGED)
    if len(entries) > limits.entries_max:
        raise Refused(Issue.ZIP_BOMB)
    if any(e.flag_bits & 0x1 for e in entries):
        raise Refused(Issue.ENCRYPTED)
    if sum(e.file_size for e in entries) > limits.unpacked_max:
        raise Refused(Issue.ZIP_BOMB)
    for e in entries:
        if _too_packed(e.file_size, e.compress_size, limits):
            raise Refused(Issue.ZIP_BOMB)
    # Each entry's local header and data must end before the next entry starts.
    spans = sorted(entries, key=lambda e: e.header_offset)
    for entry, following in itertools.pairwise(spans):
        if _end(entry) > following.header_offset:
            raise Refused(Issue.ZIP_BOMB)
    if _end(spans[-1]) > size:
        raise Refused(Issue.DAMAGED)


def _end(entry: zipfile.ZipInfo) -> int:
    """Where an entry's local header and packed data end, at the least."""
    encoding = "utf-8" if entry.flag_bits & 0x800 else "cp437"
    name = entry.orig_filename.encode(encoding, errors="replace")
    return entry.header_offset + 30 + len(name) + entry.compress_size


def _too_packed(unpacked: int, packed: int, limits: Limits) -> bool:
    return unpacked > limits.ratio_floor and unpacked > max(packed, 1) * limits.ratio_max


def _read_capped(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, cap: int) -> bytes:
    with archive.open(entry) as f:
        data = f.read(cap + 1)
    if len(data) > cap:
        raise Refused(Issue.DAMAGED)
    return data


def _identify(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], limits: Limits) -> FileType:
    first = entries[0]
    if first.filename == "mimetype":
        if _read_capped(archive, first, 200).strip() == ODT.mimetype.encode():
            return ODT
        raise Refused(Issue.NOT_ALLOWED)
    by_name = {e.filename: e for e in entries}
    manifest = by_name.get("[Content_Types].xml")
    if manifest is None:
        raise Refused(Issue.NOT_ALLOWED)
    types = _read_capped(archive, manifest, limits.manifest_max)
    if _DOCX_MAIN in types and "word/document.xml" in by_name:
        return DOCX
    if _XLSX_MAIN in types and "xl/workbook.xml" in by_name:
        return XLSX
    raise Refused(Issue.NOT_ALLOWED)


def _check_unpacked(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], limits: Limits
) -> None:
    """Unpack every entry as a stream, whatever sizes the archive declares, and stop as soon as
    the total or one entry's ratio goes beyond the limits (this also checks every CRC)."""
    total = 0
    for entry in entries:
        unpacked = 0
        with archive.open(entry) as f:
            while chunk := f.read(CHUNK):
                unpacked += len(chunk)
                total += len(chunk)
                if total > limits.unpacked_max or _too_packed(
                    unpacked, entry.compress_size, limits
                ):
                    raise Refused(Issue.ZIP_BOMB)


# Names ---------------------------------------------------------------------------------------

#: Characters that file systems or the Content-Disposition header handle badly.
_UNSAFE = re.compile(r'[<>:"/\\|?*;]')
_SPACES = re.compile(r"\s+")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}
#: Unicode categories dropped from names: controls (NUL, line breaks, ANSI escapes), format
#: characters (right-to-left marks and overrides, zero-width spaces), surrogates, private use
#: and unassigned code points.
_DROPPED = {"Cc", "Cf", "Cs", "Co", "Cn"}
NAME_MAX = 100


def clean_name(name: str, file_type: FileType, max_chars: int = NAME_MAX) -> str:
    """A name to store and offer for download: the last part of ``name`` without folders,
    invisible or control characters, at most ``max_chars`` characters before the extension
    of the type the content really has (``Note.exe`` holding a PDF becomes ``Note.pdf``)."""
    base = re.split(r"[/\\]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c) not in _DROPPED)
    base = _SPACES.sub(" ", _UNSAFE.sub(" ", base)).strip(" .")
    stem = _SUFFIX.sub("", base).strip(" .")
    stem = stem[:max_chars].rstrip(" .")
    if stem.casefold() in _RESERVED:
        stem = f"_{stem}"
    return (stem or "document") + file_type.extension

"""The ``documents`` section of a consultation in YAML: references to files, not the files
(pure).

::

    documents:
      - kind: note                      # note (at most one) or annex
        title: {en: ..., fr: ...}       # optional
        files:                          # oldest first; a later file of a language
          - language: en                #   supersedes the earlier one
            name: IC-2010-1_en.pdf
            sha256: 3a7bd3e2360a3d…     # the SHA-256 of the file's bytes
          - language: fr
            name: IC-2010-1_fr.pdf
            sha256: 9c56cc51b374c3…
            note: Paragraph 4 corrected. # why this version replaced the one before

The files themselves travel beside the YAML (``consult consultations import --files DIR``
finds each by its name or by its digest) or are already in the server's store.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from consult.config import LANGUAGES
from consult.consultations.document import DocError, Text

KINDS = ("note", "annex")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
NAME_MAX = 200
NOTE_MAX = 1000
TITLE_MAX = 300

Line = Callable[..., int | None]


@dataclass(frozen=True)
class FileRef:
    language: str
    name: str
    sha256: str
    note: str = ""


@dataclass(frozen=True)
class DocumentRef:
    kind: str
    title: Text
    files: tuple[FileRef, ...]


def _plain(value: str) -> bool:
    """No control or invisible formatting characters."""
    return not any(unicodedata.category(c) in {"Cc", "Cf", "Cs"} for c in value)


class _Reader:
    def __init__(self, line: Line) -> None:
        self.line = line
        self.errors: list[DocError] = []

    def error(self, path: tuple[str | int, ...], message: str) -> None:
        where = "documents" + "".join(f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in path)
        self.errors.append(DocError(self.line("documents", *path), f"{where}: {message}"))

    def mapping(
        self, value: Any, path: tuple[str | int, ...], allowed: set[str]
    ) -> Mapping[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, "expected a mapping of fields")
            return None
        for key in value:
            if key not in allowed:
                self.error((*path, str(key)), "unknown field")
        return value

    def string(
        self, value: Any, path: tuple[str | int, ...], limit: int, *, required: bool = False
    ) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(path, "expected a text")
            return ""
        text = unicodedata.normalize("NFC", value.strip())
        if required and not text:
            self.error(path, "required")
        elif len(text) > limit:
            self.error(path, f"keep it to {limit} characters")
        elif not _plain(text.replace("\n", "")):
            self.error(path, "contains control or invisible characters")
        return text

    def title(self, value: Any, path: tuple[str | int, ...]) -> Text:
        if value is None or isinstance(value, str):
            return Text(self.string(value, path, TITLE_MAX))
        if not isinstance(value, dict):
            self.error(path, "expected a text, or a mapping with en, fr and es")
            return Text()
        out = {}
        for lang, text in value.items():
            if lang not in LANGUAGES:
                self.error((*path, str(lang)), "unknown language (use en, fr or es)")
                continue
            out[lang] = self.string(text, (*path, lang), TITLE_MAX)
        return Text(out.get("en", ""), out.get("fr", ""), out.get("es", ""))


def read(value: Any, line: Line) -> tuple[list[DocumentRef], list[DocError]]:
    """The documents of a ``documents`` value, and every problem (``line(*path)`` gives the
    line of a path inside the consultation, as :meth:`ConsultationDoc.line` does)."""
    r = _Reader(line)
    if value is None:
        return [], []
    if not isinstance(value, list):
        r.error((), "expected a list of documents")
        return [], r.errors
    documents: list[DocumentRef] = []
    notes = 0
    for i, item in enumerate(value):
        data = r.mapping(item, (i,), {"kind", "title", "files"})
        if data is None:
            continue
        kind = data.get("kind", "annex")
        if kind not in KINDS:
            r.error((i, "kind"), "expected note or annex")
        elif kind == "note":
            notes += 1
            if notes > 1:
                r.error((i, "kind"), "a consultation has one discussion note; make this an annex")
        listed = data.get("files")
        if not isinstance(listed, list) or not listed:
            r.error((i, "files"), "expected a list of files (at least one)")
            listed = []
        files = [_file(r, (i, "files", j), f) for j, f in enumerate(listed)]
        documents.append(
            DocumentRef(
                str(kind),
                r.title(data.get("title"), (i, "title")),
                tuple(f for f in files if f is not None),
            )
        )
    return documents, r.errors


def _file(r: _Reader, path: tuple[str | int, ...], value: Any) -> FileRef | None:
    data = r.mapping(value, path, {"language", "name", "sha256", "note"})
    if data is None:
        return None
    language = data.get("language")
    if language not in LANGUAGES:
        r.error((*path, "language"), "expected en, fr or es")
    name = r.string(data.get("name"), (*path, "name"), NAME_MAX, required=True)
    if name and ("/" in name or "\\" in name or name.startswith(".")):
        r.error((*path, "name"), "a file name, without folders")
    sha256 = data.get("sha256")
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        r.error((*path, "sha256"), "expected the SHA-256 of the file (64 hexadecimal digits)")
        sha256 = ""
    note = r.string(data.get("note"), (*path, "note"), NOTE_MAX)
    return FileRef(str(language), name, sha256, note)


def _text_value(text: Text) -> Any:
    if not text.fr and not text.es:
        return text.en
    return {lang: getattr(text, lang) for lang in LANGUAGES if getattr(text, lang)}


def to_data(documents: list[DocumentRef]) -> list[dict[str, Any]]:
    """Plain data for the ``documents`` key, keys in a fixed order."""
    out: list[dict[str, Any]] = []
    for d in documents:
        item: dict[str, Any] = {"kind": d.kind}
        if d.title.en or d.title.fr or d.title.es:
            item["title"] = _text_value(d.title)
        item["files"] = [
            {
                "language": f.language,
                "name": f.name,
                "sha256": f.sha256,
                **({"note": f.note} if f.note else {}),
            }
            for f in d.files
        ]
        out.append(item)
    return out

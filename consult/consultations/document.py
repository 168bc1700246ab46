"""Consultations written as YAML: reading with line-precise errors, and writing (pure).

A file holds one consultation (a mapping with ``slug``) or several (``consultations:`` and a
list). Every translatable text is either a plain string (English only) or a mapping
``{en: ..., fr: ..., es: ...}``. Times are absolute, ISO 8601 with their offset
(``2009-12-15T18:00:00+01:00``); the demo may instead give ``opens_in_days`` and
``closes_in_days``, relative to when it is loaded. The whole file is checked before anything
is written, and every error names its line. Anchors and aliases are refused (they let a small
file expand into a huge one).

:func:`dump` writes what :func:`read` reads, in a fixed order, so that dump → import → dump
gives the same text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from consult.config import LANGUAGES, TRANSLATIONS
from consult.consultations import checks, kinds
from consult.consultations.checks import Problem
from consult.consultations.enums import TallyMethod
from consult.consultations.kinds import QuestionShape
from consult.consultations.kinds.number import canonical, read_number
from consult.core import collector
from consult.core.text import Text as Text  # re-exported: documents read texts from here

STATUSES = ("draft", "open", "closed", "published")
OBSERVERS = ("nothing", "comment", "vote")
KINDS = kinds.names()
METHODS = tuple(m.value for m in TallyMethod)
MAX_BYTES = 2 * 1024 * 1024

Path = tuple[str | int, ...]
Describe = Callable[[Problem], str]


@dataclass(frozen=True)
class OptionDoc:
    label: Text
    description: Text = Text()
    suggested_by: tuple[str, ...] = ()
    merged_from: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class QuestionDoc:
    kind: str
    prompt: Text
    help: Text = Text()
    required: bool = False
    #: Every setting (see ``kinds.normalised``): the kind's as read, the others at defaults.
    settings: Mapping[str, Any] = field(default_factory=dict)
    options: tuple[OptionDoc, ...] = ()

    def __getattr__(self, name: str) -> Any:
        """A setting by name, e.g. ``doc.official_method``."""
        if name in kinds.SETTINGS:
            return self.settings.get(name, kinds.default_of(name))
        raise AttributeError(name)

    def shape(self) -> QuestionShape:
        return QuestionShape(
            kind=self.kind,
            prompt=self.prompt.en,
            options=tuple(o.label.en for o in self.options),
            settings=self.settings,
        )


@dataclass(frozen=True)
class Selection:
    """Options the outcome selects in one question, by their numbers (1-based)."""

    question: int
    options: tuple[int, ...]


@dataclass(frozen=True)
class ClosedEarly:
    """Closed by hand before ``deadline`` (``closes_at`` is then the closing time), and why."""

    deadline: datetime
    reason: Text


@dataclass(frozen=True)
class ErratumDoc:
    """A correction of the published outcome: when, why, the text before and after."""

    corrected_at: datetime
    reason: Text
    before: Text
    after: Text


@dataclass(frozen=True)
class ConsultationDoc:
    slug: str
    title: Text
    closes_at: datetime
    opens_at: datetime | None = None
    reference: str = ""
    summary: Text = Text()
    status: str = "draft"
    observers_may: str = "comment"
    results_attributed: bool = False
    #: ``None`` = every member state; otherwise the codes of the members invited.
    invite: tuple[str, ...] | None = None
    invite_observers: bool = True
    parent: str | None = None
    outcome: Text = Text()
    #: The options the Administration selected, and why they depart from the count (if so).
    outcome_selected: tuple[Selection, ...] = ()
    outcome_reason: Text = Text()
    rationale: Text = Text()
    closed_early: ClosedEarly | None = None
    published_at: datetime | None = None
    #: Corrections of the published outcome, oldest first.
    errata: tuple[ErratumDoc, ...] = ()
    questions: tuple[QuestionDoc, ...] = ()
    #: Keys the caller allowed beyond the format (the demo's ``answers``).
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: Lines of the source, by path inside this consultation (empty when read from data).
    lines: Mapping[Path, int] = field(default_factory=dict, compare=False, repr=False)

    def line(self, *path: str | int) -> int | None:
        """The line of ``path`` (or of its nearest parent) in the source file."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


@dataclass(frozen=True)
class DocError:
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class DocumentInvalid(Exception):
    """The document has errors; nothing was written."""

    def __init__(self, errors: list[DocError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


# Parsing -------------------------------------------------------------------------------------


def load(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse YAML text into plain data and the line of every key and list item."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise DocumentInvalid([DocError(None, f"the file is larger than {MAX_BYTES} bytes")])
    try:
        with collector.paused():  # the node tree lives until the lines are read from it
            return _data_and_lines(*_compose(text))
    except (yaml.YAMLError, _Refused):
        return _data_and_lines(*_compose_to_word_errors(text))


def _data_and_lines(node: yaml.Node | None, data: Any) -> tuple[Any, dict[Path, int]]:
    lines: dict[Path, int] = {}
    if node is not None:
        _index(node, (), lines)
    return data, lines


class _Refused(Exception):
    """An anchor or an alias (worded by :func:`_compose_to_word_errors`)."""


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing an anchor or an alias at the node that has it."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


def _compose(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for the lines) and the data of a valid file, parsed once: the time of an
    import of many consultations grows with the file and nothing else."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _compose_to_word_errors(text: str) -> tuple[yaml.Node | None, Any]:
    """The file's first problem as :class:`DocumentInvalid`: an anchor or an alias anywhere in
    the stream, or the parser's error with its line. Slower than :func:`_compose` (the text is
    read three times), so only for a file that it refused."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1 if event.start_mark else None
                raise DocumentInvalid([DocError(line, "anchors and aliases are not supported")])
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        raise DocumentInvalid([DocError(line, f"not valid YAML: {error.problem}")]) from error
    except yaml.YAMLError as error:
        raise DocumentInvalid([DocError(None, f"not valid YAML: {error}")]) from error
    return node, data


def _index(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = (*path, key.value)
                lines[child] = key.start_mark.line + 1
                _index(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            child = (*path, i)
            lines[child] = item.start_mark.line + 1
            _index(item, child, lines)


# Reading -------------------------------------------------------------------------------------

COMMON_KEYS = {"kind", "prompt", "help", "required"} | {s.name for s in kinds.COMMON}


def kind_keys(kind: str) -> set[str]:
    """The YAML keys of a question of ``kind``: its settings, and ``options`` if it has any."""
    k = kinds.get(kind)
    return {s.name for s in k.settings} | ({"options"} if k.has_options else set())


CONSULTATION_KEYS = {
    "slug",
    "title",
    "reference",
    "summary",
    "status",
    "opens_at",
    "closes_at",
    "opens_in_days",
    "closes_in_days",
    "observers_may",
    "results_attributed",
    "invite",
    "invite_observers",
    "parent",
    "outcome",
    "outcome_selected",
    "outcome_reason",
    "rationale",
    "closed_early",
    "published_at",
    "errata",
    "questions",
}
OPTION_KEYS = {"label", "description", "suggested_by", "merged_from"}


class _Reader:
    """Collects errors while turning plain data into documents."""

    def __init__(self, lines: Mapping[Path, int], describe: Describe) -> None:
        self.lines = lines
        self.describe = describe
        self.errors: list[DocError] = []

    def line(self, path: Path) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())

    def error(self, path: Path, message: str) -> None:
        self.errors.append(DocError(self.line(path), f"{_name(path)}: {message}"))

    def problem(self, base: Path, problem: Problem) -> None:
        parts: list[str | int] = []
        for part in problem.field.split("."):
            parts.append(int(part) - 1 if part.isdigit() else part)
        path = (*base, *parts)
        self.errors.append(DocError(self.line(path), f"{_name(path)}: {self.describe(problem)}"))

    def mapping(self, value: Any, path: Path, allowed: Iterable[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, "expected a mapping of fields")
            return None
        allowed = set(allowed)
        for key in value:
            if not isinstance(key, str) or key not in allowed:
                self.error((*path, str(key)), "unknown field")
        return value

    def text(self, value: Any, path: Path, kind: str, *, required: bool = False) -> Text:
        if value is None:
            value = ""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            value = {"en": str(value)}
        if not isinstance(value, dict):
            self.error(path, "expected a text, or a mapping with en, fr and es")
            return Text()
        before = len(self.errors)
        out: dict[str, str] = {}
        for key, variant in value.items():
            if key not in LANGUAGES:
                self.error((*path, str(key)), "unknown language (use en, fr or es)")
                continue
            if variant is not None and not isinstance(variant, str):
                self.error((*path, key), "expected a text")
                continue
            cleaned, problems = checks.clean(variant, _name(path), kind)
            for p in problems:
                self.error((*path, key), self.describe(p))
            out[key] = cleaned
        if required and not out.get("en") and len(self.errors) == before:
            self.error(path, self.describe(Problem(_name(path), checks.Issue.REQUIRED)))
        return Text(out.get("en", ""), out.get("fr", ""), out.get("es", ""))

    def string(self, value: Any, path: Path, kind: str) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(path, "expected a text")
            return ""
        cleaned, problems = checks.clean(value, _name(path), kind)
        for p in problems:
            self.error(path, self.describe(p))
        return cleaned

    def flag(self, value: Any, path: Path, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(path, "expected true or false")
            return default
        return value

    def number(self, value: Any, path: Path) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, "expected a whole number")
            return None
        if abs(value) > 1_000_000:
            self.error(path, "the number is too large")
            return None
        return value

    def choice(self, value: Any, path: Path, allowed: tuple[str, ...], default: str) -> str:
        if value is None:
            return default
        if value not in allowed:
            self.error(path, f"expected one of {', '.join(allowed)}")
            return default
        return str(value)

    def moment(self, value: Any, path: Path) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                self.error(path, "expected a date and time such as 2009-12-15T18:00:00+01:00")
                return None
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                self.error(path, "give the time with its offset, e.g. 2009-12-15T18:00:00+01:00")
                return None
            return value.astimezone(UTC)
        if isinstance(value, date):
            self.error(path, "give a time as well as a date, e.g. 2009-12-15T18:00:00+01:00")
            return None
        self.error(path, "expected a date and time such as 2009-12-15T18:00:00+01:00")
        return None

    def codes(self, value: Any, path: Path) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(path, "expected a list of member codes")
            return ()
        out: list[str] = []
        for i, code in enumerate(value):
            if not isinstance(code, str) or not code.strip() or len(code) > 10:
                self.error((*path, i), "expected a member code such as CHE")
                continue
            if code.strip().upper() in out:
                self.error((*path, i), f"{code} is listed twice")
                continue
            out.append(code.strip().upper())
        return tuple(out)


def _join(path: Path, *parts: str | int) -> Path:
    return (*path, *parts)


def _name(path: Path) -> str:
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part + 1}]")
        else:
            parts.append(("." if parts else "") + part)
    return "".join(parts) or "document"


def read(
    data: Any,
    lines: Mapping[Path, int] | None = None,
    *,
    describe: Describe,
    now: datetime | None = None,
    extra_keys: Iterable[str] = (),
) -> list[ConsultationDoc]:
    """Documents described by ``data`` (from :func:`load`, or plain Python data).

    ``now`` allows the demo's relative times (``opens_in_days``, ``closes_in_days``);
    ``extra_keys`` are kept aside in :attr:`ConsultationDoc.extra`. Raises
    :class:`DocumentInvalid` with every error found.
    """
    reader = _Reader(lines or {}, describe)
    items: list[tuple[Path, Any]]
    if isinstance(data, dict) and "consultations" in data:
        top = reader.mapping(data, (), {"consultations"})
        listed = top.get("consultations") if top else None
        if not isinstance(listed, list):
            reader.error(("consultations",), "expected a list of consultations")
            listed = []
        items = [(("consultations", i), item) for i, item in enumerate(listed)]
    elif isinstance(data, dict):
        items = [((), data)]
    else:
        reader.error((), "expected a consultation (a mapping with slug, title …)")
        items = []
    below = _lines_below(reader.lines, len(items[0][0]) if items else 0)
    docs = [
        _consultation(reader, path, item, now, set(extra_keys), below.get(path, {}))
        for path, item in items
    ]
    slugs: dict[str, Path] = {}
    for (path, _item), doc in zip(items, docs, strict=True):
        if doc is None:
            continue
        if doc.slug in slugs:
            reader.error((*path, "slug"), f"the slug {doc.slug} is used twice in this file")
        slugs[doc.slug] = path
    if reader.errors:
        raise DocumentInvalid(sorted(reader.errors, key=lambda e: e.line or 0))
    return [d for d in docs if d is not None]


def _lines_below(lines: Mapping[Path, int], depth: int) -> dict[Path, dict[Path, int]]:
    """The lines grouped by their path's first ``depth`` parts, each path relative to them: one
    pass over the file's lines for all the consultations (not one per consultation)."""
    groups: dict[Path, dict[Path, int]] = {}
    for path, line in lines.items():
        if len(path) >= depth:
            groups.setdefault(path[:depth], {})[path[depth:]] = line
    return groups


def _consultation(
    r: _Reader,
    path: Path,
    value: Any,
    now: datetime | None,
    extra_keys: set[str],
    lines: Mapping[Path, int],
) -> ConsultationDoc | None:
    data = r.mapping(value, path, CONSULTATION_KEYS | extra_keys)
    if data is None:
        return None
    slug = data.get("slug")
    if not isinstance(slug, str):
        r.error(_join(path, "slug"), "required (e.g. idm-2010-theme)")
        slug = ""
    else:
        for p in checks.check_slug(slug):
            r.problem(path, p)
    title = r.text(data.get("title"), _join(path, "title"), "title", required=True)
    opens_at, closes_at = _times(r, path, data, now)
    status = r.choice(data.get("status"), _join(path, "status"), STATUSES, "draft")
    invite_value = data.get("invite", "all")
    invite: tuple[str, ...] | None
    if invite_value == "all":
        invite = None
    elif isinstance(invite_value, list):
        invite = r.codes(invite_value, _join(path, "invite"))
    else:
        r.error(_join(path, "invite"), "expected all, or a list of member codes")
        invite = None
    outcome = r.text(data.get("outcome"), _join(path, "outcome"), "outcome")
    published_at = r.moment(data.get("published_at"), _join(path, "published_at"))
    if status == "published":
        if not outcome.en:
            r.error(_join(path, "status"), "a published consultation needs an outcome (in English)")
        if published_at is None and "published_at" not in data:
            r.error(_join(path, "status"), "a published consultation needs published_at")
    elif published_at is not None:
        r.error(_join(path, "published_at"), "only a published consultation has published_at")
    parent = data.get("parent")
    if parent is not None and not (isinstance(parent, str) and not checks.check_slug(parent)):
        r.error(_join(path, "parent"), "expected the slug of the parent consultation")
        parent = None
    questions_value = data.get("questions", [])
    if not isinstance(questions_value, list):
        r.error(_join(path, "questions"), "expected a list of questions")
        questions_value = []
    questions = [
        _question(r, _join(path, "questions", i), q, status) for i, q in enumerate(questions_value)
    ]
    _check_conditions(r, path, questions)
    if status != "draft" and not questions_value:
        r.error(_join(path, "questions"), "a consultation that is not a draft needs questions")
    reference = r.string(data.get("reference"), _join(path, "reference"), "reference")
    summary = r.text(data.get("summary"), _join(path, "summary"), "summary")
    observers_may = r.choice(
        data.get("observers_may"), _join(path, "observers_may"), OBSERVERS, "comment"
    )
    attributed = r.flag(data.get("results_attributed"), _join(path, "results_attributed"), False)
    invite_observers = r.flag(data.get("invite_observers"), _join(path, "invite_observers"), True)
    rationale = r.text(data.get("rationale"), _join(path, "rationale"), "rationale")
    selected = _selections(r, path, data.get("outcome_selected"), questions)
    outcome_reason = r.text(
        data.get("outcome_reason"), _join(path, "outcome_reason"), "outcome_reason"
    )
    for name, given in (("outcome_selected", selected), ("outcome_reason", outcome_reason.en)):
        if given and not outcome.en:
            r.error(_join(path, name), "only with an outcome (in English)")
    closed_early = _closed_early(r, path, data.get("closed_early"), status, closes_at)
    errata = _errata(r, path, data.get("errata"), status, published_at, outcome)
    if closes_at is None or not slug or r.errors:
        return None  # read() raises with every error found
    return ConsultationDoc(
        slug=slug,
        title=title,
        closes_at=closes_at,
        opens_at=opens_at,
        reference=reference,
        summary=summary,
        status=status,
        observers_may=observers_may,
        results_attributed=attributed,
        invite=invite,
        invite_observers=invite_observers,
        parent=parent,
        outcome=outcome,
        outcome_selected=selected,
        outcome_reason=outcome_reason,
        rationale=rationale,
        closed_early=closed_early,
        published_at=published_at,
        errata=errata,
        questions=tuple(q for q in questions if q is not None),
        extra={k: data[k] for k in extra_keys if k in data},
        lines=lines,
    )


def _selections(
    r: _Reader, path: Path, value: Any, questions: list[QuestionDoc | None]
) -> tuple[Selection, ...]:
    """``outcome_selected: [{question: 1, options: [2]}]``: options of questions that decide
    something (a ranking, a choose-N …), by their numbers, each question once."""
    where = _join(path, "outcome_selected")
    if value is None:
        return ()
    if not isinstance(value, list):
        r.error(where, "expected a list of {question: N, options: [N, …]}")
        return ()
    out: list[Selection] = []
    for i, item in enumerate(value):
        data = r.mapping(item, _join(where, i), {"question", "options"})
        if data is None:
            continue
        number = r.number(data.get("question"), _join(where, i, "question"))
        if number is None or not 1 <= number <= len(questions):
            r.error(_join(where, i, "question"), "expected the number of a question")
            continue
        target = questions[number - 1]
        if target is None:
            continue  # the question's own errors are reported
        if not kinds.get(target.kind).decides:
            r.error(_join(where, i, "question"), f"question {number} has no official result")
            continue
        if any(s.question == number for s in out):
            r.error(_join(where, i, "question"), f"question {number} is listed twice")
            continue
        options = data.get("options")
        if not isinstance(options, list) or not options:
            r.error(_join(where, i, "options"), "expected the numbers of the options selected")
            continue
        numbers: list[int] = []
        for j, option in enumerate(options):
            n = r.number(option, _join(where, i, "options", j))
            if n is None:
                continue
            if not 1 <= n <= len(target.options):
                r.error(_join(where, i, "options", j), f"question {number} has no option {n}")
            elif n in numbers:
                r.error(_join(where, i, "options", j), f"option {n} is listed twice")
            else:
                numbers.append(n)
        out.append(Selection(number, tuple(sorted(numbers))))
    return tuple(out)


def _closed_early(
    r: _Reader, path: Path, value: Any, status: str, closes_at: datetime | None
) -> ClosedEarly | None:
    """``closed_early: {deadline: …, reason: …}``: the deadline a closed consultation had when
    it was closed by hand (``closes_at`` being the closing time), and why."""
    where = _join(path, "closed_early")
    if value is None:
        return None
    data = r.mapping(value, where, {"deadline", "reason"})
    if data is None:
        return None
    if status not in ("closed", "published"):
        r.error(where, "only a closed or published consultation was closed early")
    deadline = r.moment(data.get("deadline"), _join(where, "deadline"))
    if deadline is None and "deadline" not in data:
        r.error(_join(where, "deadline"), "required: the deadline it had when it was closed")
    reason = r.text(data.get("reason"), _join(where, "reason"), "reason")
    if not reason.en:
        r.error(_join(where, "reason"), "required: why it was closed before its deadline")
    if deadline is not None and closes_at is not None and deadline <= closes_at:
        r.error(_join(where, "deadline"), "the deadline it had comes after closes_at")
    return ClosedEarly(deadline, reason) if deadline is not None and reason.en else None


def _errata(
    r: _Reader,
    path: Path,
    value: Any,
    status: str,
    published_at: datetime | None,
    outcome: Text,
) -> tuple[ErratumDoc, ...]:
    """``errata``: corrections of a published outcome, oldest first; the last one's text is
    the outcome."""
    where = _join(path, "errata")
    if value is None:
        return ()
    if not isinstance(value, list):
        r.error(where, "expected a list of corrections")
        return ()
    if value and status != "published":
        r.error(where, "only a published outcome is corrected by an erratum")
    out: list[ErratumDoc] = []
    for i, item in enumerate(value):
        at = _join(where, i)
        data = r.mapping(item, at, {"corrected_at", "reason", "before", "after"})
        if data is None:
            continue
        corrected_at = r.moment(data.get("corrected_at"), _join(at, "corrected_at"))
        if corrected_at is None and "corrected_at" not in data:
            r.error(_join(at, "corrected_at"), "required: when the outcome was corrected")
        texts = [
            r.text(data.get(name), _join(at, name), kind, required=True)
            for name, kind in (("reason", "reason"), ("before", "outcome"), ("after", "outcome"))
        ]
        if corrected_at is None:
            continue
        earlier = out[-1].corrected_at if out else published_at
        if earlier is not None and corrected_at < earlier:
            r.error(_join(at, "corrected_at"), "before the publication or the erratum above")
        out.append(ErratumDoc(corrected_at, *texts))
    if out and out[-1].after != outcome:
        r.error(_join(where, len(value) - 1, "after"), "the last correction's text is the outcome")
    return tuple(out)


def _times(
    r: _Reader, path: Path, data: Mapping[str, Any], now: datetime | None
) -> tuple[datetime | None, datetime | None]:
    relative = [k for k in ("opens_in_days", "closes_in_days") if k in data]
    if relative and now is None:
        for k in relative:
            r.error(
                _join(path, k), "relative times are only for the demo; give opens_at and closes_at"
            )
        return None, None
    opens_at = r.moment(data.get("opens_at"), _join(path, "opens_at"))
    closes_at = r.moment(data.get("closes_at"), _join(path, "closes_at"))
    for absolute, rel in (("opens_at", "opens_in_days"), ("closes_at", "closes_in_days")):
        if absolute in data and rel in data:
            r.error(_join(path, rel), f"give {absolute} or {rel}, not both")
    if now is not None:
        for key in relative:
            days = data[key]
            if isinstance(days, bool) or not isinstance(days, (int, float)) or abs(days) > 3650:
                r.error(_join(path, key), "expected a number of days")
                continue
            moment = (now + timedelta(days=days)).replace(second=0, microsecond=0)
            if key == "opens_in_days":
                opens_at = moment
            else:
                closes_at = moment
    if closes_at is None and "closes_at" not in data and "closes_in_days" not in data:
        r.error(_join(path, "closes_at"), "required: the deadline, e.g. 2009-12-15T18:00:00+01:00")
    elif closes_at is not None:
        for p in checks.check_schedule(opens_at, closes_at):
            r.problem(path, p)
    return opens_at, closes_at


def _setting(r: _Reader, path: Path, setting: kinds.Setting, value: Any) -> Any:
    """One setting of a question, read by its type."""
    where = _join(path, setting.name)
    match setting.type:
        case kinds.SettingType.FLAG:
            return r.flag(value, where, setting.default)
        case kinds.SettingType.COUNT:
            return r.number(value, where)
        case kinds.SettingType.LIMIT:
            number = r.number(value, where)
            return setting.default if number is None else number
        case kinds.SettingType.METHOD:
            return r.choice(value, where, METHODS, setting.default)
        case kinds.SettingType.DECIMAL:
            if value is None:
                return None
            decimal = None
            if isinstance(value, (int, float, str)) and not isinstance(value, bool):
                decimal = read_number(str(value))
            if decimal is None:
                r.error(where, "expected a number such as 10 or 2.5")
            return decimal
        case kinds.SettingType.TEXT:
            return r.text(value, where, "label")
        case kinds.SettingType.CONDITION:
            return _condition(r, where, value)
        case kinds.SettingType.QUESTION:
            return None if value is None else r.number(value, where)
        case kinds.SettingType.SCALE:
            if value is None:
                value = []
            if not isinstance(value, list):
                r.error(where, "expected a list of labels, from the lowest point to the highest")
                value = []
            return tuple(
                r.text(t, _join(where, i), "scale", required=True) for i, t in enumerate(value)
            )
    raise ValueError(setting.type)


def _condition(r: _Reader, where: Path, value: Any) -> dict[str, Any] | None:
    """``show_if: {question: 2, answers: [1, 3]}``: the number of an earlier question and the
    numbers of its options that show this one (checked against the questions later)."""
    if value is None:
        return None
    data = r.mapping(value, where, {"question", "answers"})
    if data is None:
        return None
    question = r.number(data.get("question"), _join(where, "question"))
    answers = data.get("answers")
    if question is None:
        r.error(_join(where, "question"), "expected the number of an earlier question")
    if not isinstance(answers, list) or not answers:
        r.error(_join(where, "answers"), "expected the numbers of the answers that show it")
        return None
    numbers: list[int] = []
    for i, answer in enumerate(answers):
        number = r.number(answer, _join(where, "answers", i))
        if number is not None and number not in numbers:
            numbers.append(number)
    if question is None or len(numbers) != len(answers):
        return None
    return {"question": question, "options": numbers}


def _check_conditions(r: _Reader, path: Path, questions: list[QuestionDoc | None]) -> None:
    """A condition names an earlier question that has options, and some of its options: so
    conditions never run in a circle."""
    for i, q in enumerate(questions):
        condition = q.settings.get("show_if") if q is not None else None
        if condition is None:
            continue
        where = _join(path, "questions", i, "show_if")
        number = condition["question"]
        if not 1 <= number <= i:
            r.error(_join(where, "question"), "a condition names an earlier question")
            continue
        target = questions[number - 1]
        if target is None:
            continue
        if not kinds.get(target.kind).conditions_name_options:
            r.error(_join(where, "question"), f"question {number} is not a choice or a ranking")
            continue
        for j, option in enumerate(condition["options"]):
            if not 1 <= option <= len(target.options):
                r.error(_join(where, "answers", j), f"question {number} has no answer {option}")
    for i, q in enumerate(questions):
        for setting in kinds.get(q.kind).settings if q is not None else ():
            number = q.settings.get(setting.name) if q is not None else None
            if setting.type is not kinds.SettingType.QUESTION or number is None:
                continue
            earlier = questions[number - 1] if 1 <= number <= i else None
            if earlier is None or not kinds.get(earlier.kind).has_options:
                where = _join(path, "questions", i, setting.name)
                r.error(where, "expected the number of an earlier question with options")


def _question(r: _Reader, path: Path, value: Any, status: str) -> QuestionDoc | None:
    kind = value.get("kind") if isinstance(value, dict) else None
    if kind not in KINDS:
        if isinstance(value, dict):
            r.error((*path, "kind"), f"expected one of {', '.join(KINDS)}")
        else:
            r.error(path, "expected a question (a mapping with kind, prompt …)")
        return None
    data = r.mapping(value, path, COMMON_KEYS | kind_keys(kind))
    if data is None:
        return None
    options_value = data.get("options", [])
    if not isinstance(options_value, list):
        r.error(_join(path, "options"), "expected a list of options")
        options_value = []
    options = [_option(r, _join(path, "options", i), o) for i, o in enumerate(options_value)]
    settings = {
        s.name: _setting(r, path, s, data.get(s.name))
        for s in (*kinds.COMMON, *kinds.get(kind).settings)
    }
    doc = QuestionDoc(
        kind=kind,
        prompt=r.text(data.get("prompt"), _join(path, "prompt"), "prompt", required=True),
        help=r.text(data.get("help"), _join(path, "help"), "help"),
        required=r.flag(data.get("required"), _join(path, "required"), False),
        settings=kinds.normalised(kind, settings),
        options=tuple(o for o in options if o is not None),
    )
    if len(doc.options) == len(options_value):
        prompt_missing = not doc.prompt.en
        for p in kinds.check_question(doc.shape(), for_opening=status != "draft"):
            if p.field == "prompt" and prompt_missing:
                continue  # already reported
            if p.field.startswith("options.") and p.issue is checks.Issue.REQUIRED:
                continue  # reported by the option
            r.problem(path, p)
    return doc


def _option(r: _Reader, path: Path, value: Any) -> OptionDoc | None:
    data = r.mapping(value, path, OPTION_KEYS)
    if data is None:
        return None
    merged = data.get("merged_from", [])
    merged_from: list[Mapping[str, Any]] = []
    if not isinstance(merged, list):
        r.error((*path, "merged_from"), "expected a list of absorbed options")
    else:
        for i, item in enumerate(merged):
            entry = r.mapping(item, (*path, "merged_from", i), {"label", "description"})
            if entry is None:
                continue
            label = r.text(entry.get("label"), (*path, "merged_from", i, "label"), "label")
            description = r.text(
                entry.get("description"), (*path, "merged_from", i, "description"), "description"
            )
            merged_from.append(_merged_entry(label, description))
    return OptionDoc(
        label=r.text(data.get("label"), (*path, "label"), "label", required=True),
        description=r.text(data.get("description"), (*path, "description"), "description"),
        suggested_by=r.codes(data.get("suggested_by"), (*path, "suggested_by")),
        merged_from=tuple(merged_from),
    )


def _merged_entry(label: Text, description: Text) -> dict[str, Any]:
    translations: dict[str, dict[str, str]] = {}
    for lang in TRANSLATIONS:
        for name, text in (("label", label), ("description", description)):
            if getattr(text, lang):
                translations.setdefault(lang, {})[name] = getattr(text, lang)
    return {"label": label.en, "description": description.en, "translations": translations}


# Writing -------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line texts as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _text_value(text: Text) -> Any:
    if not text.fr and not text.es:
        return text.en
    return {lang: getattr(text, lang) for lang in LANGUAGES if getattr(text, lang)}


def _moment(value: datetime, zone: str) -> str:
    return value.astimezone(ZoneInfo(zone)).isoformat()


def to_data(doc: ConsultationDoc, zone: str) -> dict[str, Any]:
    """Plain data for one consultation, keys in a fixed order, defaults written out."""
    out: dict[str, Any] = {"slug": doc.slug, "title": _text_value(doc.title)}
    if doc.reference:
        out["reference"] = doc.reference
    out["summary"] = _text_value(doc.summary)
    out["status"] = doc.status
    if doc.opens_at is not None:
        out["opens_at"] = _moment(doc.opens_at, zone)
    out["closes_at"] = _moment(doc.closes_at, zone)
    out["observers_may"] = doc.observers_may
    out["results_attributed"] = doc.results_attributed
    out["invite"] = "all" if doc.invite is None else list(doc.invite)
    out["invite_observers"] = doc.invite_observers
    if doc.parent:
        out["parent"] = doc.parent
    if doc.outcome.en or doc.outcome.fr or doc.outcome.es:
        out["outcome"] = _text_value(doc.outcome)
    if doc.outcome_selected:
        out["outcome_selected"] = [
            {"question": s.question, "options": list(s.options)} for s in doc.outcome_selected
        ]
    if not doc.outcome_reason.empty:
        out["outcome_reason"] = _text_value(doc.outcome_reason)
    if doc.rationale.en or doc.rationale.fr or doc.rationale.es:
        out["rationale"] = _text_value(doc.rationale)
    if doc.closed_early is not None:
        out["closed_early"] = {
            "deadline": _moment(doc.closed_early.deadline, zone),
            "reason": _text_value(doc.closed_early.reason),
        }
    if doc.published_at is not None:
        out["published_at"] = _moment(doc.published_at, zone)
    if doc.errata:
        out["errata"] = [
            {
                "corrected_at": _moment(e.corrected_at, zone),
                "reason": _text_value(e.reason),
                "before": _text_value(e.before),
                "after": _text_value(e.after),
            }
            for e in doc.errata
        ]
    out["questions"] = [_question_data(q) for q in doc.questions]
    out.update(doc.extra)  # sections kept by other packages (documents), after the fixed keys
    return out


def _setting_data(setting: kinds.Setting, value: Any) -> Any:
    if setting.type is kinds.SettingType.SCALE:
        return [_text_value(t) for t in value]
    if setting.type is kinds.SettingType.TEXT:
        return _text_value(value)
    if setting.type is kinds.SettingType.DECIMAL:
        return int(value) if value == value.to_integral_value() else canonical(value)
    if setting.type is kinds.SettingType.CONDITION:
        return {"question": value["question"], "answers": list(value["options"])}
    if setting.type is kinds.SettingType.METHOD:
        return str(value)
    return value


def _question_data(q: QuestionDoc) -> dict[str, Any]:
    """Common keys, then the kind's settings in the order it declares them (a whole number
    left empty is left out), then the options."""
    out: dict[str, Any] = {"kind": q.kind, "prompt": _text_value(q.prompt)}
    if q.help.en or q.help.fr or q.help.es:
        out["help"] = _text_value(q.help)
    out["required"] = q.required
    kind = kinds.get(q.kind)
    for setting in (*kinds.COMMON, *kind.settings):
        value = q.settings.get(setting.name, setting.default)
        if value is None or (setting.type is kinds.SettingType.TEXT and value.empty):
            continue
        out[setting.name] = _setting_data(setting, value)
    if kind.has_options:
        out["options"] = [_option_data(o) for o in q.options]
    return out


def _option_data(o: OptionDoc) -> dict[str, Any]:
    out: dict[str, Any] = {"label": _text_value(o.label)}
    if o.description.en or o.description.fr or o.description.es:
        out["description"] = _text_value(o.description)
    if o.suggested_by:
        out["suggested_by"] = list(o.suggested_by)
    if o.merged_from:
        out["merged_from"] = [
            {
                key: _text_value(
                    Text(
                        entry.get(key, ""),
                        entry.get("translations", {}).get("fr", {}).get(key, ""),
                        entry.get("translations", {}).get("es", {}).get(key, ""),
                    )
                )
                for key in ("label", "description")
                if entry.get(key)
            }
            for entry in o.merged_from
        ]
    return out


def dump(docs: list[ConsultationDoc], zone: str) -> str:
    """YAML for one consultation (a mapping) or several (``consultations:``)."""
    data: Any = (
        to_data(docs[0], zone)
        if len(docs) == 1
        else {"consultations": [to_data(d, zone) for d in docs]}
    )
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)

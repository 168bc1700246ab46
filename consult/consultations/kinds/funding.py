"""Funding intention: how much a member intends to give to the whole programme and/or to each
option (e.g. a workshop), in which ISO 4217 currency, firm or indicative, with a note.

Amounts are decimals kept exactly (stored as text, summed as ``Decimal``); totals are given per
option and per currency, never summed across currencies; observers' intentions are counted
apart (international organisations fund too, but they are not member states).
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar

import pycountry
from babel import Locale
from babel.numbers import get_currency_name, get_currency_precision

from consult.consultations.checks import Issue, Problem, check_labels
from consult.consultations.enums import QuestionKind
from consult.consultations.kinds.base import (
    N_,
    PROGRAMME,
    Cell,
    Code,
    Inputs,
    Labels,
    Pledge,
    QuestionAnswer,
    QuestionLike,
    QuestionShape,
    QuestionSpec,
    Reader,
    ResponseColumn,
    Setting,
    SettingType,
    Source,
)
from consult.consultations.kinds.base import funding_field as field_name
from consult.consultations.kinds.number import canonical
from consult.consultations.kinds.options import OPTIONS_FROM, OptionKind, answer_options

#: At most this many digits before the decimals (a thousand million million, less one).
MAX_DIGITS = 15
#: The longest note on an intention.
NOTE_LIMIT = 500
#: ISO 4217 codes that are not money one pledges: precious metals, bond-market units, fund
#: codes, testing and "no currency".
NOT_TENDER = frozenset(
    (
        *("XAD", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XPD", "XPT"),  # metals, units
        *("XSU", "XTS", "XUA", "XXX"),  # regional units, testing, no currency
        *("BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW"),  # fund codes
    )
)
#: Spaces that may group thousands ("12 500", with the spaces French and Spanish use).
_GROUP = "[ \u00a0\u202f\u2009]"
#: ASCII digits, grouped by spaces or not, then a point or a comma before the decimals.
_AMOUNT = re.compile(rf"(-?)([0-9]+|[0-9]{{1,3}}(?:{_GROUP}[0-9]{{3}})+)(?:[.,]([0-9]+))?")


class FundingCode:
    """Why a funding field was refused (worded in :data:`MESSAGES`)."""

    AMOUNT_NOT_A_NUMBER = "funding_amount_not_a_number"
    AMOUNT_NEGATIVE = "funding_amount_negative"
    AMOUNT_ZERO = "funding_amount_zero"
    AMOUNT_TOO_LARGE = "funding_amount_too_large"
    AMOUNT_PLACES = "funding_amount_places"
    AMOUNT_WHOLE = "funding_amount_whole"
    AMOUNT_MISSING = "funding_amount_missing"
    CURRENCY_MISSING = "funding_currency_missing"
    CURRENCY_UNKNOWN = "funding_currency_unknown"
    FIRMNESS_UNKNOWN = "funding_firmness_unknown"


MESSAGES: Mapping[str, str] = {
    FundingCode.AMOUNT_NOT_A_NUMBER: N_(
        "%(subject)s: write the amount in digits, with a point or a comma before the decimals "
        "(no exponent; spaces may group the thousands)."
    ),
    FundingCode.AMOUNT_NEGATIVE: N_("%(subject)s: an amount cannot be negative."),
    FundingCode.AMOUNT_ZERO: N_(
        "%(subject)s: write an amount above zero, or leave the amount empty."
    ),
    FundingCode.AMOUNT_TOO_LARGE: N_(
        "%(subject)s: the amount is too large (at most %(digits)s digits before the decimals)."
    ),
    FundingCode.AMOUNT_PLACES: N_(
        "%(subject)s: amounts in %(currency)s have at most %(places)s decimals."
    ),
    FundingCode.AMOUNT_WHOLE: N_("%(subject)s: amounts in %(currency)s have no decimals."),
    FundingCode.AMOUNT_MISSING: N_(
        "%(subject)s: write the amount this note is about, or clear the note."
    ),
    FundingCode.CURRENCY_MISSING: N_("%(subject)s: choose the currency of the amount."),
    FundingCode.CURRENCY_UNKNOWN: N_("%(subject)s: choose a currency from the list."),
    FundingCode.FIRMNESS_UNKNOWN: N_("%(subject)s: choose firm or indicative."),
}


# Currencies --------------------------------------------------------------------------------


@cache
def currencies() -> frozenset[str]:
    """The ISO 4217 codes one may pledge in (pycountry's list, less :data:`NOT_TENDER`)."""
    return frozenset(c.alpha_3 for c in pycountry.currencies if c.alpha_3 not in NOT_TENDER)


def places(currency: str) -> int:
    """How many decimals an amount in ``currency`` has (CLDR, as the amounts are shown)."""
    return int(get_currency_precision(currency))


@cache
def _pycountry_names(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso4217", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def currency_name(code: str, locale: str) -> str:
    """The currency's name in ``locale``: CLDR's (Babel), else pycountry's translated name."""
    name = str(get_currency_name(code, locale=Locale.parse(locale)))
    if name != code:
        return name
    found = pycountry.currencies.get(alpha_3=code)
    return _pycountry_names(locale).gettext(found.name) if found is not None else code


@cache
def currency_choices(locale: str) -> tuple[tuple[str, str], ...]:
    """``(code, "CHF — Swiss franc")`` for every currency, by code, names in ``locale``."""
    return tuple((c, f"{c} — {currency_name(c, locale)}") for c in sorted(currencies()))


# Amounts -----------------------------------------------------------------------------------


def read_amount(
    raw: str, currency: str | None
) -> tuple[Decimal | None, str | None, dict[str, Any]]:
    """``raw`` as an amount in ``currency``: (amount, None, {}) or (None, code, params).

    ASCII digits, thousands grouped by spaces or not, a point or a comma before at most the
    currency's decimals; no sign, exponent, NaN or infinity; above zero; at most
    :data:`MAX_DIGITS` digits before the decimals."""
    match = _AMOUNT.fullmatch(raw.strip())
    if match is None:
        return None, FundingCode.AMOUNT_NOT_A_NUMBER, {}
    sign, whole, decimals = match.groups()
    whole = re.sub(_GROUP, "", whole)
    decimals = decimals or ""
    amount = Decimal(f"{whole}.{decimals}" if decimals else whole)
    if sign and amount != 0:
        return None, FundingCode.AMOUNT_NEGATIVE, {}
    if len(whole.lstrip("0")) > MAX_DIGITS:
        return None, FundingCode.AMOUNT_TOO_LARGE, {"digits": MAX_DIGITS}
    if currency is not None and len(decimals) > places(currency):
        if places(currency) == 0:
            return None, FundingCode.AMOUNT_WHOLE, {"currency": currency}
        return None, FundingCode.AMOUNT_PLACES, {"currency": currency, "places": places(currency)}
    if amount == 0:
        return None, FundingCode.AMOUNT_ZERO, {}
    return amount, None, {}


# Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intention:
    """One member's intention for one target (``PROGRAMME`` or an option)."""

    member: Any
    target: int
    pledge: Pledge

    @property
    def amount(self) -> Decimal:
        return Decimal(self.pledge.amount)


@dataclass(frozen=True)
class CurrencyTotal:
    """What was intended in one currency: firm and indicative, and by how many members."""

    currency: str
    firm: Decimal
    indicative: Decimal
    members: int

    @property
    def total(self) -> Decimal:
        return self.firm + self.indicative


@dataclass(frozen=True)
class TargetTotals:
    target: int
    currencies: tuple[CurrencyTotal, ...]


@dataclass(frozen=True)
class FundingTotals:
    """Funding intentions of one group (member states, or observers) for one question."""

    #: How many members intend to fund something.
    members: int
    #: Per target (the whole programme first, then the options in their order), per currency.
    targets: tuple[TargetTotals, ...]
    #: Every target together, per currency.
    overall: tuple[CurrencyTotal, ...]
    #: Each member's intentions, by member then target.
    intentions: tuple[Intention, ...]

    def of(self, target: int) -> tuple[CurrencyTotal, ...]:
        return next((t.currencies for t in self.targets if t.target == target), ())


def _per_currency(intentions: Iterable[Intention]) -> tuple[CurrencyTotal, ...]:
    firm: dict[str, Decimal] = {}
    indicative: dict[str, Decimal] = {}
    members: dict[str, set[Any]] = {}
    for i in intentions:
        code = i.pledge.currency
        bucket = firm if i.pledge.firm else indicative
        bucket[code] = bucket.get(code, Decimal(0)) + i.amount
        members.setdefault(code, set()).add(_key(i.member))
    return tuple(
        CurrencyTotal(
            code,
            firm.get(code, Decimal(0)),
            indicative.get(code, Decimal(0)),
            len(members[code]),
        )
        for code in sorted(members)
    )


def _key(member: Any) -> Any:
    return getattr(member, "id", member)


def tally_funding(targets: Sequence[int], intentions: Iterable[Intention]) -> FundingTotals:
    """Totals per target and currency (never across currencies) and the members intending."""
    order = {t: i for i, t in enumerate(targets)}
    kept = [i for i in intentions if i.target in order]
    kept.sort(key=lambda i: (str(getattr(i.member, "name", "")), _key(i.member), order[i.target]))
    return FundingTotals(
        members=len({_key(i.member) for i in kept}),
        targets=tuple(
            TargetTotals(t, _per_currency(i for i in kept if i.target == t)) for t in targets
        ),
        overall=_per_currency(kept),
        intentions=tuple(kept),
    )


# The kind ----------------------------------------------------------------------------------


class Funding(OptionKind):
    """Funding intention. Its options (if any) are what may be funded besides the whole
    programme: e.g. the workshops."""

    name: ClassVar[QuestionKind] = QuestionKind.FUNDING
    label: ClassVar[str] = N_("Funding intention")
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting(
            "whole_programme",
            SettingType.FLAG,
            True,
            N_("Members may fund the whole programme"),
            column=False,
        ),
        OPTIONS_FROM,
    )
    min_options: ClassVar[int] = 0
    reads: ClassVar[frozenset[Source]] = frozenset({Source.FUNDING})
    messages: ClassVar[Mapping[str, str]] = MESSAGES

    def check(self, q: QuestionShape, *, for_opening: bool) -> list[Problem]:
        """Options distinct; with no whole programme, one option at least to open."""
        problems = check_labels(q.options)
        if q.get("options_from") is not None and q.options:
            problems.append(Problem("options_from", Issue.OPTIONS_FROM_WITH_OWN))
        nothing = q.get("options_from") is None and not q.options
        if for_opening and not q.get("whole_programme") and nothing:
            problems.append(Problem("options", Issue.TOO_FEW_OPTIONS, {"min": 1}))
        return problems

    def targets(self, q: QuestionSpec | Any, questions: Sequence[Any] | None = None) -> list[int]:
        """``PROGRAMME`` (when offered), then the options' ids (those of the question named by
        ``options_from`` among ``questions``, by default its consultation's)."""
        options: Sequence[Any]
        if isinstance(q, QuestionSpec):
            whole, options = q.get("whole_programme"), q.options
        else:
            whole, options = _setting(q), answer_options(q, questions)
        return ([PROGRAMME] if whole else []) + [o.id for o in options]

    def field(self, question_id: int, target: int, part: str) -> str:
        """A field's name (for the templates)."""
        return field_name(question_id, target, part)

    def currency_choices(self, locale: str) -> tuple[tuple[str, str], ...]:
        return currency_choices(locale)

    def own_fields(self, q: QuestionSpec) -> set[str]:
        return {
            field_name(q.id, t, part)
            for t in self.targets(q)
            for part in ("amount", "currency", "firm", "note")
        }

    def subjects(self, q: QuestionSpec) -> dict[str, int | None]:
        return {
            field_name(q.id, t, part): (None if t == PROGRAMME else t)
            for t in self.targets(q)
            for part in ("amount", "currency", "firm", "note")
        }

    def parse(self, q: QuestionSpec, reader: Reader, final: bool) -> QuestionAnswer:
        """Each target: an amount (blank: no intention), its currency, firm or indicative
        (indicative unless said), a note; a required question needs one intention."""
        funding: dict[int, Pledge] = {}
        for target in self.targets(q):
            pledge = self._line(q, reader, target)
            if pledge is not None:
                funding[target] = pledge
        if final and q.required and not funding and self.targets(q):
            reader.error(field_name(q.id, self.targets(q)[0], "amount"), Code.REQUIRED)
        return QuestionAnswer(q.id, funding=funding)

    def _line(self, q: QuestionSpec, reader: Reader, target: int) -> Pledge | None:
        def name(part: str) -> str:
            return field_name(q.id, target, part)

        raw = reader.one(name("amount")).strip()
        code = reader.one(name("currency")).strip()
        firmness = reader.one(name("firm")).strip()
        note = reader.text(name("note"), NOTE_LIMIT)
        if not raw:
            if note:
                reader.error(name("amount"), FundingCode.AMOUNT_MISSING)
            return None
        ok = True
        if firmness not in ("", "firm", "indicative"):
            reader.error(name("firm"), FundingCode.FIRMNESS_UNKNOWN)
            ok = False
        currency: str | None = code
        if not code:
            reader.error(name("currency"), FundingCode.CURRENCY_MISSING)
            currency, ok = None, False
        elif code not in currencies():
            reader.error(name("currency"), FundingCode.CURRENCY_UNKNOWN)
            currency, ok = None, False
        amount, refusal, params = read_amount(raw, currency)
        if refusal is not None:
            reader.error(name("amount"), refusal, **params)
        if amount is None or currency is None or not ok:
            return None
        return Pledge(canonical(amount), currency, firmness == "firm", note)

    # Results ------------------------------------------------------------------------------

    def summarise(self, question: QuestionLike, inputs: Inputs) -> dict[str, Any]:
        targets = self.targets(question, inputs.questions or None)

        def group(observers: bool) -> FundingTotals:
            return tally_funding(
                targets,
                (
                    Intention(
                        member, PROGRAMME if option is None else option, Pledge.from_stored(t)
                    )
                    for member, option, t in inputs.funding.get(observers, ())
                ),
            )

        return {
            "funding": group(False),
            "funding_observers": group(True) if True in inputs.funding else None,
        }

    def result_rows(self, results: Any, question: Any, labels: Labels) -> Iterator[dict[str, Cell]]:
        """A row per target and currency (member states, then observers), then the totals of
        every target per currency."""
        groups = [(results.funding, "")]
        if results.funding_observers is not None:
            groups.append((results.funding_observers, "yes"))
        for funding, observers in groups:
            for target in funding.targets:
                label = labels.programme if target.target == PROGRAMME else None
                for c in target.currencies:
                    yield _total_row(label or labels.option(target.target), c, observers)
            for c in funding.overall:
                yield _total_row(labels.all_targets, c, observers)

    def response_columns(self, question: Any) -> list[ResponseColumn]:
        return [
            ResponseColumn(f"funding_{part}", None if t == PROGRAMME else t, word)
            for t in self.targets(question)
            for part, word in (
                ("amount", N_("amount")),
                ("currency", N_("currency")),
                ("firm", N_("firm or indicative")),
                ("note", N_("note")),
            )
        ]

    cells_of_rows: ClassVar[bool] = True
    cell_words: ClassVar[tuple[str, ...]] = (N_("firm"), N_("indicative"))

    def response_cells(
        self, option_id: int | None, text: str, words: Mapping[str, str]
    ) -> dict[str, Cell]:
        """A stored intention's cells of the responses CSV: the exact amount, the currency,
        firm or indicative (in the reader's language), the note."""
        pledge = Pledge.from_stored(text)
        firmness = "firm" if pledge.firm else "indicative"
        return {
            "funding_amount": _cell(Decimal(pledge.amount)),
            "funding_currency": pledge.currency,
            "funding_firm": words.get(firmness, firmness),
            "funding_note": pledge.note or None,
        }


def _setting(question: Any) -> bool:
    """A stored question's ``whole_programme`` (kept in ``Question.settings``)."""
    return bool((getattr(question, "settings", None) or {}).get("whole_programme", True))


def _total_row(label: str, c: CurrencyTotal, observers: str) -> dict[str, Cell]:
    return {
        "option": label,
        "currency": c.currency,
        "total": _cell(c.total),
        "firm_total": _cell(c.firm),
        "indicative_total": _cell(c.indicative),
        "members": c.members,
        "observers": observers,
    }


def _cell(amount: Decimal) -> Cell:
    """An exact amount for the CSV: whole amounts as numbers, others as their exact text."""
    return int(amount) if amount == amount.to_integral_value() else canonical(amount)


__all__ = [
    "MESSAGES",
    "CurrencyTotal",
    "Funding",
    "FundingCode",
    "FundingTotals",
    "Intention",
    "currencies",
    "currency_choices",
    "currency_name",
    "read_amount",
    "tally_funding",
]

"""Choose N and single choice: members select options; the results count selections."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from consult import tally
from consult.consultations.checks import Problem, check_bounds
from consult.consultations.enums import QuestionKind
from consult.consultations.kinds.base import (
    N_,
    Cell,
    Inputs,
    Labels,
    Official,
    QuestionLike,
    QuestionShape,
    ResponseColumn,
    Setting,
    SettingType,
    Source,
)
from consult.consultations.kinds.fields import Code, QuestionAnswer, QuestionSpec, Reader
from consult.consultations.kinds.options import ALLOW_OPTION_COMMENTS, OptionKind, option_ids

#: Option ids are database ids: more digits than this cannot name an option.
_ID_DIGITS = 18


class _Choices(OptionKind):
    reads: ClassVar[frozenset[Source]] = frozenset({Source.SELECTIONS})
    conditions_name_options: ClassVar[bool] = True
    #: More than one option is refused even in a draft.
    one_only: ClassVar[bool] = False

    def bounds(self, q: QuestionSpec) -> tuple[int | None, int | None]:
        """At least and at most this many options on submission (None: no bound)."""
        raise NotImplementedError

    def own_fields(self, q: QuestionSpec) -> set[str]:
        return {q.field("choice")}

    def parse(self, q: QuestionSpec, reader: Reader, final: bool) -> QuestionAnswer:
        comments = self.comments(q, reader)
        return QuestionAnswer(q.id, selected=self._chosen(q, reader, final), comments=comments)

    def _chosen(self, q: QuestionSpec, reader: Reader, final: bool) -> tuple[int, ...]:
        name = q.field("choice")
        raw_values = [v.strip() for v in reader.form.get(name) or () if v.strip()]
        if raw_values and not q.may_vote:
            reader.error(name, Code.OBSERVERS_MAY_NOT_VOTE)
            return ()
        low, high = self.bounds(q)
        if self.one_only and len(raw_values) > 1:
            reader.error(name, Code.TOO_MANY_CHOICES, max=1)
            return ()
        chosen: list[int] = []
        for raw in raw_values:
            known = raw.isascii() and raw.isdigit() and len(raw) <= _ID_DIGITS
            if not known or int(raw) not in q.option_ids:
                reader.error(name, Code.UNKNOWN_OPTION)
                return ()
            if int(raw) in chosen:
                reader.error(name, Code.DUPLICATED_FIELD)
                return ()
            chosen.append(int(raw))
        if final and q.may_vote:
            if q.required and not chosen:
                reader.error(name, Code.REQUIRED)
            elif chosen and low is not None and len(chosen) < low:
                reader.error(name, Code.TOO_FEW_CHOICES, min=low)
            if high is not None and len(chosen) > high:
                reader.error(name, Code.TOO_MANY_CHOICES, max=high)
        order = {option_id: i for i, option_id in enumerate(q.option_ids)}
        return tuple(sorted(chosen, key=order.__getitem__))

    def places(self, question: QuestionLike) -> int:
        return 1

    def summarise(self, question: QuestionLike, inputs: Inputs) -> dict[str, Any]:
        chosen = tally.selections(option_ids(question), inputs.selections, n=self.places(question))
        if not self.decides:
            return {"selections": chosen}
        official = Official("selections", tuple(chosen.top), places=self.places(question))
        return {"selections": chosen, "official": official}

    def result_rows(self, results: Any, question: Any, labels: Labels) -> Iterator[dict[str, Cell]]:
        s = results.selections
        winners = set(results.official.winners) if results.official else set()
        # Only the options sharing the last place to be filled are tied: with two places and
        # counts 5, 5, 3, 3 the first two are selected and nothing is tied.
        tied: set[int] = set()
        if self.decides and s.tie_at_cutoff and s.top:
            cutoff = min(s.counts[o] for o in s.top)
            tied = {o for o in s.top if s.counts[o] == cutoff}
        for option in question.options:
            yield {
                "option": labels.option(option.id),
                "selections": s.counts[option.id],
                "share": round(s.shares[option.id], 4),
                "official_method": "selections" if self.decides else "",
                "official_winner": "yes" if option.id in winners else "",
                "tie": "yes" if option.id in tied else "",
            }


class Choose(_Choices):
    """Choose N (e.g. two workshops): bounds at least 1, not above the number of options."""

    name: ClassVar[QuestionKind] = QuestionKind.CHOOSE
    label: ClassVar[str] = N_("Choose N")
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("min_choices", SettingType.COUNT, None, N_("At least this many choices")),
        Setting("max_choices", SettingType.COUNT, None, N_("At most this many choices")),
        ALLOW_OPTION_COMMENTS,
    )
    is_vote: ClassVar[bool] = True
    decides: ClassVar[bool] = True

    def check(self, q: QuestionShape, *, for_opening: bool) -> list[Problem]:
        problems = super().check(q, for_opening=for_opening)
        return problems + check_bounds(q.get("min_choices"), q.get("max_choices"), len(q.options))

    def bounds(self, q: QuestionSpec) -> tuple[int | None, int | None]:
        return q.min_choices, q.max_choices

    def places(self, question: QuestionLike) -> int:
        return int(getattr(question, "max_choices", None) or 1)

    def response_columns(self, question: Any) -> list[ResponseColumn]:
        return [ResponseColumn("selected", o.id, N_("selected")) for o in question.options]


class Single(_Choices):
    """Single choice: one option at most. Not a vote (observers answer it): the results give
    how often each option was chosen, never a winner or a tie."""

    name: ClassVar[QuestionKind] = QuestionKind.SINGLE
    label: ClassVar[str] = N_("Single choice")
    settings: ClassVar[tuple[Setting, ...]] = (ALLOW_OPTION_COMMENTS,)
    one_only: ClassVar[bool] = True

    def bounds(self, q: QuestionSpec) -> tuple[int | None, int | None]:
        return 1, 1

    def response_columns(self, question: Any) -> list[ResponseColumn]:
        return [ResponseColumn("single", None, N_("choice"))]

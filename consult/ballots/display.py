"""What the ballot page writes of a kept structure in one language: each question's prompt and
help, each option's label, background and rank label, and the parts of a ranking question's
fields that are the same for every member (an option's heading, the list of ranks with each
one chosen), worked out once per structure version and language as escaped Markup: the page
then fills in only the member's answers, its errors and whether the form is disabled."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from babel.support import NullTranslations
from flask_babel import get_translations
from markupsafe import Markup

from consult.consultations.kinds.base import N_
from consult.consultations.structure import KEPT, Structure
from consult.core.kept import Kept
from consult.core.markdown import render_markdown


@dataclass(frozen=True, slots=True)
class OptionTexts:
    label: str
    #: The background, rendered from Markdown.
    description: Markup
    #: "Rank for <label>", the label of the option's rank field.
    rank_label: Markup
    #: The name of the option's rank field.
    rank_name: str
    #: The option's block up to its fields: its container, heading and background.
    head: Markup
    #: The name of the option's comment field and its label ("Comment on <label>").
    comment_name: str
    comment_label: Markup


@dataclass(frozen=True, slots=True)
class QuestionTexts:
    prompt: str
    #: The help, rendered from Markdown.
    help: Markup
    options: dict[int, OptionTexts]
    #: A ranking's choices in a rank field ("Not ranked", 1 to the number of options), by the
    #: rank the form chose ("" for none; a value that is no rank chooses none either).
    rank_choices: dict[str, Markup]

    def choices(self, chosen: str) -> Markup:
        """The rank field's choices with ``chosen`` selected."""
        return self.rank_choices.get(chosen) or self.rank_choices[""]


_kept: Kept[tuple[Structure, str], dict[int, QuestionTexts]] = Kept(2 * KEPT)


def ballot_texts(kept: Structure, locale: str) -> dict[int, QuestionTexts]:
    """The texts of ``kept`` in ``locale`` (the page's language), by question id."""
    return _kept.get_or_make((kept, locale), lambda: _texts(kept, locale, get_translations()))


def _texts(
    kept: Structure, locale: str, translations: NullTranslations
) -> dict[int, QuestionTexts]:
    t = translations.ugettext
    rank_for = Markup(t(N_("Rank for %(option)s")))  # noqa: S704 - a msgstr
    comment_on = Markup(t(N_("Comment on %(option)s")))  # noqa: S704 - a msgstr
    not_ranked = t(N_("Not ranked"))
    out: dict[int, QuestionTexts] = {}
    for q in kept.questions:
        options = {}
        for o in q.options:
            label = o.localized("label", locale)
            description = render_markdown(o.localized("description", locale))
            options[o.id] = OptionTexts(
                label,
                description,
                rank_for % {"option": label},
                f"q{q.id}-rank-{o.id}",
                _OPTION_HEAD.format(o.id, label, description),
                f"q{q.id}-comment-{o.id}",
                comment_on % {"option": label},
            )
        out[q.id] = QuestionTexts(
            q.localized("prompt", locale),
            render_markdown(q.localized("help", locale)) if q.help else Markup(""),
            options,
            _rank_choices(len(q.options), not_ranked),
        )
    return out


#: As kinds/ranking.html wrote them with a loop per option (the same HTML, byte for byte).
_OPTION_HEAD = Markup(
    '<div class="option" data-option="{}">\n  <h3 class="option-title">{}</h3>\n'
    '  <div class="option-background">{}</div>\n  '
)
_RANK_CHOICE = Markup('<option value="{0}"{1}>{0}</option>')


def _rank_choices(count: int, not_ranked: str) -> dict[str, Markup]:
    ranks = [str(r) for r in range(1, count + 1)]
    first = Markup('<option value="">{}</option>\n      \n      ').format(not_ranked)
    return {
        chosen: first
        + Markup("").join(
            _RANK_CHOICE.format(r, Markup(" selected") if r == chosen else "") for r in ranks
        )
        for chosen in ["", *ranks]
    }


@functools.lru_cache(maxsize=16)
def _ranking_attributes(locale: str, translations: NullTranslations) -> Markup:
    t = translations.ugettext
    return Markup(
        'data-ranking data-move-up="{}" data-move-down="{}" data-add="{}" data-remove="{}" '
        'data-ranked="{}" data-unranked="{}" data-position="{}" data-removed="{}" '
        'data-undo="{}" data-keys="{}"'
    ).format(
        t(N_("Move up")),
        t(N_("Move down")),
        t(N_("Add to ranking")),
        t(N_("Remove from ranking")),
        t(N_("Your ranking")),
        t(N_("Not ranked")),
        t(N_("Rank %(n)s")) % {"n": "{n}"},
        t(N_("%(option)s removed from the ranking.")) % {"option": "{label}"},
        t(N_("Undo")),
        t(N_("Arrow keys move the focused option; Delete removes it.")),
    )


def ranking_attributes(locale: str) -> Markup:
    """The texts the ranking script shows (moving, adding, removing, announcing), as the
    attributes of a ranking question's fieldset, in ``locale``."""
    return _ranking_attributes(locale, get_translations())
